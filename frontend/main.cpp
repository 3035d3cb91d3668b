// jh-frontend: the front-end server. Parses the command line, binds its ports, runs one serving
// loop on this thread and the others on threads of their own (docs/threads.md), and serves until
// SIGTERM or SIGINT.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <kj/async-io.h>
#include <kj/async-unix.h>
#include <kj/debug.h>

#include "frontend/front-end-shared.h"
#include "frontend/loop-threads.h"
#include "frontend/serving-loop.h"
#include "frontend/shared-port.h"
#include "schema/config/cluster-config.h"
#include "schema/config/cluster-secret.h"
#include "schema/runtime/daemon.h"
#include "schema/runtime/log.h"

namespace {

constexpr const char* USAGE =
    "usage: jh-frontend [--cluster FILE] [--name NAME] [--threads N] [--log-level "
    "debug|info|warn|error]\n";

// Takes `--threads N` out of the arguments, leaving the daemons' common ones; nullopt when absent.
// False when --threads has no value.
bool takeThreadsFlag(std::vector<char*>& args, std::optional<std::string>& threads) {
  for (size_t i = 1; i < args.size(); ++i) {
    if (std::string(args[i]) != "--threads") continue;
    if (i + 1 >= args.size()) return false;
    threads = args[i + 1];
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i),
               args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    return true;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest(argv, argv + argc);
  std::optional<std::string> threadsFlag;
  bool flagOk = takeThreadsFlag(rest, threadsFlag);
  auto args = jh::parseDaemonArgs(static_cast<int>(rest.size()), rest.data());
  if (!args || !flagOk) {
    std::cerr << USAGE;
    return 2;
  }
  // Before any thread starts: the loops' threads inherit the blocked stop signals, and only this
  // thread's event loop waits for them.
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
    size_t loops = 0;
    try {
      loops = jh::chooseLoopCount(threadsFlag, *self);
    } catch (const jh::ConfigError& e) {
      std::cerr << e.what() << "\n" << USAGE;
      return 2;
    }
    jh::raiseDescriptorLimit();

    auto io = kj::setupAsyncIo();
    std::string secret = jh::loadClusterSecret(config);
    jh::FrontEndShared shared(config);
    jh::SharedPort rpcPort(self->address, loops);
    kj::Own<jh::SharedPort> httpPort;
    if (!self->http.empty()) httpPort = kj::heap<jh::SharedPort>(self->http, loops);

    if (loops > 1) jh::logThreadTag("loop 1");
    jh::ServingLoop lead(io, config, name, secret, shared, 0, rpcPort, httpPort.get());
    jh::LoopThreads others(
        loops, [&](size_t index, kj::AsyncIoContext& own, kj::Promise<void> stop) {
          jh::ServingLoop loop(own, config, name, secret, shared, index, rpcPort, httpPort.get());
          loop.start().wait(own.waitScope);
          loop.serve(kj::mv(stop)).wait(own.waitScope);
        });
    auto failed = others.failed().fork();
    lead.start().exclusiveJoin(failed.addBranch()).wait(io.waitScope);

    std::string threads = loops == 1 ? "one thread" : fmt::format("{} threads", loops);
    std::string promoting;
    for (auto& row : lead.router().table()) {
      if (row.state == "PROMOTING") promoting = row.name;
    }
    if (!lead.router().primaryName().empty()) {
      JH_INFO("listening on {} for clients ({}); the primary is {}", self->address, threads,
              lead.router().primaryName());
    } else if (!promoting.empty()) {
      JH_INFO(
          "listening on {} for clients ({}); {} becomes the primary once it has synced with its "
          "peers",
          self->address, threads, promoting);
    } else {
      JH_INFO("listening on {} for clients ({}); no replica is ready to be the primary yet",
              self->address, threads);
    }
    if (httpPort.get() != nullptr) {
      JH_INFO("serving the web page and the HTTP API on http://{}/{}", self->http,
              lead.hasPage() ? "" : " (no page: the API alone)");
    }

    bool loopFailed = false;
    auto stopped =
        jh::stopSignal(io.unixEventPort)
            .exclusiveJoin(failed.addBranch().catch_([&](kj::Exception&&) { loopFailed = true; }));
    auto asked = stopped
                     .then([&]() {
                       JH_INFO(
                           "asked to stop: no new connections, finishing the calls under way (at "
                           "most {} ms)",
                           2 * config.callTimeoutMs);
                     })
                     .fork();
    // The other loops stop with this one, and this loop keeps running until they have: they may
    // be waiting for an answer from it (status, events).
    auto othersDone = asked.addBranch().then([&]() { return others.stop(); });
    lead.serve(asked.addBranch()).wait(io.waitScope);
    othersDone.wait(io.waitScope);
    if (loopFailed) return 1;
    JH_INFO("stopped cleanly");
    return 0;
  });
}
