// A call shared by whoever asks while it runs: one start for many askers, a new start after the
// end, and an end that comes after every asker has gone.
#include <doctest/doctest.h>

#include <kj/async.h>

#include "schema/runtime/shared-call.h"

TEST_CASE("askers while the call runs share one start; the first asker after its end starts anew") {
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  jh::SharedCall<int> call;
  int starts = 0;
  kj::Own<kj::PromiseFulfiller<int>> answer;
  auto start = [&]() {
    ++starts;
    auto paf = kj::newPromiseAndFulfiller<int>();
    answer = kj::mv(paf.fulfiller);
    return kj::mv(paf.promise);
  };
  auto first = call.join(start);
  auto second = call.join(start);
  CHECK(starts == 1);
  CHECK(call.underWay());
  answer->fulfill(7);
  CHECK(first.wait(waitScope) == 7);
  CHECK(second.wait(waitScope) == 7);
  CHECK_FALSE(call.underWay());
  auto third = call.join(start);
  CHECK(starts == 2);
  answer->fulfill(8);
  CHECK(third.wait(waitScope) == 8);
}

TEST_CASE("a call whose every asker gave up still ends, keeps what it stored, and is not joined") {
  // Before SharedCall, the owners cleared their fork in the call's own continuation, which freed
  // KJ's fork hub inside its fire() when no asker was left: memcheck (tests/CMakeLists.txt) runs
  // this case under valgrind, which reports that use-after-free.
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  jh::SharedCall<void> call;
  bool stored = false;
  auto paf = kj::newPromiseAndFulfiller<void>();
  {
    auto gaveUp = call.join([&]() { return paf.promise.then([&]() { stored = true; }); });
  }
  paf.fulfiller->fulfill();
  loop.run();
  CHECK(stored);
  CHECK_FALSE(call.underWay());
  int starts = 0;
  call.join([&]() -> kj::Promise<void> {
        ++starts;
        return kj::READY_NOW;
      })
      .wait(waitScope);
  CHECK(starts == 1);
}
