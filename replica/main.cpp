// jh-replica: one replica server. Parses the command line, builds the node, its RPC service and
// replication thread, and runs the event loop until SIGTERM or SIGINT.
#include <iostream>
#include <optional>
#include <string>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/async-unix.h>

#include "replica/replica-gate.h"
#include "replica/replica-node.h"
#include "replica/replica-service.h"
#include "replica/replicator.h"
#include "schema/config/cluster-config.h"
#include "schema/config/cluster-secret.h"
#include "schema/runtime/daemon.h"
#include "schema/runtime/failure-words.h"
#include "schema/runtime/log.h"
#include "schema/rpc/rpc-server.h"

namespace {

constexpr const char* USAGE =
    "usage: jh-replica [--cluster FILE] --name NAME [--log-level debug|info|warn|error]\n";

}  // namespace

int main(int argc, char** argv) {
  auto args = jh::parseDaemonArgs(argc, argv);
  if (!args || args->name.empty()) {
    std::cerr << USAGE;
    return 2;
  }
  if (!jh::logInit(args->name, args->logLevel)) {
    std::cerr << "unknown log level\n" << USAGE;
    return 2;
  }
  jh::raiseDescriptorLimit();
  jh::captureStopSignals();

  return jh::runDaemon([&]() -> int {
    jh::ClusterConfig config = jh::loadClusterConfig(jh::chooseClusterPath(args->cluster, argv[0]));
    auto index = config.replicaIndex(args->name);
    if (!index) {
      std::cerr << config.path << ": replicas: no replica named '" << args->name << "'\n";
      return 2;
    }
    std::string secret = jh::loadClusterSecret(config);
    if (secret.empty()) {
      JH_WARN(
          "the cluster file {} names no secret_file: anyone who can reach this port can call the "
          "replica",
          config.path);
    }
    auto io = kj::setupAsyncIo();
    jh::ReplicaNode node(config, *index, *io.lowLevelProvider);

    const std::string& address = config.replicas[*index].address;
    auto listener = jh::listenOn(io.provider->getNetwork(), address, io.waitScope);
    jh::rpc::Replica::Client replica = kj::heap<jh::ReplicaService>(node);
    jh::RpcServer server(kj::heap<jh::ReplicaGate>(secret, kj::mv(replica)),
                         io.provider->getTimer(), jh::REPLICA_MAX_MESSAGE_BYTES);
    auto serving = server.listen(*listener);
    JH_INFO("listening on {}; SYNCING: catching up from its peers before it takes orders", address);

    jh::Replicator replicator(node, kj::getCurrentThreadExecutor(), secret);
    replicator.start();

    try {
      serving.exclusiveJoin(jh::stopSignal(io.unixEventPort)).wait(io.waitScope);
    } catch (const kj::Exception& e) {
      // The replication thread may be waiting on this one: no orderly way out. Crash, as a
      // kill -9 would; what was acknowledged is on disk and is recovered at the next start.
      JH_ERROR("stopping at once after a failure ({}); what was acknowledged is on disk",
               jh::failureReason(e));
      std::_Exit(1);
    }
    JH_INFO("asked to stop: refusing new orders, finishing those under way (at most 2 s)");
    node.drain(2 * kj::SECONDS).wait(io.waitScope);
    replicator.stop().wait(io.waitScope);
    JH_INFO("stopped cleanly");
    return 0;
  });
}
