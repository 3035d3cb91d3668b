// Answers already given, by normalised postcode: each entry lives until its own expiry time and
// the least recently used entry makes room when the cache is full.
#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include <kj/time.h>

#include "frontend/postcodes/postcode-answer.h"

namespace jh {

class PostcodeCache {
 public:
  // Holds at most `capacity` entries; 0 disables caching.
  explicit PostcodeCache(size_t capacity);

  // The answer stored for `postCode` if it has not expired at `now`; counts as a use.
  std::optional<PostcodeAnswer> find(const std::string& postCode, kj::TimePoint now);
  // Stores (or replaces) the answer for `answer.postCode` until `expiresAt`.
  void put(const PostcodeAnswer& answer, kj::TimePoint expiresAt);
  size_t size() const { return index.size(); }

 private:
  struct Entry {
    PostcodeAnswer answer;
    kj::TimePoint expiresAt;
  };
  using Order = std::list<Entry>;  // most recently used first

  size_t capacity;
  Order entries;
  std::unordered_map<std::string, Order::iterator> index;
};

}  // namespace jh
