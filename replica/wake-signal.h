// Wakes waiters on another thread's event loop when something new happened (new durable
// orders): waiters remember the generation they saw and wait for a later one.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include <kj/async.h>

namespace jh {

class WakeSignal {
 public:
  uint64_t generation() const {
    std::lock_guard lock(mutex_);
    return generation_;
  }

  // Resolves on the calling thread's loop once the generation differs from `seen`.
  kj::Promise<void> waitAfter(uint64_t seen) {
    std::lock_guard lock(mutex_);
    if (generation_ != seen) return kj::READY_NOW;
    auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
    waiters_.push_back(kj::mv(paf.fulfiller));
    return kj::mv(paf.promise);
  }

  // Callable from any thread.
  void notify() {
    std::vector<kj::Own<kj::CrossThreadPromiseFulfiller<void>>> woken;
    {
      std::lock_guard lock(mutex_);
      ++generation_;
      woken.swap(waiters_);
    }
    for (auto& w : woken) w->fulfill();
  }

 private:
  mutable std::mutex mutex_;
  uint64_t generation_ = 0;
  std::vector<kj::Own<kj::CrossThreadPromiseFulfiller<void>>> waiters_;
};

}  // namespace jh
