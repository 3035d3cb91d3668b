// The fdatasync stand-in behind SyncGate.
#include "tests/replica/sync-gate.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace jh::test {

namespace {

struct GateState {
  std::mutex mutex;
  std::condition_variable changed;
  bool active = false;
  bool holding = false;
  size_t waiting = 0;
  int failError = 0;
  size_t failCount = 0;
};

GateState& gate() {
  static GateState state;
  return state;
}

// Waits while the gate holds; returns the errno value to fail with, or 0 to sync.
int passGate() {
  GateState& g = gate();
  std::unique_lock lock(g.mutex);
  if (!g.active) return 0;
  ++g.waiting;
  g.changed.notify_all();
  g.changed.wait(lock, [&] { return !g.holding; });
  --g.waiting;
  if (g.failCount == 0) return 0;
  --g.failCount;
  return g.failError;
}

}  // namespace

SyncGate::SyncGate() {
  std::lock_guard lock(gate().mutex);
  gate().active = true;
  gate().holding = false;
  gate().failCount = 0;
}

SyncGate::~SyncGate() {
  std::lock_guard lock(gate().mutex);
  gate().active = false;
  gate().holding = false;
  gate().failCount = 0;
  gate().changed.notify_all();
}

void SyncGate::hold() {
  std::lock_guard lock(gate().mutex);
  gate().holding = true;
}

bool SyncGate::waitUntilHeld(size_t n) {
  std::unique_lock lock(gate().mutex);
  return gate().changed.wait_for(lock, std::chrono::seconds(10),
                                 [&] { return gate().waiting >= n; });
}

void SyncGate::release() {
  std::lock_guard lock(gate().mutex);
  gate().holding = false;
  gate().changed.notify_all();
}

void SyncGate::failNext(int error, size_t count) {
  std::lock_guard lock(gate().mutex);
  gate().failError = error;
  gate().failCount = count;
}

}  // namespace jh::test

// Replaces libc's fdatasync for everything linked into this test binary.
extern "C" int fdatasync(int fd) {
  if (int error = jh::test::passGate()) {
    errno = error;
    return -1;
  }
  return static_cast<int>(syscall(SYS_fdatasync, fd));
}
