// The shared part of the postcode look-up: every member behind one mutex, held only for a map or
// list operation, never across a request or a fulfilment.
#include "frontend/postcodes/postcode-book.h"

#include <kj/debug.h>

namespace jh {

PostcodeBook::PostcodeBook(const PostcodeConfig& config)
    : config_(config), cache_(config.cacheMax) {
  for (const std::string& url : config_.urls)
    breakers_.emplace_back(url, config_.breakerMs * kj::MILLISECONDS);
}

PostcodeBook::~PostcodeBook() {}

std::optional<PostcodeAnswer> PostcodeBook::cached(const std::string& postCode, kj::TimePoint now) {
  std::lock_guard lock(mutex_);
  std::optional<PostcodeAnswer> answer = cache_.find(postCode, now);
  if (answer) ++cacheHits_;
  return answer;
}

uint64_t PostcodeBook::join(const std::string& postCode, Waiter waiter) {
  std::lock_guard lock(mutex_);
  auto [entry, fresh] = inFlight_.try_emplace(postCode);
  entry->second.waiters.push_back(kj::mv(waiter));
  if (!fresh) {
    ++cacheHits_;
    return 0;
  }
  ++cacheMisses_;
  entry->second.id = nextId_++;
  return entry->second.id;
}

std::vector<PostcodeBook::Waiter> PostcodeBook::take(uint64_t id) {
  std::lock_guard lock(mutex_);
  for (auto it = inFlight_.begin(); it != inFlight_.end(); ++it) {
    if (it->second.id != id) continue;
    auto waiters = kj::mv(it->second.waiters);
    inFlight_.erase(it);
    return waiters;
  }
  return {};
}

void PostcodeBook::finish(uint64_t id, const PostcodeAnswer& answer) {
  for (auto& waiter : take(id)) waiter->fulfill(kj::heap<PostcodeAnswer>(answer));
}

void PostcodeBook::abandon(uint64_t id) { take(id); }

void PostcodeBook::remember(const PostcodeAnswer& answer, kj::TimePoint now) {
  if (answer.kind == PostcodeAnswer::Kind::UNREACHABLE) return;
  uint32_t seconds =
      answer.kind == PostcodeAnswer::Kind::FOUND ? config_.cacheFoundS : config_.cacheNotFoundS;
  if (seconds == 0) return;
  std::lock_guard lock(mutex_);
  cache_.put(answer, now + seconds * kj::SECONDS);
}

bool PostcodeBook::tryAcquire(size_t url, kj::TimePoint now) {
  std::lock_guard lock(mutex_);
  return breakers_[url].tryAcquire(now);
}

bool PostcodeBook::succeeded(size_t url) {
  std::lock_guard lock(mutex_);
  bool wasFailing = breakers_[url].failing();
  breakers_[url].succeeded();
  return wasFailing;
}

void PostcodeBook::failed(size_t url, kj::TimePoint now) {
  std::lock_guard lock(mutex_);
  breakers_[url].failed(now);
}

PostcodeStats PostcodeBook::stats(kj::TimePoint now) const {
  std::lock_guard lock(mutex_);
  PostcodeStats stats{{}, cacheHits_, cacheMisses_};
  for (const UrlBreaker& breaker : breakers_) {
    stats.urls.push_back(PostcodeUrlStatus{breaker.url(), breaker.state(), breaker.retryInMs(now),
                                           breaker.requests(), breaker.failures()});
  }
  return stats;
}

}  // namespace jh
