// The front-end's extra event-loop threads: each runs a body on a KJ event loop of its own until
// asked to stop, beside the caller's loop (number 0). Stopping and failures are told through
// promises on the caller's loop, so it keeps running (and answering the others' cross-thread
// calls) while they finish.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <kj/async-io.h>

#include "schema/config/cluster-config.h"

namespace jh {

// How many event loops the front-end runs: `--threads N`, else $JH_FRONTEND_THREADS, else the
// "threads" of its entry in the cluster file, else the machine's cores, at most DEFAULT_LOOPS_CAP.
// Throws ConfigError for a value that is not a whole number from 1 to MAX_FRONTEND_THREADS.
size_t chooseLoopCount(const std::optional<std::string>& flag, const NodeConfig& self);
constexpr size_t DEFAULT_LOOPS_CAP = 8;

class LoopThreads {
 public:
  // The body of loop `index` on its own thread: `stop` resolves when stop() is called.
  using Body = std::function<void(size_t index, kj::AsyncIoContext& io, kj::Promise<void> stop)>;

  // Starts loops 1 .. count-1 (none when count is 1), each on a thread of its own. Call on the
  // thread of loop 0, whose event loop receives failed() and stop()'s answer.
  LoopThreads(size_t count, Body body);
  // Stops (if stop() was not called) and joins the threads.
  ~LoopThreads();
  LoopThreads(const LoopThreads&) = delete;
  LoopThreads& operator=(const LoopThreads&) = delete;

  // Rejects with the failure of the first loop whose body threw; never resolves otherwise.
  kj::Promise<void> failed();
  // Asks every loop to stop; resolves once every body has returned.
  kj::Promise<void> stop();

 private:
  struct Loop;
  void run(Loop& loop);
  void askStop(Loop& loop);  // with mutex_ held
  void fail(kj::Exception&& e);

  Body body_;
  std::mutex mutex_;  // guards failed_ and each Loop's stop fields
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> failed_;
  kj::Maybe<kj::Promise<void>> failedPromise_;
  std::vector<kj::Own<Loop>> loops_;
};

}  // namespace jh
