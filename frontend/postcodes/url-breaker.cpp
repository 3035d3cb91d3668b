// A circuit breaker per url, so that once a url is known to fail, callers no longer wait for its
// timeout.
#include "frontend/postcodes/url-breaker.h"

namespace jh {

UrlBreaker::UrlBreaker(std::string url, kj::Duration openFor)
    : url_(std::move(url)), openFor(openFor) {}

bool UrlBreaker::tryAcquire(kj::TimePoint now) {
  if (state_ == State::FAILING) {
    if (now < retryAt || trialInFlight) return false;
    trialInFlight = true;
  }
  ++requests_;
  return true;
}

void UrlBreaker::succeeded() {
  state_ = State::OK;
  trialInFlight = false;
}

void UrlBreaker::failed(kj::TimePoint now) {
  state_ = State::FAILING;
  retryAt = now + openFor;
  trialInFlight = false;
  ++failures_;
}

const char* UrlBreaker::state() const {
  switch (state_) {
    case State::UNKNOWN: return "unknown";
    case State::OK: return "ok";
    case State::FAILING: return "failing";
  }
  return "unknown";
}

int64_t UrlBreaker::retryInMs(kj::TimePoint now) const {
  if (state_ != State::FAILING || now >= retryAt) return 0;
  return (retryAt - now + kj::MILLISECONDS - 1 * kj::NANOSECONDS) / kj::MILLISECONDS;  // rounded up
}

}  // namespace jh
