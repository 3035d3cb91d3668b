// Holds or fails the fdatasync calls of the code under test, so that group commit and write
// failures are tested by construction rather than by timing. The replica's test binary defines
// fdatasync itself (sync-gate.cpp); the linker prefers it to libc's for the code under test.
#pragma once

#include <cstddef>

namespace jh::test {

class SyncGate {
 public:
  SyncGate();   // one at a time; while none exists, fdatasync simply syncs
  ~SyncGate();  // lets every held call through and stops interfering

  SyncGate(const SyncGate&) = delete;
  SyncGate& operator=(const SyncGate&) = delete;

  // From now on, fdatasync calls wait in the gate until release().
  void hold();
  // Blocks until `n` calls are waiting in the gate (a condition variable, not a sleep); false
  // if that has not happened within ten seconds, so that a broken test fails instead of hanging.
  bool waitUntilHeld(size_t n = 1);
  // Lets waiting and later calls through.
  void release();
  // The next `count` calls that pass the gate fail with `error` (an errno value) without syncing.
  void failNext(int error, size_t count = 1);
};

}  // namespace jh::test
