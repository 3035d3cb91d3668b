// The answer cache: lifetimes and least-recently-used eviction, on made-up time points.
#include <doctest/doctest.h>

#include "frontend/postcodes/postcode-cache.h"

using jh::PostcodeAnswer;
using jh::PostcodeCache;

namespace {

const kj::TimePoint T0 = kj::origin<kj::TimePoint>() + 1000 * kj::SECONDS;

PostcodeAnswer found(const std::string& postCode) {
  return {PostcodeAnswer::Kind::FOUND, postCode, "Somewhere", postCode + " is in Somewhere."};
}

}  // namespace

TEST_CASE("a cached answer is found until its expiry time and not after") {
  PostcodeCache cache(10);
  cache.put(found("AB10 1AB"), T0 + 5 * kj::SECONDS);
  auto hit = cache.find("AB10 1AB", T0 + 4 * kj::SECONDS);
  REQUIRE(hit);
  CHECK(hit->area == "Somewhere");
  CHECK_FALSE(cache.find("AB10 1AB", T0 + 5 * kj::SECONDS));
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.find("AB10 1AL", T0));
}

TEST_CASE("a full cache evicts the least recently used entry") {
  PostcodeCache cache(2);
  kj::TimePoint later = T0 + 60 * kj::SECONDS;
  cache.put(found("A1 1AA"), later);
  cache.put(found("B1 1BB"), later);
  CHECK(cache.find("A1 1AA", T0));  // A is now the most recently used
  cache.put(found("C1 1CC"), later);
  CHECK(cache.size() == 2);
  CHECK(cache.find("A1 1AA", T0));
  CHECK(cache.find("C1 1CC", T0));
  CHECK_FALSE(cache.find("B1 1BB", T0));
}

TEST_CASE("storing an answer again replaces it without growing the cache") {
  PostcodeCache cache(5);
  cache.put(found("A1 1AA"), T0 + kj::SECONDS);
  PostcodeAnswer gone{PostcodeAnswer::Kind::NOT_FOUND, "A1 1AA", "",
                      "A1 1AA is not a known postcode."};
  cache.put(gone, T0 + 10 * kj::SECONDS);
  CHECK(cache.size() == 1);
  auto hit = cache.find("A1 1AA", T0 + 5 * kj::SECONDS);
  REQUIRE(hit);
  CHECK(hit->kind == PostcodeAnswer::Kind::NOT_FOUND);
}

TEST_CASE("a cache of capacity zero stores nothing") {
  PostcodeCache cache(0);
  cache.put(found("A1 1AA"), T0 + kj::SECONDS);
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.find("A1 1AA", T0));
}
