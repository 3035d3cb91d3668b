// The front-end's postcode look-up (DESIGN.md §5): local format check, then postcodes.io through
// the configured urls in turn, with a cache, shared in-flight requests and a breaker per url.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <kj/async.h>
#include <kj/timer.h>

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

class PostcodeService {
 public:
  // Constructed and used on one KJ event-loop thread (the front-end's main thread).
  PostcodeService(const PostcodeConfig& config, kj::Timer& timer);
  // Look-ups still waiting for postcodes.io reject (their requests are abandoned).
  ~PostcodeService();
  PostcodeService(const PostcodeService&) = delete;
  PostcodeService& operator=(const PostcodeService&) = delete;

  // Never blocks the event loop: HTTP happens on another thread and the promise resolves on the
  // caller's loop. Never rejects for an expected outcome: INVALID (malformed input, with no
  // request), FOUND, NOT_FOUND, or UNREACHABLE when no url answered (never cached).
  kj::Promise<PostcodeAnswer> lookup(std::string input);
  // The cached answer for a normalised postcode, if there is one: what lookup() would give at
  // once, without a promise.
  std::optional<PostcodeAnswer> cached(const std::string& postCode);

  PostcodeStats stats() const;

 private:
  kj::Promise<PostcodeAnswer> askFrom(std::string postCode, size_t firstUrl);
  kj::Promise<PostcodeAnswer> answerFrom(size_t url, std::string postCode, HttpResult result);
  void remember(const PostcodeAnswer& answer);
  std::vector<kj::Own<kj::PromiseFulfiller<PostcodeAnswer>>> takeWaiters(
      const std::string& postCode);

  struct TaskErrorLogger final : kj::TaskSet::ErrorHandler {
    void taskFailed(kj::Exception&& exception) override;
  };

  PostcodeConfig config;
  kj::Timer& timer;
  HttpFetcher fetcher;
  std::vector<UrlBreaker> breakers;  // one per config.urls entry, same order
  PostcodeCache cache;
  uint64_t cacheHits = 0;
  uint64_t cacheMisses = 0;
  // Callers waiting for the request already on its way, by normalised postcode.
  std::map<std::string, std::vector<kj::Own<kj::PromiseFulfiller<PostcodeAnswer>>>> inFlight;
  TaskErrorLogger taskErrorLogger;
  kj::TaskSet tasks;  // keeps each request going even if its callers go away
};

}  // namespace jh
