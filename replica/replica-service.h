// The Replica interface over Cap'n Proto: decodes calls, hands them to the ReplicaNode, encodes
// the outcome.
#pragma once

#include "replica/replica-node.h"
#include "schema/just-hungry.capnp.h"

namespace jh {

class ReplicaService final : public rpc::Replica::Server {
 public:
  explicit ReplicaService(ReplicaNode& node) : node_(node) {}

  kj::Promise<void> getMotd(GetMotdContext context) override;
  kj::Promise<void> getMenu(GetMenuContext context) override;
  kj::Promise<void> getOrders(GetOrdersContext context) override;
  kj::Promise<void> placeOrder(PlaceOrderContext context) override;
  kj::Promise<void> health(HealthContext context) override;
  kj::Promise<void> replicate(ReplicateContext context) override;
  kj::Promise<void> pull(PullContext context) override;
  kj::Promise<void> placeOrders(PlaceOrdersContext context) override;
  kj::Promise<void> promote(PromoteContext context) override;

 private:
  ReplicaNode& node_;
};

}  // namespace jh
