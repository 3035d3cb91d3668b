// What the event loops of one front-end process share (docs/threads.md). Each loop has its own
// router, batcher, order desk and doors, as several front-ends would (Cap'n Proto clients belong
// to one loop); what must be one for the process is here: the postcode book, the HTTP rate limit,
// the tally of orders, the routing board (one choice of primary), and the lead loop, whose
// router's table and event feed are the ones reported, whichever loop a call arrived on.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <kj/async.h>

#include "frontend/loop-registry.h"
#include "frontend/order-batcher.h"
#include "frontend/postcodes/postcode-book.h"
#include "frontend/rate-limiter.h"
#include "frontend/routing-board.h"
#include "schema/config/cluster-config.h"
#include "schema/answers/front-end-values.h"

namespace jh {

class OrderDesk;
class WebPage;

class FrontEndShared {
 public:
  explicit FrontEndShared(const ClusterConfig& config);
  ~FrontEndShared();
  FrontEndShared(const FrontEndShared&) = delete;
  FrontEndShared& operator=(const FrontEndShared&) = delete;

  PostcodeBook& postcodes() { return postcodes_; }
  RateLimiter& rateLimiter() { return limiter_; }
  OrderTally& tally() { return tally_; }
  RoutingBoard& routing() { return routing_; }
  // The web page the HTTP doors serve, read from http.page_dir by the first loop that asks.
  const WebPage& webPage();

  // A loop's desk, as it begins and ends serving; on that loop's thread. Loop 0 is the lead.
  void join(size_t loop, OrderDesk& desk);
  void leave(size_t loop);

  // From any loop: the lead's view, taken on the lead's thread. DISCONNECTED once the lead has
  // stopped (only while the front-end stops).
  kj::Promise<ClusterStatus> status();
  kj::Promise<std::vector<ClusterEvent>> events(uint64_t after);
  // The lead's router, which alone watches the replicas, takes the new heartbeat period.
  kj::Promise<void> setHeartbeat(uint32_t ms);

 private:
  PostcodeBook postcodes_;
  RateLimiter limiter_;
  OrderTally tally_;
  RoutingBoard routing_;
  std::string pageDir_;
  std::once_flag pageRead_;
  std::unique_ptr<const WebPage> page_;
  LoopRegistry<OrderDesk> desks_;
};

}  // namespace jh
