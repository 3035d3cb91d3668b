// The loops' registry and the calls answered on the lead loop, through KJ's executors.
#include "frontend/front-end-shared.h"

#include <kj/debug.h>

#include "frontend/order-desk.h"

namespace jh {

FrontEndShared::FrontEndShared(const ClusterConfig& config)
    : postcodes_(config.postcodes), limiter_(config.http.ratePerS, config.http.rateBurst) {}

FrontEndShared::~FrontEndShared() {}

void FrontEndShared::join(size_t loop, OrderDesk& desk) {
  std::lock_guard lock(mutex_);
  if (loops_.size() <= loop) loops_.resize(loop + 1);
  KJ_ASSERT(loops_[loop].desk == nullptr, "two desks joined as one loop", loop);
  loops_[loop] = Loop{kj::getCurrentThreadExecutor().addRef(), &desk};
}

void FrontEndShared::leave(size_t loop) {
  std::lock_guard lock(mutex_);
  KJ_ASSERT(loop < loops_.size());
  loops_[loop].desk = nullptr;
}

template <typename T>
kj::Promise<T> FrontEndShared::onLoop(size_t index, kj::Function<T(OrderDesk&)> run) {
  kj::Own<const kj::Executor> executor;
  {
    std::lock_guard lock(mutex_);
    if (index >= loops_.size() || loops_[index].desk == nullptr) {
      return KJ_EXCEPTION(DISCONNECTED, "the front-end is stopping", index);
    }
    executor = loops_[index].executor->addRef();
  }
  // The desk is looked up again on its own thread: it leaves the registry on that thread, so it
  // cannot go between this look-up and `run`.
  return kj::evalNow([&]() {
           return executor->executeAsync([this, index, run = kj::mv(run)]() mutable -> T {
             OrderDesk* desk = nullptr;
             {
               std::lock_guard lock(mutex_);
               desk = loops_[index].desk;
             }
             if (desk == nullptr) kj::throwFatalException(KJ_EXCEPTION(DISCONNECTED, "the front-end is stopping"));
             return run(*desk);
           });
         })
      .attach(kj::mv(executor));
}

kj::Promise<ClusterStatus> FrontEndShared::status() {
  return onLoop<ClusterStatus>(0, [](OrderDesk& lead) { return lead.localStatus(); });
}

kj::Promise<std::vector<ClusterEvent>> FrontEndShared::events(uint64_t after) {
  return onLoop<std::vector<ClusterEvent>>(0, [after](OrderDesk& lead) { return lead.localEvents(after); });
}

kj::Promise<void> FrontEndShared::setHeartbeat(uint32_t ms) {
  std::vector<size_t> joined;
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < loops_.size(); ++i) {
      if (loops_[i].desk != nullptr) joined.push_back(i);
    }
  }
  auto each = kj::heapArrayBuilder<kj::Promise<bool>>(joined.size());
  for (size_t i : joined) {
    each.add(onLoop<bool>(i, [ms](OrderDesk& desk) {
      desk.setLocalHeartbeat(ms);
      return true;
    }));
  }
  return kj::joinPromises(each.finish()).ignoreResult();
}

}  // namespace jh
