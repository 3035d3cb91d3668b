// executeAsyncVisibly: work run on another thread's loop, its result or failure back on the
// caller's. In a TSan build (scripts/tsan-check.sh) these values would be reported as races had
// they crossed inside KJ, as the replication thread's version vectors were.
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <kj/async.h>
#include <kj/debug.h>

#include "schema/runtime/cross-thread.h"

namespace jh {

namespace {

// A thread with an event loop of its own, running until destroyed.
class OtherLoop {
 public:
  OtherLoop() {
    thread_ = std::thread([this]() {
      kj::EventLoop loop;
      kj::WaitScope waitScope(loop);
      auto stop = kj::newPromiseAndCrossThreadFulfiller<void>();
      {
        std::lock_guard lock(mutex_);
        executor_ = &kj::getCurrentThreadExecutor();
        id_ = std::this_thread::get_id();
        stop_ = kj::mv(stop.fulfiller);
      }
      started_.notify_all();
      stop.promise.wait(waitScope);
    });
    std::unique_lock lock(mutex_);
    started_.wait(lock, [this]() { return executor_ != nullptr; });
  }
  ~OtherLoop() {
    stop_->fulfill();
    thread_.join();
  }

  const kj::Executor& executor() const { return *executor_; }
  std::thread::id id() const { return id_; }

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable started_;
  const kj::Executor* executor_ = nullptr;
  std::thread::id id_;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop_;
};

using Counts = std::map<std::string, uint64_t>;

}  // namespace

TEST_CASE("a value made later on the other loop arrives whole on the caller's loop") {
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  OtherLoop other;
  std::vector<std::string> names = {"replica.server1", "replica.server2", "replica.server3"};
  auto counts = executeAsyncVisibly(other.executor(), [names = kj::mv(names), &other]() {
                  KJ_ASSERT(std::this_thread::get_id() == other.id());
                  // Made in a continuation, outside the function's own call, as
                  // ReplicaNode::ingest() makes the vector it answers.
                  return kj::evalLater([&names]() {
                    Counts made;
                    for (size_t i = 0; i < names.size(); ++i) made[names[i]] = i + 1;
                    return made;
                  });
                }).wait(waitScope);
  CHECK(counts == Counts{{"replica.server1", 1}, {"replica.server2", 2}, {"replica.server3", 3}});
  counts["replica.server4"] = 4;  // the caller owns it now
  CHECK(counts.size() == 4);
}

TEST_CASE("a failure on the other loop fails the caller's promise with its description") {
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  OtherLoop other;
  auto failed = executeAsyncVisibly(other.executor(),
                                    []() -> kj::Promise<Counts> {
                                      return kj::evalLater([]() -> Counts {
                                        KJ_FAIL_REQUIRE("the peer's rows could not be taken",
                                                        std::string(200, 'x'));
                                      });
                                    })
                    .then([](Counts) -> std::string { return "no failure"; },
                          [](kj::Exception&& e) { return std::string(e.getDescription().cStr()); })
                    .wait(waitScope);
  CHECK(failed.find("the peer's rows could not be taken") != std::string::npos);
  CHECK(failed.find(std::string(200, 'x')) != std::string::npos);
}

TEST_CASE(
    "a function without a result runs on the other loop before the caller's promise resolves") {
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  OtherLoop other;
  std::thread::id ranOn;
  executeAsyncVisibly(other.executor(), [&ranOn]() {
    ranOn = std::this_thread::get_id();
  }).wait(waitScope);
  CHECK(ranOn == other.id());
}

}  // namespace jh
