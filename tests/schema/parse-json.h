// Reads JSON documents (the client's --json, the HTTP API's answers) back in tests; a parse error
// fails the test.
#pragma once

#include <string>

#include <rapidjson/document.h>

namespace jh::test {

rapidjson::Document parseJson(const std::string& text);

}  // namespace jh::test
