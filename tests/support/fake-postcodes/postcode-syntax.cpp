// The rules are postcodes.io's (Express decoding, ECMAScript white space), not ours: the front-end
// has its own stricter check in schema/order.h.
#include "tests/support/fake-postcodes/postcode-syntax.h"

#include <algorithm>

#include <kj/encoding.h>

#include "schema/order.h"

namespace jh::fake {

std::optional<std::u32string> decodePathSegment(std::string_view raw) {
  auto bytes = kj::decodeUriComponent(kj::arrayPtr(raw.data(), raw.size()));
  if (bytes.hadErrors) return std::nullopt;
  auto codePoints = kj::encodeUtf32(bytes);
  if (codePoints.hadErrors) return std::nullopt;
  return std::u32string(codePoints.begin(), codePoints.end());
}

bool isJsWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
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
  std::u32string_view trimmed = jsTrim(text);
  // White space may only be one run, just before the three-character inward code.
  auto spaceBegin = std::find_if(trimmed.begin(), trimmed.end(), isJsWhiteSpace);
  auto spaceEnd = std::find_if_not(spaceBegin, trimmed.end(), isJsWhiteSpace);
  if (spaceBegin != trimmed.end() &&
      (trimmed.end() - spaceEnd != 3 ||
       std::find_if(spaceEnd, trimmed.end(), isJsWhiteSpace) != trimmed.end())) {
    return false;
  }
  std::string compact;
  for (char32_t c : trimmed) {
    if (isJsWhiteSpace(c)) continue;
    if (c > 0x7F) return false;
    compact.push_back(static_cast<char>(c));
  }
  return normalisePostcode(compact).has_value();
}

}  // namespace jh::fake
