// postcodes.io's postcode format, in one place for the front-end, the imitation front-end of the
// client's tests and the imitation postcodes.io.
#include "schema/orders/postcode-format.h"

#include <algorithm>

#include <fmt/format.h>
#include <kj/encoding.h>

namespace jh {
namespace {

bool asciiLetter(char32_t c) { return (c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z'); }
bool asciiDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

// /^[a-z]{1,2}\d[a-z\d]?$/i. Taking two letters when there are two loses nothing: backing off to
// one would put a letter where the digit must be.
bool outwardShape(std::u32string_view code) {
  size_t letters = 0;
  while (letters < 2 && letters < code.size() && asciiLetter(code[letters])) ++letters;
  if (letters == 0 || letters == code.size() || !asciiDigit(code[letters])) return false;
  size_t rest = code.size() - letters - 1;
  return rest == 0 || (rest == 1 && (asciiLetter(code.back()) || asciiDigit(code.back())));
}

// /^\d[a-z]{2}$/i
bool inwardShape(std::u32string_view code) {
  return code.size() == 3 && asciiDigit(code[0]) && asciiLetter(code[1]) && asciiLetter(code[2]);
}

// The outward and inward codes of `text` (trimmed) if it matches postcodes.io's regex: the
// inward code is the last three characters, so the match is the same whichever way it is found.
std::optional<std::pair<std::u32string_view, std::u32string_view>> splitCodes(
    std::u32string_view text) {
  if (text.size() < 3) return std::nullopt;
  std::u32string_view inward = text.substr(text.size() - 3);
  std::u32string_view outward = text.substr(0, text.size() - 3);
  while (!outward.empty() && isJsWhiteSpace(outward.back())) outward.remove_suffix(1);
  if (!outwardShape(outward) || !inwardShape(inward)) return std::nullopt;
  return std::pair{outward, inward};
}

// Only for codes splitCodes() accepted: ASCII letters and digits.
void appendUpperAscii(std::string& out, std::u32string_view code) {
  for (char32_t c : code)
    out.push_back(static_cast<char>(c >= U'a' && c <= U'z' ? c - U'a' + U'A' : c));
}

}  // namespace

bool isJsWhiteSpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000 || c == 0xFEFF;
}

PostcodeVerdict judgeDecodedPostcode(std::u32string_view text) {
  while (!text.empty() && isJsWhiteSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isJsWhiteSpace(text.back())) text.remove_suffix(1);
  if (text.empty()) return {std::nullopt, "it is empty"};
  if (auto codes = splitCodes(text)) {
    std::string normalised;  // at most 8 characters: no allocation
    appendUpperAscii(normalised, codes->first);
    normalised.push_back(' ');
    appendUpperAscii(normalised, codes->second);
    return {std::move(normalised), {}};
  }
  // postcodes.io says only "Invalid postcode"; a person is better told when the spacing alone is
  // wrong ("AB1 01AB"), since removing the space would name another district.
  std::u32string compact(text);
  compact.erase(std::remove_if(compact.begin(), compact.end(), isJsWhiteSpace), compact.end());
  if (splitCodes(compact))
    return {std::nullopt, "it has a space inside the outward or inward code"};
  return {std::nullopt,
          "it is not an outward code (A9, A99, AA9, AA99, A9A or AA9A) and an inward code (9AA)"};
}

PostcodeVerdict judgePostcode(std::string_view input) {
  if (input.size() > MAX_POSTCODE_INPUT) {
    return {std::nullopt, fmt::format("it is longer than {} bytes", MAX_POSTCODE_INPUT)};
  }
  // ASCII, what nearly every order carries, is its own decoding, without kj's array on the heap.
  if (std::all_of(input.begin(), input.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    char32_t widened[MAX_POSTCODE_INPUT];
    std::copy(input.begin(), input.end(), widened);
    return judgeDecodedPostcode(std::u32string_view(widened, input.size()));
  }
  auto decoded = kj::encodeUtf32(kj::arrayPtr(input.data(), input.size()));
  if (decoded.hadErrors) return {std::nullopt, "it is not UTF-8 text"};
  return judgeDecodedPostcode(std::u32string_view(decoded.begin(), decoded.size()));
}

std::optional<std::string> normalisePostcode(std::string_view input) {
  return judgePostcode(input).normalised;
}

bool isNormalisedPostcode(std::string_view text) {
  // The outward code (A9, A99, AA9, AA99, A9A or AA9A: 2 to 4 characters), one space, the inward
  // code (9AA), upper case: what judgeDecodedPostcode() writes.
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (text.size() < 6 || text.size() > 8) return false;
  std::string_view inward = text.substr(text.size() - 3);
  std::string_view outward = text.substr(0, text.size() - 4);
  if (text[text.size() - 4] != ' ' || !digit(inward[0]) || !upper(inward[1]) || !upper(inward[2]))
    return false;
  size_t letters = upper(outward[0]) && outward.size() > 1 && upper(outward[1]) ? 2 : 1;
  if (!upper(outward[0]) || letters >= outward.size() || !digit(outward[letters])) return false;
  size_t rest = outward.size() - letters - 1;
  return rest == 0 || (rest == 1 && (upper(outward.back()) || digit(outward.back())));
}

}  // namespace jh
