// The FrontEnd interface: checks what the client sent, stamps the time, puts the menu price on,
// looks the postcode up, and forwards to the primary through the router. Expected outcomes are
// returned as rejections; transport failures never reach the client as exceptions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <kj/timer.h>

#include "frontend/order-batcher.h"
#include "frontend/postcodes/postcode-service.h"
#include "frontend/replica-router.h"
#include "schema/cluster-config.h"
#include "schema/just-hungry.capnp.h"
#include "schema/order.h"

namespace jh {

class FrontEndService final : public rpc::FrontEnd::Server {
 public:
  FrontEndService(const ClusterConfig& config, std::string name, ReplicaRouter& router,
                  PostcodeService& postcodes, kj::Timer& timer);

  kj::Promise<void> getMotd(GetMotdContext context) override;
  kj::Promise<void> getMenu(GetMenuContext context) override;
  kj::Promise<void> getOrders(GetOrdersContext context) override;
  kj::Promise<void> placeOrder(PlaceOrderContext context) override;
  kj::Promise<void> validatePostcode(ValidatePostcodeContext context) override;
  kj::Promise<void> status(StatusContext context) override;
  kj::Promise<void> setHeartbeat(SetHeartbeatContext context) override;
  kj::Promise<void> events(EventsContext context) override;

  // On SIGTERM: resolves once the client calls under way are answered, or after `bound`.
  kj::Promise<void> drain(kj::Duration bound);

 private:
  struct MenuItemCopy {
    std::string item;
    std::string key;  // what an order's item is matched against: upper case, no edge spaces
    int64_t pricePence;
  };
  struct Catalogue {
    std::string motd;
    std::vector<MenuItemCopy> items;
  };

  // Puts the menu's name and price for `item` on the order, or refuses it (false).
  template <typename Refuse>
  bool priceFromMenu(const Catalogue& cat, const std::string& item, OrderRecord& order, Refuse& refuse);
  // Looks the (normalised) postcode up, from the cache in this turn when it is there, then placeAt().
  kj::Promise<void> locateAndPlace(PlaceOrderContext context, OrderRecord order, const std::string& postCode);
  // Puts the postcode's answer on the order, stamps it and forwards it, or refuses it.
  kj::Promise<void> placeAt(PlaceOrderContext context, OrderRecord order, PostcodeAnswer answer);
  kj::Promise<void> forwardOrder(PlaceOrderContext context, OrderRecord order);
  // Counts `call` as under way until it ends, and logs (at debug level) that it began and ended.
  kj::Promise<void> track(const char* what, std::string detail, kj::Promise<void> call);

  // The primary's motd and menu, cached for a moment; null when no replica could serve them.
  kj::Promise<kj::Maybe<const Catalogue&>> catalogue();
  kj::Maybe<const Catalogue&> freshCatalogue();  // the cached copy while it is fresh

  const ClusterConfig& config_;
  std::string name_;
  ReplicaRouter& router_;
  PostcodeService& postcodes_;
  kj::Timer& timer_;
  OrderBatcher batcher_;
  kj::Maybe<Catalogue> catalogue_;
  kj::TimePoint catalogueAt_;
  kj::Maybe<kj::ForkedPromise<void>> catalogueFetch_;
  uint64_t inFlight_ = 0;
  uint64_t requests_ = 0;
};

}  // namespace jh
