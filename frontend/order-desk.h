// What the front-end does for a client, whichever door the request came in by (Cap'n Proto RPC or
// HTTP): checks what was sent, puts the menu price on, stamps the time, looks the postcode up,
// batches orders, routes to the primary with failover, and turns what happened into answers.
// The doors only translate requests into these calls and answers into their replies.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <capnp/message.h>
#include <kj/timer.h>

#include "frontend/front-end-shared.h"
#include "frontend/order-batcher.h"
#include "frontend/postcodes/postcode-service.h"
#include "frontend/replica-router.h"
#include "schema/config/cluster-config.h"
#include "schema/answers/front-end-values.h"
#include "schema/just-hungry.capnp.h"
#include "schema/orders/order.h"
#include "schema/runtime/shared-call.h"

namespace jh {

// The primary's message of the day and menu, as fetched together. Never changed once made, so a
// door may keep it for as long as it writes its reply.
struct Catalogue {
  std::string motd;
  std::vector<MenuEntry> items;
  std::vector<std::string>
      keys;  // items[i] as an order's item is matched: upper case, no edge spaces
};

// One page of a user's orders as the primary sent it (newest first), or why there is none; the
// result is read where it lies in the reply, so the RPC door forwards it without copying.
class OrdersPage {
 public:
  explicit OrdersPage(capnp::Response<rpc::Replica::GetOrdersResults>&& reply);
  explicit OrdersPage(const Rejection& rejection);

  // Orders, or a rejection (INVALID_USER_CODE, UNAVAILABLE…).
  rpc::OrdersResult::Reader result() const { return result_; }
  capnp::MessageSize size() const;

 private:
  kj::Maybe<capnp::Response<rpc::Replica::GetOrdersResults>> reply_;
  kj::Own<capnp::MallocMessageBuilder> built_;
  rpc::OrdersResult::Reader result_;
};

class OrderDesk {
 public:
  // `name` is this front-end's. Lives on one of the front-end's event loops (number `loop`; 0 is
  // the lead) with the router and the postcode service it is given, and joins `shared` while it
  // lives.
  OrderDesk(const ClusterConfig& config, std::string name, ReplicaRouter& router,
            PostcodeService& postcodes, kj::Timer& timer, FrontEndShared& shared, size_t loop);
  ~OrderDesk();

  // The motd and menu, cached for a moment (CATALOGUE_TTL); a stale copy when no replica answers
  // and there is one; UNAVAILABLE when there is none.
  kj::Promise<Reply<std::shared_ptr<const Catalogue>>> catalogue();
  // The cached copy while it is fresh, else null: what catalogue() answers without a call.
  std::shared_ptr<const Catalogue> freshCatalogue() const;

  // One page of the user's orders older than `cursor` ("" for the newest), at most `limit` (0:
  // the default page). Refused as INVALID_USER_CODE or UNAVAILABLE.
  kj::Promise<OrdersPage> orders(std::string userCode, uint32_t limit, std::string cursor);

  // Places the order, or says why not: INVALID_ORDER (the id), INVALID_USER_CODE, UNKNOWN_ITEM,
  // INVALID_POSTCODE, POSTCODE_NOT_FOUND, CONFLICTING_ORDER_ID, UNAVAILABLE. A repeat of
  // (userCode, orderId) answers with the order stored the first time.
  kj::Promise<Reply<OrderRecord>> placeOrder(OrderRequest request);

  // The postcode, normalised, with its delivery area; or INVALID_POSTCODE, POSTCODE_NOT_FOUND, or
  // UNAVAILABLE when postcodes.io is unreachable and when_unreachable is "reject".
  kj::Promise<Reply<PostcodeInfo>> validatePostcode(std::string_view input);

  // This front-end's view of the cluster, now: the lead loop's router's, with every loop's orders.
  kj::Promise<ClusterStatus> status();
  // The cluster events kept with ids above `after`, oldest first (the lead loop's feed).
  kj::Promise<std::vector<ClusterEvent>> events(uint64_t after);
  // Changes the heartbeat period (10 ms .. 60 s; KJ_REQUIRE) of the lead loop's router.
  kj::Promise<void> setHeartbeat(uint32_t ms);

  // What the three calls above do on this desk's own loop (FrontEndShared runs them on the lead).
  ClusterStatus localStatus() const;
  std::vector<ClusterEvent> localEvents(uint64_t after) const;
  void setLocalHeartbeat(uint32_t ms);

  // On SIGTERM: resolves once the calls under way are answered, or after `bound`.
  kj::Promise<void> drain(kj::Duration bound);

  static constexpr kj::Duration CATALOGUE_TTL = 2 * kj::SECONDS;

 private:
  // Puts the menu's name and price for `item` on the order; nullopt, or why not.
  std::optional<Rejection> priceFromMenu(const Catalogue& cat, const std::string& item,
                                         OrderRecord& order) const;
  // What postcodes.io's answer means for a client: the postcode and its area ("unverified" while
  // postcodes.io is unreachable and when_unreachable is "accept"), or INVALID_POSTCODE,
  // POSTCODE_NOT_FOUND, or UNAVAILABLE (its sentence about the check alone).
  Reply<PostcodeInfo> located(PostcodeAnswer answer) const;
  // Looks the (normalised) postcode up, from the cache in this turn when it is there, then
  // placeAt().
  // (The order is taken by reference to an rvalue, here and in placeAt(): an OrderRecord is nine
  // strings, and each move of one cost about 270 instructions.)
  kj::Promise<Reply<OrderRecord>> locateAndPlace(OrderRecord&& order, const std::string& postCode);
  // Puts the postcode's answer on the order, stamps it and hands it to the batcher, or refuses it.
  kj::Promise<Reply<OrderRecord>> placeAt(OrderRecord&& order, PostcodeAnswer answer);
  // Counts `call` as under way until it ends, and logs (at debug level) that it began and ended.
  template <typename T>
  kj::Promise<T> track(const char* what, std::string detail, kj::Promise<T> call);

  kj::Promise<Reply<std::shared_ptr<const Catalogue>>> loadCatalogue();  // catalogue(), untracked

  const ClusterConfig& config_;
  std::string name_;
  ReplicaRouter& router_;
  PostcodeService& postcodes_;
  kj::Timer& timer_;
  FrontEndShared& shared_;
  size_t loop_;
  OrderBatcher batcher_;
  std::shared_ptr<const Catalogue> catalogue_;
  kj::TimePoint catalogueAt_;
  // The fetch under way: resolves to why it found no menu, or nullopt once it stored one.
  SharedCall<std::optional<Rejection>> catalogueFetch_;
  uint64_t inFlight_ = 0;
  uint64_t requests_ = 0;
};

}  // namespace jh
