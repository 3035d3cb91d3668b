// One call that everyone who asks while it runs shares: a menu fetch, a dial.
#pragma once

#include <kj/async.h>
#include <kj/common.h>
#include <kj/debug.h>

namespace jh {

// The first join() starts the call; later ones, while it runs, get a branch of it; the first
// join() after it ended starts the next one. Whatever the call should leave behind (a stored
// menu, a connection) it stores in its own continuations, before any asker hears of it.
//
// Why not a bare kj::Maybe<kj::ForkedPromise<T>> cleared in the call's own continuation: when
// every asker has gone before the call ends, that clear frees KJ's fork hub from inside the
// hub's own fire(), which then writes to freed memory (valgrind shows it; see the "every caller
// gave up" tests). Here the end only raises a flag, and the next join() drops the old fork.
template <typename T>
class SharedCall {
 public:
  template <typename Start>
  kj::Promise<T> join(Start&& start) {
    if (ended_) fork_ = nullptr;
    if (fork_ == nullptr) {
      ended_ = false;
      fork_ = start().attach(kj::defer([this]() { ended_ = true; })).fork();
    }
    return KJ_ASSERT_NONNULL(fork_).addBranch();
  }

  bool underWay() const { return fork_ != nullptr && !ended_; }

 private:
  // Declared before fork_, so that it outlives fork_: the call's end (also when fork_ is
  // destroyed with the call still running) sets it.
  bool ended_ = false;
  kj::Maybe<kj::ForkedPromise<T>> fork_;
};

}  // namespace jh
