// How postcodes.io reads the postcode in a request path: %-decoding, JavaScript's notion of white
// space, the format check it applies before a look-up, and its look-up key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jh::fake {

// A path segment %-decoded as by decodeURIComponent(); nullopt for a bad %-escape or bytes that
// are not UTF-8 (postcodes.io then answers 500).
std::optional<std::u32string> decodePathSegment(std::string_view raw);

// JavaScript's String.prototype.trim().
std::u32string_view jsTrim(std::u32string_view text);

// Trimmed, upper-cased, all white space removed, as UTF-8: "ab10 1ab " -> "AB101AB".
std::string lookupKey(std::u32string_view text);

// The `postcode` package's isValid() on the trimmed text: jh::judgeDecodedPostcode(), the same
// check the front-end makes, without the front-end's limit on the input's length.
bool wellFormedPostcode(std::u32string_view text);

}  // namespace jh::fake
