// The push loop's back-off pause: it lasts its wait, unless the peer is heard from meanwhile, on
// a timer that the test moves by hand.
#include <doctest/doctest.h>

#include <thread>

#include <kj/async.h>
#include <kj/timer.h>

#include "replica/back-off-sleep.h"

using jh::BackOffSleep;

namespace {

kj::TimePoint at(int ms) { return kj::origin<kj::TimePoint>() + ms * kj::MILLISECONDS; }

struct LoopRig {
  kj::EventLoop loop;
  kj::WaitScope waitScope{loop};
  kj::TimerImpl timer{at(0)};

  // Whether `sleep` is still asleep just before `ms` and over at `ms` (moving the timer there).
  bool endsAt(kj::Promise<void>& sleep, int ms) {
    timer.advanceTo(at(ms - 1));
    if (sleep.poll(waitScope)) return false;
    timer.advanceTo(at(ms));
    return sleep.poll(waitScope);
  }
};

}  // namespace

TEST_CASE("a back-off sleep lasts its whole wait when nothing is heard from the peer") {
  LoopRig rig;
  BackOffSleep backOff;
  auto sleep = backOff.sleep(rig.timer, 1000 * kj::MILLISECONDS);
  CHECK(rig.endsAt(sleep, 1000));
}

TEST_CASE(
    "a back-off sleep ends at once when the peer is heard from, on this thread or another, however "
    "long it had left") {
  LoopRig rig;
  BackOffSleep backOff;
  auto sleep = backOff.sleep(rig.timer, 1000 * kj::MILLISECONDS);
  rig.timer.advanceTo(at(10));
  CHECK_FALSE(sleep.poll(rig.waitScope));
  backOff.wake();                      // as the replication thread hears from it (a sync answered)
  REQUIRE(sleep.poll(rig.waitScope));  // the timer still reads 10 ms
  sleep.wait(rig.waitScope);           // and it ended well
  auto again = backOff.sleep(rig.timer, 1000 * kj::MILLISECONDS);
  CHECK_FALSE(again.poll(rig.waitScope));
  std::thread([&backOff]() { backOff.wake(); }).join();  // as the main thread hears from it
  REQUIRE(again.poll(rig.waitScope));
  again.wait(rig.waitScope);
  // The next failure's sleep is a sleep of its own: the earlier wakes do not cut it short.
  auto next = backOff.sleep(rig.timer, 50 * kj::MILLISECONDS);
  CHECK(rig.endsAt(next, 60));
}

TEST_CASE("hearing from a peer while no back-off sleep is under way shortens no later sleep") {
  LoopRig rig;
  BackOffSleep backOff;
  backOff.wake();  // the push loop was busy with the peer, not sleeping
  auto sleep = backOff.sleep(rig.timer, 50 * kj::MILLISECONDS);
  CHECK(rig.endsAt(sleep, 50));
}
