// The loops' registry and the calls answered on the lead loop, through KJ's executors.
#include "frontend/front-end-shared.h"

#include <kj/debug.h>

#include "frontend/http-door.h"
#include "frontend/order-desk.h"

namespace jh {

FrontEndShared::FrontEndShared(const ClusterConfig& config)
    : postcodes_(config.postcodes), limiter_(config.http.ratePerS, config.http.rateBurst),
      routing_(config.replicas.size()), pageDir_(config.http.pageDir) {}

FrontEndShared::~FrontEndShared() {}

const WebPage& FrontEndShared::webPage() {
  std::call_once(pageRead_, [this]() { page_ = std::make_unique<const WebPage>(pageDir_); });
  return *page_;
}

void FrontEndShared::join(size_t loop, OrderDesk& desk) { desks_.join(loop, desk); }

void FrontEndShared::leave(size_t loop) { desks_.leave(loop); }

kj::Promise<ClusterStatus> FrontEndShared::status() {
  return desks_.onLoop<ClusterStatus>(0, [](OrderDesk& lead) { return lead.localStatus(); });
}

kj::Promise<std::vector<ClusterEvent>> FrontEndShared::events(uint64_t after) {
  return desks_.onLoop<std::vector<ClusterEvent>>(
      0, [after](OrderDesk& lead) { return lead.localEvents(after); });
}

kj::Promise<void> FrontEndShared::setHeartbeat(uint32_t ms) {
  return desks_
      .onLoop<bool>(0,
                    [ms](OrderDesk& lead) {
                      lead.setLocalHeartbeat(ms);
                      return true;
                    })
      .ignoreResult();
}

}  // namespace jh
