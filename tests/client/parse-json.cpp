// Reading JSON back in tests.
#include "tests/client/parse-json.h"

#include <doctest/doctest.h>

namespace jh::client::test {

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_MESSAGE(!doc.HasParseError(), "not JSON: " << text);
  return doc;
}

}  // namespace jh::client::test
