// Whether text is a UK postcode by postcodes.io's rules, and its normalised form: the check every
// part applies locally before any network call (DESIGN.md §5).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jh {

// Bytes of input judged at all. postcodes.io takes any amount of white space around and between
// the codes; this bounds the work while leaving room for pasted padding: 248 ASCII spaces, or 82
// three-byte Unicode ones, around "AB10 1AB".
constexpr size_t MAX_POSTCODE_INPUT = 256;

// JavaScript's /\s/, which is also what String.prototype.trim() removes: ASCII tab, line feed,
// vertical tab, form feed, carriage return and space, U+00A0, U+1680, U+2000..U+200A, U+2028,
// U+2029, U+202F, U+205F, U+3000 and the byte-order mark U+FEFF.
bool isJsWhiteSpace(char32_t c);

// A postcode's normalised form ("AB10 1AB": upper case, one space before the three-character
// inward code), or, when it is not a postcode, a clause saying why ("it is empty") to follow
// "That is not a UK postcode: ".
struct PostcodeVerdict {
  std::optional<std::string> normalised;
  std::string problem;
};

// postcodes.io's judgement (GET /postcodes/:postcode with the `postcode` package, 5.1.0):
// white space (isJsWhiteSpace) is trimmed from both ends; what is left must match
// /^[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}$/i, ASCII letters and digits only. So the outward code is
// A9, A99, AA9, AA99, A9A or AA9A, the inward code a digit and any two letters, with any run of
// white space (or none) between them and none inside either. `text` is already decoded.
PostcodeVerdict judgeDecodedPostcode(std::u32string_view text);

// judgeDecodedPostcode() on UTF-8 input of at most MAX_POSTCODE_INPUT bytes; longer input, or
// bytes that are not UTF-8, is not a postcode. Makes no network call.
PostcodeVerdict judgePostcode(std::string_view input);

// judgePostcode(input).normalised: "sw1a1aa" -> "SW1A 1AA". A normalised postcode normalises to
// itself.
std::optional<std::string> normalisePostcode(std::string_view input);

// Whether `text` is a postcode in its normalised form, i.e. normalisePostcode(text) == text,
// without decoding or allocating: what every replica checks on every order it stores.
bool isNormalisedPostcode(std::string_view text);

}  // namespace jh
