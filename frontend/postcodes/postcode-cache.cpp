// An LRU list plus a hash index. An expired entry is dropped when it is next looked up, or evicted
// as the least recently used.
#include "frontend/postcodes/postcode-cache.h"

namespace jh {

PostcodeCache::PostcodeCache(size_t capacity) : capacity(capacity) {}

std::optional<PostcodeAnswer> PostcodeCache::find(const std::string& postCode, kj::TimePoint now) {
  auto found = index.find(postCode);
  if (found == index.end()) return std::nullopt;
  Order::iterator entry = found->second;
  if (now >= entry->expiresAt) {
    entries.erase(entry);
    index.erase(found);
    return std::nullopt;
  }
  entries.splice(entries.begin(), entries, entry);
  return entry->answer;
}

void PostcodeCache::put(const PostcodeAnswer& answer, kj::TimePoint expiresAt) {
  if (capacity == 0) return;
  auto found = index.find(answer.postCode);
  if (found != index.end()) {
    entries.erase(found->second);
    index.erase(found);
  }
  entries.push_front(Entry{answer, expiresAt});
  index.emplace(answer.postCode, entries.begin());
  while (index.size() > capacity) {
    index.erase(entries.back().answer.postCode);
    entries.pop_back();
  }
}

}  // namespace jh
