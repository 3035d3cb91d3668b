// Generation counters whose waiters sleep on one event loop.
#include "replica/wake-signal.h"

#include <kj/debug.h>

namespace jh {

void WakeSignal::notify() {
  generation_.fetch_add(1);
  if (!waiting_.load()) return;
  std::lock_guard lock(mutex_);
  if (listener_ != nullptr) listener_->bell_.ring();
}

WakeSignal::Listener::Listener(WakeSignal& signal, kj::LowLevelAsyncIoProvider& io)
    : signal_(signal), bell_(io) {
  {
    std::lock_guard lock(signal_.mutex_);
    KJ_REQUIRE(signal_.listener_ == nullptr, "a WakeSignal has one listener at a time");
    signal_.listener_ = this;
  }
  watching_ = watch().eagerlyEvaluate(nullptr);
}

WakeSignal::Listener::~Listener() {
  std::lock_guard lock(signal_.mutex_);
  signal_.listener_ = nullptr;
}

kj::Promise<void> WakeSignal::Listener::waitAfter(uint64_t seen) {
  signal_.waiting_ = true;
  if (signal_.generation_.load() != seen) return kj::READY_NOW;
  auto paf = kj::newPromiseAndFulfiller<void>();
  waiters_.push_back(Waiter{seen, kj::mv(paf.fulfiller)});
  return kj::mv(paf.promise);
}

kj::Promise<void> WakeSignal::Listener::watch() {
  return bell_.heard().then([this]() {
    wakeWaiters();
    return watch();
  });
}

void WakeSignal::Listener::wakeWaiters() {
  while (true) {
    signal_.waiting_ = false;
    uint64_t now = signal_.generation_.load();
    std::erase_if(waiters_, [now](Waiter& w) {
      if (!w.done->isWaiting()) return true;  // its wait was cancelled
      if (w.seen == now) return false;
      w.done->fulfill();
      return true;
    });
    if (waiters_.empty()) return;
    signal_.waiting_ = true;
    if (signal_.generation_.load() == now) return;  // any later notify() rings
  }
}

}  // namespace jh
