// One object of type T per event loop of the front-end (a desk, a router), registered on its
// loop's thread, and calls run on that thread from any other through KJ's executors. An object
// leaves on its own thread, so a call that finds it there may use it to the end.
#pragma once

#include <mutex>
#include <vector>

#include <kj/async.h>
#include <kj/debug.h>
#include <kj/function.h>

#include "schema/runtime/cross-thread.h"

namespace jh {

template <typename T>
class LoopRegistry {
 public:
  // On the object's loop's thread.
  void join(size_t loop, T& object) {
    std::lock_guard lock(mutex_);
    if (entries_.size() <= loop) entries_.resize(loop + 1);
    KJ_ASSERT(entries_[loop].object == nullptr, "two objects joined as one loop", loop);
    entries_[loop] = Entry{kj::getCurrentThreadExecutor().addRef(), &object};
  }
  void leave(size_t loop) {  // also when it never joined
    std::lock_guard lock(mutex_);
    if (loop < entries_.size()) entries_[loop].object = nullptr;
  }

  // The loops with an object now.
  std::vector<size_t> joined() {
    std::lock_guard lock(mutex_);
    std::vector<size_t> out;
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].object != nullptr) out.push_back(i);
    }
    return out;
  }

  // Runs `run(object)` on loop `index`'s thread; DISCONNECTED when it has no object (it stopped).
  template <typename R>
  kj::Promise<R> onLoop(size_t index, kj::Function<R(T&)> run) {
    kj::Own<const kj::Executor> executor;
    {
      std::lock_guard lock(mutex_);
      if (index >= entries_.size() || entries_[index].object == nullptr) {
        return KJ_EXCEPTION(DISCONNECTED, "that event loop has stopped", index);
      }
      executor = entries_[index].executor->addRef();
    }
    // Through executeAsyncVisibly: what `run` returns (a status, a list of events) crosses
    // where ThreadSanitizer sees it.
    return kj::evalNow([&]() {
             return executeAsyncVisibly(*executor, [this, index, run = kj::mv(run)]() mutable -> R {
               T* object = nullptr;
               {
                 std::lock_guard lock(mutex_);
                 object = entries_[index].object;
               }
               if (object == nullptr)
                 kj::throwFatalException(KJ_EXCEPTION(DISCONNECTED, "that event loop has stopped"));
               return run(*object);
             });
           })
        .attach(kj::mv(executor));
  }

 private:
  struct Entry {
    kj::Own<const kj::Executor> executor;
    T* object = nullptr;  // null before it joins and after it leaves
  };
  std::mutex mutex_;
  std::vector<Entry> entries_;
};

}  // namespace jh
