// Reading JSON back in tests.
#include "tests/schema/parse-json.h"

#include <doctest/doctest.h>

namespace jh::test {

rapidjson::Document parseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  REQUIRE_MESSAGE(!doc.HasParseError(), "not JSON: " << text);
  return doc;
}

}  // namespace jh::test
