// A push loop's pause after failed calls to a peer (DESIGN.md §4: back-off capped at one second),
// cut short when the peer is heard from another way (a sync with it answered, or a call from it),
// so that a peer back from the dead is sent what it lacks at once, not up to a second later.
#pragma once

#include <mutex>

#include <kj/async.h>
#include <kj/timer.h>

namespace jh {

class BackOffSleep {
 public:
  // Resolves after `wait`, or as soon as wake() is called meanwhile. One sleep at a time, on the
  // loop of the thread that calls this.
  kj::Promise<void> sleep(kj::Timer& timer, kj::Duration wait) {
    auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
    {
      std::lock_guard lock(mutex_);
      woken_ = kj::mv(paf.fulfiller);
    }
    return timer.afterDelay(wait).exclusiveJoin(kj::mv(paf.promise)).then([this]() {
      std::lock_guard lock(mutex_);
      woken_ = nullptr;
    });
  }

  // Ends the sleep under way, if any; otherwise does nothing (the loop is busy with the peer).
  // Callable from any thread.
  void wake() {
    kj::Own<kj::CrossThreadPromiseFulfiller<void>> woken;
    {
      std::lock_guard lock(mutex_);
      woken = kj::mv(woken_);
    }
    if (woken) woken->fulfill();
  }

 private:
  std::mutex mutex_;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> woken_;
};

}  // namespace jh
