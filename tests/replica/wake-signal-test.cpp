// Cross-thread wake-ups of an event loop: LoopBell (an eventfd the loop watches) and WakeSignal
// (generations waited for on one listening loop), rung from other threads.
#include <doctest/doctest.h>

#include <mutex>
#include <thread>
#include <vector>

#include <kj/async-io.h>

#include "replica/loop-bell.h"
#include "replica/wake-signal.h"

using jh::LoopBell;
using jh::WakeSignal;

namespace {
// A wait that never ends fails the test instead of hanging it.
template <typename T>
T within(kj::AsyncIoContext& io, kj::Promise<T> promise) {
  return io.provider->getTimer().timeoutAfter(5 * kj::SECONDS, kj::mv(promise)).wait(io.waitScope);
}
}  // namespace

TEST_CASE("a notify before a wait resolves it at once, and one from another thread wakes it") {
  auto io = kj::setupAsyncIo();
  WakeSignal signal;
  WakeSignal::Listener here(signal, *io.lowLevelProvider);
  uint64_t seen = signal.generation();
  signal.notify();
  CHECK(here.waitAfter(seen).poll(io.waitScope));

  seen = signal.generation();
  auto waiting = here.waitAfter(seen);
  CHECK_FALSE(waiting.poll(io.waitScope));
  std::thread other([&signal]() { signal.notify(); });
  within(io, kj::mv(waiting));
  other.join();
  CHECK(signal.generation() == seen + 1);
}

TEST_CASE("a wait for a generation not yet passed is not resolved by an earlier ring") {
  auto io = kj::setupAsyncIo();
  WakeSignal signal;
  WakeSignal::Listener here(signal, *io.lowLevelProvider);
  auto first = here.waitAfter(signal.generation());
  signal.notify();  // rings: a wait is under way
  uint64_t now = signal.generation();
  auto second = here.waitAfter(now);  // registered before the loop has heard the ring
  within(io, kj::mv(first));
  CHECK_FALSE(second.poll(io.waitScope));
  signal.notify();
  CHECK(second.poll(io.waitScope));
}

TEST_CASE("a second listener on one signal is refused") {
  auto io = kj::setupAsyncIo();
  WakeSignal signal;
  WakeSignal::Listener here(signal, *io.lowLevelProvider);
  CHECK_THROWS(WakeSignal::Listener(signal, *io.lowLevelProvider));
}

TEST_CASE("every item published before a ring is seen once the loop hears, however rings overlap") {
  auto io = kj::setupAsyncIo();
  LoopBell bell(*io.lowLevelProvider);
  std::mutex mutex;
  std::vector<int> published;
  constexpr int ITEMS = 20000;
  std::thread producer([&]() {
    for (int i = 0; i < ITEMS; ++i) {
      {
        std::lock_guard lock(mutex);
        published.push_back(i);
      }
      bell.ring();
    }
  });
  int seen = 0;
  while (seen < ITEMS) {
    within(io, bell.heard());
    std::lock_guard lock(mutex);
    for (int i : published) CHECK(i == seen++);
    published.clear();
  }
  producer.join();
  CHECK(seen == ITEMS);
}
