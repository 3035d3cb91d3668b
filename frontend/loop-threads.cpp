// Threads with an event loop each, stopped through cross-thread fulfillers.
#include "frontend/loop-threads.h"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>
#include <kj/debug.h>

#include "schema/runtime/failure-words.h"
#include "schema/runtime/log.h"

namespace jh {

namespace {

size_t parseCount(const std::string& text, const std::string& where) {
  bool digits = !text.empty() && text.size() <= 3 &&
                text.find_first_not_of("0123456789") == std::string::npos;
  size_t n = digits ? std::stoul(text) : 0;
  if (n < 1 || n > MAX_FRONTEND_THREADS) {
    throw ConfigError(fmt::format("{}: '{}' is not a number of threads from 1 to {}", where, text,
                                  MAX_FRONTEND_THREADS));
  }
  return n;
}

}  // namespace

size_t chooseLoopCount(const std::optional<std::string>& flag, const NodeConfig& self) {
  if (flag) return parseCount(*flag, "--threads");
  if (const char* env = std::getenv("JH_FRONTEND_THREADS"); env && *env)
    return parseCount(env, "JH_FRONTEND_THREADS");
  if (self.threads > 0) return self.threads;
  size_t cores = std::thread::hardware_concurrency();
  return std::clamp<size_t>(cores, 1, DEFAULT_LOOPS_CAP);
}

struct LoopThreads::Loop {
  size_t index;
  bool stopAsked = false;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> stop;  // set by the loop's thread once it runs
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> done;  // fulfilled as the body returns
  kj::Maybe<kj::Promise<void>> donePromise;
  std::thread thread;
};

LoopThreads::LoopThreads(size_t count, Body body) : body_(kj::mv(body)) {
  auto failed = kj::newPromiseAndCrossThreadFulfiller<void>();
  failed_ = kj::mv(failed.fulfiller);
  failedPromise_ = kj::mv(failed.promise);
  for (size_t i = 1; i < count; ++i) {
    auto loop = kj::heap<Loop>();
    loop->index = i;
    auto done = kj::newPromiseAndCrossThreadFulfiller<void>();
    loop->done = kj::mv(done.fulfiller);
    loop->donePromise = kj::mv(done.promise);
    loops_.push_back(kj::mv(loop));
  }
  // Started once every Loop is in place: a thread only ever touches its own.
  for (auto& loop : loops_) {
    Loop& ref = *loop;
    ref.thread = std::thread([this, &ref]() { run(ref); });
  }
}

LoopThreads::~LoopThreads() {
  {
    std::lock_guard lock(mutex_);
    for (auto& loop : loops_) askStop(*loop);
  }
  for (auto& loop : loops_) loop->thread.join();
}

void LoopThreads::askStop(Loop& loop) {
  if (loop.stopAsked) return;
  loop.stopAsked = true;
  if (loop.stop) loop.stop->fulfill();
}

void LoopThreads::run(Loop& loop) {
  logThreadTag(fmt::format("loop {}", loop.index + 1));
  try {
    auto io = kj::setupAsyncIo();
    auto stop = kj::newPromiseAndCrossThreadFulfiller<void>();
    {
      std::lock_guard lock(mutex_);
      loop.stop = kj::mv(stop.fulfiller);
      if (loop.stopAsked) loop.stop->fulfill();
    }
    body_(loop.index, io, kj::mv(stop.promise));
  } catch (const kj::Exception& e) { fail(kj::cp(e)); } catch (const std::exception& e) {
    fail(plainException(kj::Exception::Type::FAILED, e.what()));
  }
  std::lock_guard lock(mutex_);
  loop.done->fulfill();
}

void LoopThreads::fail(kj::Exception&& e) {
  JH_ERROR("this event loop stopped: {}", failureReason(e));
  std::lock_guard lock(mutex_);
  if (failed_->isWaiting()) failed_->reject(kj::mv(e));
}

kj::Promise<void> LoopThreads::failed() {
  KJ_IF_MAYBE (p, failedPromise_) {
    auto promise = kj::mv(*p);
    failedPromise_ = nullptr;
    return promise;
  }
  return kj::NEVER_DONE;
}

kj::Promise<void> LoopThreads::stop() {
  auto all = kj::heapArrayBuilder<kj::Promise<void>>(loops_.size());
  {
    std::lock_guard lock(mutex_);
    for (auto& loop : loops_) {
      askStop(*loop);
      KJ_IF_MAYBE (p, loop->donePromise) {
        all.add(kj::mv(*p));
        loop->donePromise = nullptr;
      } else {
        all.add(kj::READY_NOW);
      }
    }
  }
  return kj::joinPromises(all.finish());
}

}  // namespace jh
