// The rate limit per client address: a burst, then one request per 1/rate seconds, a wait in whole
// seconds, addresses apart from each other, and memory that stays bounded.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

#include "frontend/rate-limiter.h"

using jh::RateLimiter;

TEST_CASE("an address gets its burst at once, then is refused with the whole seconds to wait") {
  RateLimiter limiter(20, 40);
  for (int i = 0; i < 40; ++i) REQUIRE(limiter.take("10.0.0.1", 1000) == 0);
  CHECK(limiter.take("10.0.0.1", 1000) == 1);
  CHECK(limiter.take("10.0.0.1", 1049) == 1);  // a token every 50 ms
  CHECK(limiter.take("10.0.0.1", 1050) == 0);
  CHECK(limiter.take("10.0.0.1", 1050) == 1);
  CHECK(limiter.take("10.0.0.2", 1050) == 0);  // another address has its own bucket
}

TEST_CASE(
    "a slow rate says how many seconds until the next token, and an idle address refills to its "
    "burst only") {
  RateLimiter limiter(1, 3);
  for (int i = 0; i < 3; ++i) REQUIRE(limiter.take("a", 0) == 0);
  CHECK(limiter.take("a", 0) == 1);
  RateLimiter slow(1, 1);
  REQUIRE(slow.take("a", 0) == 0);
  CHECK(slow.take("a", 100) == 1);  // 900 ms left: one whole second
  RateLimiter burst(1, 3);
  for (int i = 0; i < 3; ++i) REQUIRE(burst.take("a", 0) == 0);
  int granted = 0;
  for (int i = 0; i < 10; ++i) granted += burst.take("a", 1'000'000) == 0;
  CHECK(granted == 3);
}

TEST_CASE("rate 0 never limits") {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 10000; ++i) REQUIRE(limiter.take("a", 0) == 0);
  CHECK(limiter.clients() == 0);
}

TEST_CASE("at most maxClients addresses are remembered, the least recently seen forgotten first") {
  RateLimiter limiter(1, 1, 3);
  REQUIRE(limiter.take("a", 0) == 0);
  REQUIRE(limiter.take("b", 0) == 0);
  REQUIRE(limiter.take("c", 0) == 0);
  CHECK(limiter.take("a", 0) == 1);  // a is the most recent now; b the least
  REQUIRE(limiter.take("d", 0) == 0);
  CHECK(limiter.clients() == 3);
  CHECK(limiter.take("a", 0) == 1);  // still remembered, still empty
  CHECK(limiter.take("c", 0) == 1);
  CHECK(limiter.take("b", 0) == 0);  // forgotten: a fresh bucket
  for (int i = 0; i < 1000; ++i) limiter.take("x" + std::to_string(i), 0);
  CHECK(limiter.clients() == 3);
}

TEST_CASE("an IPv4 peer is limited by its address, an IPv6 peer by its /64") {
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr);
  CHECK(jh::rateLimitKey(reinterpret_cast<sockaddr*>(&v4), sizeof v4) == "192.0.2.7");
  sockaddr_in6 a{}, b{};
  a.sin6_family = b.sin6_family = AF_INET6;
  inet_pton(AF_INET6, "2001:db8:1:2:aaaa::1", &a.sin6_addr);
  inet_pton(AF_INET6, "2001:db8:1:2:bbbb::9", &b.sin6_addr);
  std::string keyA = jh::rateLimitKey(reinterpret_cast<sockaddr*>(&a), sizeof a);
  CHECK(keyA == "2001:db8:1:2::");
  CHECK(jh::rateLimitKey(reinterpret_cast<sockaddr*>(&b), sizeof b) == keyA);
  sockaddr unix{};
  unix.sa_family = AF_UNIX;
  CHECK(jh::rateLimitKey(&unix, sizeof unix).empty());
}
