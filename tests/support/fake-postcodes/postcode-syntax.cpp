// The rules are postcodes.io's (Express decoding, ECMAScript white space); the format check is the
// one in schema/orders/postcode-format.h, so the imitation and the front-end cannot drift apart.
#include "tests/support/fake-postcodes/postcode-syntax.h"

#include <kj/encoding.h>

#include "schema/orders/postcode-format.h"

namespace jh::fake {

std::optional<std::u32string> decodePathSegment(std::string_view raw) {
  auto bytes = kj::decodeUriComponent(kj::arrayPtr(raw.data(), raw.size()));
  if (bytes.hadErrors) return std::nullopt;
  auto codePoints = kj::encodeUtf32(bytes);
  if (codePoints.hadErrors) return std::nullopt;
  return std::u32string(codePoints.begin(), codePoints.end());
}

std::u32string_view jsTrim(std::u32string_view text) {
  while (!text.empty() && isJsWhiteSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isJsWhiteSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string lookupKey(std::u32string_view text) {
  std::u32string key;
  for (char32_t c : jsTrim(text)) {
    if (isJsWhiteSpace(c)) continue;
    key.push_back(c >= U'a' && c <= U'z' ? c - U'a' + U'A' : c);
  }
  kj::String utf8 = kj::decodeUtf32(kj::arrayPtr(key.data(), key.size()));
  return std::string(utf8.cStr(), utf8.size());
}

bool wellFormedPostcode(std::u32string_view text) {
  return judgeDecodedPostcode(text).normalised.has_value();
}

}  // namespace jh::fake
