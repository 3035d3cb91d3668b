// Reads the client's JSON output back in tests; a parse error fails the test.
#pragma once

#include <string>

#include <rapidjson/document.h>

namespace jh::client::test {

rapidjson::Document parseJson(const std::string& text);

}  // namespace jh::client::test
