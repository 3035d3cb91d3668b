// Prices: exact pence from text, text from pence, and what is refused.
#include <doctest/doctest.h>

#include <string>

#include "schema/orders/money.h"

using jh::formatPounds;
using jh::formatPrice;
using jh::parsePrice;

TEST_CASE("a price with up to two decimals parses to exact pence") {
  CHECK(parsePrice("11.85") == 1185);
  CHECK(parsePrice("7") == 700);
  CHECK(parsePrice("7.5") == 750);
  CHECK(parsePrice("0.05") == 5);
  CHECK(parsePrice("0") == 0);
  CHECK(parsePrice("0.1") == 10);
  CHECK(parsePrice("19.99") == 1999);  // 19.99 is not exact in binary floating point
}

TEST_CASE("a price that is not a non-negative amount with at most two decimals is refused") {
  for (const char* text : {"7.8.5", "-1", "1.234", "", "1e3", " 7", "7 ", ".5", "5.", "+1",
                           "\xef\xbc\x91" /* fullwidth 1 */, "1,5", "0x10", "7.-5", ".", "£7"}) {
    CAPTURE(std::string(text));
    CHECK_FALSE(parsePrice(text).has_value());
  }
}

TEST_CASE("a price too large to be a dish is refused rather than overflowing") {
  CHECK(parsePrice("1000000000") == 100'000'000'000);  // the largest accepted: a billion pounds
  CHECK_FALSE(parsePrice("1000000001").has_value());
  CHECK_FALSE(parsePrice("9999999999").has_value());
  CHECK_FALSE(parsePrice("99999999999999999999").has_value());
  CHECK_FALSE(parsePrice(std::string(400, '9')).has_value());
}

TEST_CASE("pence format with two decimals for CSV and with a pound sign for people") {
  CHECK(formatPrice(785) == "7.85");
  CHECK(formatPounds(785) == "£7.85");
  CHECK(formatPrice(5) == "0.05");
  CHECK(formatPounds(5) == "£0.05");
  CHECK(formatPrice(0) == "0.00");
  CHECK(formatPounds(0) == "£0.00");
  CHECK(formatPrice(1200) == "12.00");
  CHECK(formatPrice(-150) == "-1.50");
  CHECK(formatPounds(-150) == "-£1.50");
}

TEST_CASE("every pence value from 0 to 100000 survives formatting and parsing unchanged") {
  int64_t mismatches = 0;
  int64_t firstMismatch = -1;
  for (int64_t pence = 0; pence <= 100000; ++pence) {
    if (parsePrice(formatPrice(pence)) != pence) {
      if (firstMismatch < 0) firstMismatch = pence;
      ++mismatches;
    }
  }
  CHECK(firstMismatch == -1);
  CHECK(mismatches == 0);
}
