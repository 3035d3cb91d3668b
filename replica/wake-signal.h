// Wakes waiters on one event loop when something new happened (new own rows, peers' progress):
// waiters remember the generation they saw and wait for a later one. notify() comes from any
// thread and rings the listening loop's eventfd (LoopBell, not a KJ cross-thread fulfiller: see
// loop-bell.h), and only while a wait is under way there.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include <kj/async-io.h>

#include "replica/loop-bell.h"

namespace jh {

class WakeSignal {
 public:
  // The waiting side, on the thread of one event loop; one at a time per signal. Destroyed on
  // that thread, before the signal.
  class Listener {
   public:
    Listener(WakeSignal& signal, kj::LowLevelAsyncIoProvider& io);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    // Resolves once the signal's generation differs from `seen`.
    kj::Promise<void> waitAfter(uint64_t seen);

   private:
    friend class WakeSignal;
    struct Waiter {
      uint64_t seen;
      kj::Own<kj::PromiseFulfiller<void>> done;
    };
    kj::Promise<void> watch();
    void wakeWaiters();

    WakeSignal& signal_;
    LoopBell bell_;
    std::vector<Waiter> waiters_;
    kj::Promise<void> watching_ = nullptr;  // last: destroyed first
  };

  uint64_t generation() const { return generation_.load(); }

  // Callable from any thread.
  void notify();

 private:
  std::atomic<uint64_t> generation_ = 0;
  // Set by the listener before it looks at the generation to wait, so that a notify() after
  // that look rings (a notify() before it is seen by the look).
  std::atomic<bool> waiting_ = false;
  std::mutex mutex_;  // guards listener_ (set and cleared from the listener's thread)
  Listener* listener_ = nullptr;
};

}  // namespace jh
