// The front-end's postcode look-up (DESIGN.md §5): local format check, then postcodes.io through
// the configured urls in turn, with a cache, shared in-flight requests and a breaker per url. One
// per event loop, over the PostcodeBook that the loops of the process share.
#pragma once

#include <optional>
#include <string>

#include <kj/async.h>
#include <kj/timer.h>

#include "frontend/postcodes/postcode-book.h"
#include "schema/config/cluster-config.h"

namespace jh {

class PostcodeService {
 public:
  // Lives on one KJ event-loop thread, the one that calls it; `book` may be shared with the
  // services of other loops.
  PostcodeService(PostcodeBook& book, kj::Timer& timer);
  // With a book of its own (tests).
  PostcodeService(const PostcodeConfig& config, kj::Timer& timer);
  // Look-ups of this loop still waiting for postcodes.io reject (their requests are abandoned).
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

  struct TaskErrorLogger final : kj::TaskSet::ErrorHandler {
    void taskFailed(kj::Exception&& exception) override;
  };

  kj::Own<PostcodeBook> ownBook;  // only when made with a configuration
  PostcodeBook& book;
  const PostcodeConfig& config;
  kj::Timer& timer;
  TaskErrorLogger taskErrorLogger;
  kj::TaskSet tasks;  // keeps each request this loop sent going even if its callers go away
};

}  // namespace jh
