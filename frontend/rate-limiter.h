// Requests per client address (DESIGN.md §6): a user code is a name, not a password, so reading
// orders and postcodes by guessing codes must be slow. A token bucket per address, in memory of
// bounded size: the least recently seen addresses are forgotten first.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

struct sockaddr;

namespace jh {

class RateLimiter {
 public:
  // `perS` tokens a second refill each address's bucket, which holds at most `burst` (a new
  // address starts full); perS 0 never limits. At most `maxClients` buckets are kept. Thread-safe:
  // the HTTP doors of every event loop take from one limiter, so that an address is limited
  // however its connections are spread.
  RateLimiter(uint32_t perS, uint32_t burst, size_t maxClients = 10000);

  // Takes one token from `client`'s bucket at `nowMs` (any monotonic clock, in ms): 0 when
  // granted, else the whole seconds (at least 1) until a token will be there.
  uint32_t take(const std::string& client, int64_t nowMs);

  size_t clients() const;

 private:
  struct Bucket {
    std::string client;
    uint64_t milliTokens;  // a thousandth of a token per unit, so that refills stay whole numbers
    int64_t atMs;          // when milliTokens was last brought up to date
  };

  uint64_t perS_;
  uint64_t capacity_;  // burst, in milliTokens
  size_t maxClients_;
  mutable std::mutex mutex_;   // guards the buckets
  std::list<Bucket> buckets_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Bucket>::iterator>
      index_;  // keys view Bucket::client
};

// The key a peer address is limited under: an IPv4 address as is, an IPv6 address by its /64
// (one host usually holds a whole /64); "" for anything else (a Unix socket, a pipe in tests).
std::string rateLimitKey(const ::sockaddr* address, size_t length);

}  // namespace jh
