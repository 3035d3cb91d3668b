// One event loop's share of the front-end: a router with its own connections to the replicas, a
// postcode service over the shared book, an order desk with its batcher, and both doors, each
// accepting on this loop's socket of the shared ports. Loop 0 is the lead: its router's table and
// event feed are the front-end's status and timeline (FrontEndShared), and it logs what the
// routers see; with one loop, it is the whole front-end.
#pragma once

#include <string>

#include <kj/async-io.h>

#include "frontend/front-end-shared.h"
#include "frontend/http-door.h"
#include "frontend/order-desk.h"
#include "frontend/postcodes/postcode-service.h"
#include "frontend/replica-router.h"
#include "frontend/shared-port.h"
#include "schema/config/cluster-config.h"
#include "schema/rpc/rpc-server.h"

namespace jh {

class ServingLoop {
 public:
  // On the calling thread, whose event loop is `io`: takes socket `index` of `rpcPort` and of
  // `httpPort` (null: no HTTP door).
  ServingLoop(kj::AsyncIoContext& io, const ClusterConfig& config, const std::string& name,
              const std::string& secret, FrontEndShared& shared, size_t index, SharedPort& rpcPort,
              SharedPort* httpPort);
  ~ServingLoop();

  // Resolves once the router's first round of health answers is in (see ReplicaRouter::start()).
  kj::Promise<void> start();
  // Serves both doors until `stop` resolves; then accepts nothing more and resolves once the calls
  // under way are answered (at most twice the call timeout) and the HTTP connections closed.
  kj::Promise<void> serve(kj::Promise<void> stop);

  const ReplicaRouter& router() const { return router_; }
  bool hasPage() const { return door_.get() != nullptr && door_->hasPage(); }

 private:
  const ClusterConfig& config_;
  kj::Timer& timer_;
  kj::Own<kj::ConnectionReceiver> rpcListener_;
  kj::Own<kj::ConnectionReceiver> httpListener_;
  ReplicaRouter router_;
  PostcodeService postcodes_;
  OrderDesk desk_;
  RpcServer server_;
  kj::Own<HttpDoor> door_;
};

}  // namespace jh
