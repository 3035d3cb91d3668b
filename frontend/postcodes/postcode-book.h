// What every event loop of a front-end shares about postcodes (docs/threads.md): the cache of
// answers, the look-ups on their way (so that two loops asking for one postcode send one request),
// the breaker of each url, the counts, and the one libcurl worker. Thread-safe: each loop's
// PostcodeService calls it from its own thread, and nothing in it blocks on the network.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <kj/async.h>
#include <kj/time.h>

#include "frontend/postcodes/http-fetcher.h"
#include "frontend/postcodes/postcode-answer.h"
#include "frontend/postcodes/postcode-cache.h"
#include "frontend/postcodes/url-breaker.h"
#include "schema/config/cluster-config.h"

namespace jh {

struct PostcodeUrlStatus {
  std::string url;
  std::string state;  // "ok", "failing" (skipped for retryInMs more) or "unknown"
  int64_t retryInMs;
  uint64_t requests;
  uint64_t failures;
};

struct PostcodeStats {
  std::vector<PostcodeUrlStatus> urls;
  uint64_t cacheHits;    // look-ups answered without a request of their own (cache or shared)
  uint64_t cacheMisses;  // look-ups that started a request
};

class PostcodeBook {
 public:
  // A look-up's answer travels boxed: moving a std::string through a cross-thread fulfiller trips
  // GCC 12's -Wmaybe-uninitialized (a false positive; see http-fetcher.cpp).
  using Waiter = kj::Own<kj::CrossThreadPromiseFulfiller<kj::Own<PostcodeAnswer>>>;

  explicit PostcodeBook(const PostcodeConfig& config);
  // Look-ups still waiting reject (their requests are abandoned).
  ~PostcodeBook();
  PostcodeBook(const PostcodeBook&) = delete;
  PostcodeBook& operator=(const PostcodeBook&) = delete;

  const PostcodeConfig& config() const { return config_; }
  // Any thread; the result comes back on the calling thread's event loop.
  HttpFetcher& fetcher() { return fetcher_; }

  // The cached answer for a normalised postcode, if it has not expired at `now`; counted as a hit.
  std::optional<PostcodeAnswer> cached(const std::string& postCode, kj::TimePoint now);
  // Adds `waiter` to the look-up of `postCode` under way and returns 0, or, when none is, starts
  // one with it and returns its id (> 0): the caller must then send the request and end the
  // look-up with finish(id, ...) or abandon(id).
  uint64_t join(const std::string& postCode, Waiter waiter);
  // Answers every waiter of look-up `id`, from the caller's thread.
  void finish(uint64_t id, const PostcodeAnswer& answer);
  // Drops the waiters of look-up `id` if it has not finished (their promises reject).
  void abandon(uint64_t id);
  // Remembers an answer (UNREACHABLE never is) for as long as the configuration says.
  void remember(const PostcodeAnswer& answer, kj::TimePoint now);

  // The url breakers, by index in config().urls (see UrlBreaker).
  bool tryAcquire(size_t url, kj::TimePoint now);
  // Whether it had been failing before.
  bool succeeded(size_t url);
  void failed(size_t url, kj::TimePoint now);
  const std::string& url(size_t i) const { return config_.urls[i]; }
  size_t urlCount() const { return config_.urls.size(); }

  PostcodeStats stats(kj::TimePoint now) const;

 private:
  struct Lookup {
    uint64_t id;
    std::vector<Waiter> waiters;
  };
  std::vector<Waiter> take(uint64_t id);

  PostcodeConfig config_;
  mutable std::mutex mutex_;          // guards everything below but the fetcher
  std::vector<UrlBreaker> breakers_;  // one per config_.urls entry, same order
  PostcodeCache cache_;
  uint64_t cacheHits_ = 0;
  uint64_t cacheMisses_ = 0;
  uint64_t nextId_ = 1;
  std::map<std::string, Lookup> inFlight_;  // by normalised postcode
  HttpFetcher fetcher_;  // last: destroyed first, so that its results stop coming
};

}  // namespace jh
