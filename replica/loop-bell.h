// Wakes one event loop from other threads through an eventfd that the loop watches, instead of a
// KJ cross-thread fulfiller. KJ 0.9 writes its own eventfd while it holds the target executor's
// lock, so a loop woken on the other core often blocks on that lock at once: a futex wait and a
// second context switch on the order's path (strace of a primary at one client: in one order of
// five, as the writer thread handed its sync to the event loop).
#pragma once

#include <atomic>
#include <cstdint>

#include <kj/async-io.h>

namespace jh {

class LoopBell {
 public:
  // On the thread whose loop will listen.
  explicit LoopBell(kj::LowLevelAsyncIoProvider& io);

  LoopBell(const LoopBell&) = delete;
  LoopBell& operator=(const LoopBell&) = delete;

  // Any thread. Rings coalesce: one write until the loop has heard it. Whatever the ringing
  // thread published before ring() is visible to the loop once heard() resolves.
  void ring();

  // The listening loop, one wait at a time: resolves once rung since the last heard() resolved.
  kj::Promise<void> heard();

 private:
  int fd_;
  kj::Own<kj::AsyncInputStream> in_;  // owns fd_
  uint64_t count_ = 0;
  std::atomic<bool> rung_ = false;
};

}  // namespace jh
