// Work handed to another thread's event loop, the handoff visible to ThreadSanitizer: what
// kj::Executor::executeAsync() does, with the function and its outcome crossing through our own
// std::mutex rather than through KJ's.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include <kj/async.h>

namespace jh {

// Runs `func` on the thread of `executor` and resolves on the caller's loop to what it returned
// (or what the promise it returned resolved to), or fails as it failed:
// executor.executeAsync(func), canceled the same way when the promise is dropped.
//
// Why not executeAsync itself: it orders the two threads with KJ's futex-based mutex and atomics,
// inside Debian's libkj, which is not built with ThreadSanitizer, so TSan sees no order between
// them. A value that crosses inside KJ (the function's captures one way, its result or exception
// the other) is then reported as a race on the memory it owns (a VersionVector's map nodes, an
// exception's strings) wherever our code touches it outside KJ's frames. Here the function and
// its outcome cross by move through a slot under a std::mutex, which TSan sees; KJ carries only
// the wake-up. The cost, an allocation and three short locks a call, is small beside a
// cross-thread event.
template <typename Func>
kj::PromiseForResult<Func, void> executeAsyncVisibly(const kj::Executor& executor, Func&& func);

// ---------------------------------------------------------------------------------------------

namespace crossthread {

template <typename P>
struct ValueOf;
template <typename T>
struct ValueOf<kj::Promise<T>> {
  using Type = T;
};

// One mutex for every slot of the process, held only to move a function or an outcome in or out.
// Not one a slot: the slot's address reaches the other thread inside KJ, unseen, so a mutex inside
// it would itself be touched there before TSan had seen it published.
inline std::mutex slotMutex;

template <typename F, typename T>
struct Slot {
  kj::Own<F> func;                                                                // there
  std::optional<std::conditional_t<std::is_void_v<T>, std::monostate, T>> value;  // and back
  kj::Maybe<kj::Exception> failure;                                               // or this
};

}  // namespace crossthread

template <typename Func>
kj::PromiseForResult<Func, void> executeAsyncVisibly(const kj::Executor& executor, Func&& func) {
  using F = std::decay_t<Func>;
  using T = typename crossthread::ValueOf<kj::PromiseForResult<F, void>>::Type;
  auto slot = std::make_shared<crossthread::Slot<F, T>>();
  {
    std::lock_guard lock(crossthread::slotMutex);
    slot->func = kj::heap<F>(std::forward<Func>(func));
  }
  return executor
      .executeAsync([slot]() {
        kj::Own<F> f;
        {
          std::lock_guard lock(crossthread::slotMutex);
          f = kj::mv(slot->func);
        }
        F& run = *f;
        auto call = [&run]() -> kj::PromiseForResult<F, void> {
          if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
            run();
            return kj::READY_NOW;
          } else {
            return run();
          }
        };
        // The function lives until its promise is done, as it would inside executeAsync.
        return kj::evalNow(call).attach(kj::mv(f)).then(
            [slot](auto&&... value) {
              std::lock_guard lock(crossthread::slotMutex);
              slot->value.emplace(std::forward<decltype(value)>(value)...);
            },
            [slot](kj::Exception&& e) {
              std::lock_guard lock(crossthread::slotMutex);
              slot->failure = kj::mv(e);
            });
      })
      .then([slot]() -> T {
        std::lock_guard lock(crossthread::slotMutex);
        KJ_IF_MAYBE (e, slot->failure) { kj::throwFatalException(kj::mv(*e)); }
        if constexpr (!std::is_void_v<T>) return kj::mv(*slot->value);
      });
}

}  // namespace jh
