// The FrontEnd interface over Cap'n Proto RPC: a translator between the wire and the order desk,
// which does the work for this door and the HTTP one alike. Expected outcomes are returned as
// rejections; transport failures never reach the client as exceptions.
#pragma once

#include "frontend/order-desk.h"
#include "schema/just-hungry.capnp.h"

namespace jh {

class FrontEndService final : public rpc::FrontEnd::Server {
 public:
  explicit FrontEndService(OrderDesk& desk);

  kj::Promise<void> getMotd(GetMotdContext context) override;
  kj::Promise<void> getMenu(GetMenuContext context) override;
  kj::Promise<void> getOrders(GetOrdersContext context) override;
  kj::Promise<void> placeOrder(PlaceOrderContext context) override;
  kj::Promise<void> validatePostcode(ValidatePostcodeContext context) override;
  kj::Promise<void> status(StatusContext context) override;
  kj::Promise<void> setHeartbeat(SetHeartbeatContext context) override;
  kj::Promise<void> events(EventsContext context) override;

 private:
  OrderDesk& desk_;
};

}  // namespace jh
