// Postcodes judged as postcodes.io judges them: a table of inputs with the verdicts of the
// `postcode` package that postcodes.io uses, and the limits the front-end adds (length, UTF-8).
#include <doctest/doctest.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "schema/orders/postcode-format.h"

namespace {

using namespace std::string_view_literals;

struct Case {
  std::string_view input;
  const char* normalised;  // nullptr: postcodes.io answers "Invalid postcode"
  const char* what;
};

// Every expectation below comes from postcode@5.1.0 (the version postcodes.io's package.json
// pins, "~5.1.0") run under Node 20: isValid(input.trim()) ? toNormalised(input.trim()) : invalid,
// which is what postcodes.io's GET /postcodes/:postcode does with its path parameter.
// tests/schema/orders/postcode-format-cases.js writes the table; see it to add a case.
constexpr Case CASES[] = {
#include "tests/schema/orders/postcode-format-cases.inc"
};

// For messages: bytes outside printable ASCII as \xHH.
std::string visible(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    out +=
        c >= 0x20 && c < 0x7F ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02X}", c);
  }
  return out;
}

// A verdict as text, so that a failure shows it: the normalised form or "(invalid)".
std::string shown(const std::optional<std::string>& normalised) {
  return normalised.value_or("(invalid)");
}

}  // namespace

TEST_CASE(
    "every input in the table is judged as postcodes.io judges it, normalised as it names it") {
  CHECK(std::size(CASES) >= 100);
  for (const Case& c : CASES) {
    INFO(std::string(c.what) << ": \"" << visible(c.input) << "\"");
    const std::string expected = c.normalised ? c.normalised : "(invalid)";
    jh::PostcodeVerdict verdict = jh::judgePostcode(c.input);
    CHECK(shown(verdict.normalised) == expected);
    CHECK(shown(jh::normalisePostcode(c.input)) == expected);
    if (verdict.normalised) {
      CHECK(verdict.problem.empty());
      // What the front-end stores must pass the replica's check: normalised normalises to itself.
      CHECK(jh::normalisePostcode(*verdict.normalised) == verdict.normalised);
    } else {
      CHECK_FALSE(verdict.problem.empty());
    }
  }
}

TEST_CASE("white space is exactly what JavaScript's \\s matches, over every code point") {
  // Listed from Node 20 (Unicode 15.1) by testing /\s/ on every code point; U+180E left Unicode's
  // spaces in 6.3, and U+0085 and U+200B were never among them.
  constexpr char32_t SPACES[] = {0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x20,   0xA0,
                                 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
                                 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029,
                                 0x202F, 0x205F, 0x3000, 0xFEFF};
  size_t found = 0;
  for (char32_t c = 0; c < 0x110000; ++c) {
    bool listed = std::find(std::begin(SPACES), std::end(SPACES), c) != std::end(SPACES);
    if (jh::isJsWhiteSpace(c) != listed) FAIL_CHECK("U+" << fmt::format("{:04X}", uint32_t(c)));
    found += listed;
  }
  CHECK(found == std::size(SPACES));
}

// The rest are our rules, not the package's: postcodes.io never sees bytes that are not UTF-8
// (Express answers 500 to such a path: "malformed percent-encoding" in
// shared/postcodes-fixtures/edge-cases.jsonl), nor has a length limit, nor says why.
TEST_CASE("input that is not UTF-8 is not a postcode, even where it would decode to white space") {
  for (std::string_view input : {"AB10\xC0\xA0"
                                 "1AB"sv,  // an overlong space
                                 "AB10\xE0\x80\xA0"
                                 "1AB"sv,  // a three-byte overlong space
                                 "AB10\xC2"
                                 "1AB"sv,           // a no-break space cut short
                                 "AB10 1AB\xC2"sv,  // cut short at the end
                                 "\xA0"
                                 "AB10 1AB"sv,  // a lone continuation byte
                                 "AB10\xED\xA0\x80"
                                 "1AB"sv,  // a UTF-16 surrogate
                                 "AB10 1AB\xFF"sv,
                                 "AB10\xF4\x90\x80\x80"
                                 "1AB"sv}) {  // past U+10FFFF
    INFO("input: \"" << visible(input) << "\"");
    jh::PostcodeVerdict verdict = jh::judgePostcode(input);
    CHECK_FALSE(verdict.normalised.has_value());
    CHECK(verdict.problem == "it is not UTF-8 text");
  }
}

TEST_CASE(
    "padding is accepted up to MAX_POSTCODE_INPUT bytes of input and refused as too long past it") {
  const std::string postcode = "AB10 1AB";
  std::string longest = postcode + std::string(jh::MAX_POSTCODE_INPUT - postcode.size(), ' ');
  CHECK(jh::normalisePostcode(longest) == "AB10 1AB");
  CHECK(jh::normalisePostcode(std::string(jh::MAX_POSTCODE_INPUT - postcode.size(), '\t') +
                              postcode) == "AB10 1AB");
  jh::PostcodeVerdict over = jh::judgePostcode(longest + " ");
  CHECK_FALSE(over.normalised.has_value());
  CHECK(over.problem == fmt::format("it is longer than {} bytes", jh::MAX_POSTCODE_INPUT));
  // The limit is ours: postcodes.io, and so the imitation of it, takes any amount of padding.
  std::u32string padded =
      std::u32string(1000, U'\u3000') + U"ab10 1ab" + std::u32string(1000, U' ');
  CHECK(jh::judgeDecodedPostcode(padded).normalised == "AB10 1AB");
}

TEST_CASE("a refused postcode is told why: empty, a space inside a code, or not the shape of one") {
  for (std::string_view input : {""sv, " "sv, "\xEF\xBB\xBF\xC2\xA0\r\n"sv}) {
    CHECK(jh::judgePostcode(input).problem == "it is empty");
  }
  for (std::string_view input :
       {"A B10 1AB"sv, "AB1 01AB"sv, "AB101 AB"sv, "AB10 1 AB"sv, "ab1\t0 1ab"sv}) {
    CAPTURE(input);
    CHECK(jh::judgePostcode(input).problem == "it has a space inside the outward or inward code");
  }
  for (std::string_view input : {"A99A 9AA"sv, "GIR 0AA"sv, "FOO"sv, "SW1A-1AA"sv, "A99 A9AA"sv}) {
    CAPTURE(input);
    CHECK(jh::judgePostcode(input).problem ==
          "it is not an outward code (A9, A99, AA9, AA99, A9A or AA9A) and an inward code (9AA)");
  }
}

TEST_CASE("isNormalisedPostcode says exactly when a text normalises to itself") {
  auto agrees = [](std::string_view text) {
    bool expected = jh::normalisePostcode(text) == std::optional<std::string>(text);
    if (jh::isNormalisedPostcode(text) != expected) {
      FAIL_CHECK("\"" << visible(text) << "\": normalises to itself: " << expected);
      return false;
    }
    return expected;
  };
  size_t normalised = 0;
  for (const Case& c : CASES) {
    agrees(c.input);
    if (c.normalised) normalised += agrees(c.normalised);
  }
  CHECK(normalised > 50);
  // Every text of up to 8 characters over an alphabet that makes every outward shape, both cases,
  // the space and a character that is no part of a postcode: the shapes' edges are all in there.
  size_t found = 0;
  for (std::string_view alphabet : {"A1 a-"sv, "Z9 b"sv}) {
    std::string text;
    auto every = [&](auto&& self, size_t length) -> void {
      found += agrees(text);
      if (length == (alphabet.size() == 5 ? 7 : 8)) return;
      for (char c : alphabet) {
        text.push_back(c);
        self(self, length + 1);
        text.pop_back();
      }
    };
    every(every, 0);
  }
  // Over "A1 a-" up to 7 characters: A1 1AA, A11 1AA, AA1 1AA, A1A 1AA; over "Z9 b" up to 8: the
  // six outward shapes before 9ZZ.
  CHECK(found == 4 + 6);
}
