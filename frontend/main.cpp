// jh-frontend: the front-end server. Parses the command line, builds the router, the postcode
// service and the FrontEnd service, and serves until SIGTERM or SIGINT.
#include <iostream>
#include <optional>
#include <string>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/async-unix.h>

#include "frontend/frontend-service.h"
#include "frontend/http-door.h"
#include "frontend/order-desk.h"
#include "frontend/postcodes/postcode-service.h"
#include "frontend/replica-router.h"
#include "schema/config/cluster-config.h"
#include "schema/config/cluster-secret.h"
#include "schema/runtime/daemon.h"
#include "schema/runtime/log.h"
#include "schema/rpc/rpc-server.h"

namespace {

constexpr const char* USAGE =
    "usage: jh-frontend [--cluster FILE] [--name NAME] [--log-level debug|info|warn|error]\n";

}  // namespace

int main(int argc, char** argv) {
  auto args = jh::parseDaemonArgs(argc, argv);
  if (!args) {
    std::cerr << USAGE;
    return 2;
  }
  jh::captureStopSignals();
  return jh::runDaemon([&]() -> int {
    jh::ClusterConfig config = jh::loadClusterConfig(jh::chooseClusterPath(args->cluster, argv[0]));
    if (config.frontends.empty()) {
      std::cerr << config.path << ": frontends: no front-end is listed\n";
      return 2;
    }
    std::string name = args->name.empty() ? config.frontends[0].name : args->name;
    const jh::NodeConfig* self = config.findFrontend(name);
    if (!self) {
      std::cerr << config.path << ": frontends: no front-end named '" << name << "'\n";
      return 2;
    }
    if (!jh::logInit(name, args->logLevel)) {
      std::cerr << "unknown log level\n" << USAGE;
      return 2;
    }
    jh::raiseDescriptorLimit();

    auto io = kj::setupAsyncIo();
    kj::Timer& timer = io.provider->getTimer();
    std::string secret = jh::loadClusterSecret(config);
    jh::ReplicaRouter router(config, name, io.provider->getNetwork(), timer, secret);
    jh::PostcodeService postcodes(config.postcodes, timer);

    auto listener = jh::listenOn(io.provider->getNetwork(), self->address, io.waitScope);
    router.start().wait(io.waitScope);
    jh::OrderDesk desk(config, name, router, postcodes, timer);
    jh::RpcServer server(kj::heap<jh::FrontEndService>(desk), timer, jh::FRONTEND_MAX_MESSAGE_BYTES);
    auto serving = server.listen(*listener);
    std::string promoting;
    for (auto& row : router.table()) {
      if (row.state == "PROMOTING") promoting = row.name;
    }
    if (!router.primaryName().empty()) {
      JH_INFO("listening on {} for clients; the primary is {}", self->address, router.primaryName());
    } else if (!promoting.empty()) {
      JH_INFO("listening on {} for clients; {} becomes the primary once it has synced with its peers",
              self->address, promoting);
    } else {
      JH_INFO("listening on {} for clients; no replica is ready to be the primary yet", self->address);
    }

    // The HTTP door, when the cluster file gives this front-end an http address.
    kj::Own<jh::HttpDoor> door;
    kj::Own<kj::ConnectionReceiver> httpListener;
    kj::Promise<void> httpServing = kj::NEVER_DONE;
    if (!self->http.empty()) {
      httpListener = jh::listenOn(io.provider->getNetwork(), self->http, io.waitScope);
      door = kj::heap<jh::HttpDoor>(desk, config.http, timer);
      httpServing = door->listen(*httpListener);
      JH_INFO("serving the web page and the HTTP API on http://{}/{}", self->http,
              door->hasPage() ? "" : " (no page: the API alone)");
    }

    serving.exclusiveJoin(kj::mv(httpServing)).exclusiveJoin(jh::stopSignal(io.unixEventPort)).wait(io.waitScope);
    JH_INFO("asked to stop: no new connections, finishing the calls under way (at most {} ms)",
            2 * config.callTimeoutMs);
    kj::Duration bound = kj::Duration(config.callTimeoutMs * kj::MILLISECONDS) * 2;
    kj::Promise<void> drained = desk.drain(bound);
    if (door.get() != nullptr) {
      // No new request on a kept-alive connection either; each closes once its answer is out.
      auto both = kj::heapArrayBuilder<kj::Promise<void>>(2);
      both.add(door->drain());
      both.add(kj::mv(drained));
      drained = kj::joinPromises(both.finish()).exclusiveJoin(timer.afterDelay(bound));
    }
    drained.wait(io.waitScope);
    JH_INFO("stopped cleanly");
    return 0;
  });
}
