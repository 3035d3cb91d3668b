// The health of one postcodes.io url: after a failure the url is skipped for a while (the breaker
// is open), then a single request is let through to try it again (half-open).
#pragma once

#include <cstdint>
#include <string>

#include <kj/time.h>

namespace jh {

class UrlBreaker {
 public:
  UrlBreaker(std::string url, kj::Duration openFor);

  // Whether a request may go to the url at `now`. Each true must be followed by exactly one
  // succeeded() or failed() when the request ends; it counts as one request.
  bool tryAcquire(kj::TimePoint now);
  // The url answered (any answer postcodes.io gives on purpose, including 404s).
  void succeeded();
  // The url gave no usable answer: skip it for the open period from `now`.
  void failed(kj::TimePoint now);

  const std::string& url() const { return url_; }
  // "unknown" before the first outcome, then "ok" or "failing".
  const char* state() const;
  bool failing() const { return state_ == State::FAILING; }
  // How long the url will still be skipped; 0 once it may be tried.
  int64_t retryInMs(kj::TimePoint now) const;
  uint64_t requests() const { return requests_; }
  uint64_t failures() const { return failures_; }

 private:
  enum class State { UNKNOWN, OK, FAILING };
  std::string url_;
  kj::Duration openFor;
  State state_ = State::UNKNOWN;
  kj::TimePoint retryAt = kj::origin<kj::TimePoint>();
  bool trialInFlight = false;  // half-open: one request is trying the failing url
  uint64_t requests_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace jh
