// A push loop's pause after failed calls to a peer (DESIGN.md §4: back-off capped at one second),
// cut short when the peer is heard from another way, so that a peer back from the dead is sent
// what it lacks at once, not up to a second later.
#pragma once

#include <kj/async.h>
#include <kj/timer.h>

namespace jh {

class BackOffSleep {
 public:
  // Resolves after `wait`, or as soon as wake() is called meanwhile. One sleep at a time.
  kj::Promise<void> sleep(kj::Timer& timer, kj::Duration wait) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    woken_ = kj::mv(paf.fulfiller);
    return timer.afterDelay(wait).exclusiveJoin(kj::mv(paf.promise)).then([this]() {
      woken_ = nullptr;
    });
  }

  // Ends the sleep under way, if any; otherwise does nothing (the loop is busy with the peer).
  void wake() {
    if (woken_) woken_->fulfill();
  }

 private:
  kj::Own<kj::PromiseFulfiller<void>> woken_;
};

}  // namespace jh
