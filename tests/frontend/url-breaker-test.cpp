// The per-url breaker: open after a failure, one trial request once the open period is over.
#include <doctest/doctest.h>

#include <string>

#include "frontend/postcodes/url-breaker.h"

using jh::UrlBreaker;

namespace {
const kj::TimePoint T0 = kj::origin<kj::TimePoint>() + 1000 * kj::SECONDS;
}

TEST_CASE("a url is tried freely until it fails, and counts its requests") {
  UrlBreaker breaker("http://a", 5 * kj::SECONDS);
  CHECK(std::string(breaker.state()) == "unknown");
  CHECK(breaker.tryAcquire(T0));
  CHECK(breaker.tryAcquire(T0));
  breaker.succeeded();
  breaker.succeeded();
  CHECK(std::string(breaker.state()) == "ok");
  CHECK(breaker.requests() == 2);
  CHECK(breaker.failures() == 0);
  CHECK(breaker.retryInMs(T0) == 0);
}

TEST_CASE("a failed url is skipped for the open period, then let through once (half-open)") {
  UrlBreaker breaker("http://a", 5 * kj::SECONDS);
  REQUIRE(breaker.tryAcquire(T0));
  breaker.failed(T0);
  CHECK(std::string(breaker.state()) == "failing");
  CHECK(breaker.failures() == 1);
  CHECK(breaker.retryInMs(T0) == 5000);
  CHECK(breaker.retryInMs(T0 + 4999 * kj::MILLISECONDS + 1 * kj::NANOSECONDS) == 1);
  CHECK_FALSE(breaker.tryAcquire(T0 + 4 * kj::SECONDS));
  CHECK(breaker.requests() == 1);

  kj::TimePoint later = T0 + 5 * kj::SECONDS;
  CHECK(breaker.retryInMs(later) == 0);
  CHECK(breaker.tryAcquire(later));
  CHECK_FALSE(breaker.tryAcquire(later));  // only one trial at a time
  CHECK(breaker.requests() == 2);
  breaker.succeeded();
  CHECK(std::string(breaker.state()) == "ok");
  CHECK(breaker.tryAcquire(later));
}

TEST_CASE("a failed trial keeps the url skipped for another open period") {
  UrlBreaker breaker("http://a", 5 * kj::SECONDS);
  REQUIRE(breaker.tryAcquire(T0));
  breaker.failed(T0);
  kj::TimePoint trial = T0 + 6 * kj::SECONDS;
  REQUIRE(breaker.tryAcquire(trial));
  breaker.failed(trial);
  CHECK(breaker.failures() == 2);
  CHECK_FALSE(breaker.tryAcquire(trial + 4 * kj::SECONDS));
  CHECK(breaker.retryInMs(trial) == 5000);
}
