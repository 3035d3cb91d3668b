// One RPC on a thread of its own: connect, call, convert to plain structs, disconnect.
#include "tests/support/harness/rpc-probe.h"

#include <kj/async-io.h>

#include <thread>

#include "schema/just-hungry.capnp.h"
#include "schema/rpc/rpc-link.h"

namespace jh::test {

namespace {

// Runs `call(link)` on a new thread with its own event loop, bounded by `timeout`; any failure
// (refused, timed out, remote error) gives nullopt.
template <typename T, typename Call>
std::optional<T> callOnOwnLoop(const std::string& address, std::chrono::milliseconds timeout,
                               Call call, kj::Maybe<RpcLink::Opener> opener = nullptr) {
  std::optional<T> result;
  std::thread worker([&]() {
    try {
      auto io = kj::setupAsyncIo();
      auto& timer = io.provider->getTimer();
      auto ms = static_cast<uint32_t>(timeout.count());
      RpcLink link(io.provider->getNetwork(), timer, address, ms, kj::mv(opener));
      result = timer.timeoutAfter(ms * kj::MILLISECONDS, call(link)).wait(io.waitScope);
    } catch (...) { result.reset(); }
  });
  worker.join();
  return result;
}

std::string stateName(rpc::ReplicaState s) {
  switch (s) {
    case rpc::ReplicaState::READY: return "READY";
    case rpc::ReplicaState::DEGRADED: return "DEGRADED";
    case rpc::ReplicaState::STOPPING: return "STOPPING";
    case rpc::ReplicaState::SYNCING: return "SYNCING";
  }
  return "SYNCING";
}

}  // namespace

std::optional<ReplicaProbe> probeReplica(const std::string& address,
                                         std::chrono::milliseconds timeout,
                                         const std::string& secret) {
  return callOnOwnLoop<ReplicaProbe>(
      address, timeout,
      [](RpcLink& link) {
        return link.get<rpc::Replica>()
            .then([](rpc::Replica::Client replica) { return replica.healthRequest().send(); })
            .then([](capnp::Response<rpc::Replica::HealthResults> response) {
              auto h = response.getHealth();
              ReplicaProbe p;
              p.name = h.getName();
              p.state = stateName(h.getState());
              for (auto e : h.getVector()) {
                auto digests = e.getDigests();
                for (unsigned i = 0; i < e.getSeqs().size(); ++i) {
                  p.vector.emplace_back(e.getOrigin(), e.getIncarnations()[i], e.getSeqs()[i],
                                        i < digests.size() ? digests[i] : 0);
                }
              }
              p.rowCount = h.getRowCount();
              p.orderCount = h.getOrderCount();
              p.incarnation = h.getIncarnation();
              p.promoted = h.getPromoted();
              p.holdsHistory = h.getHoldsHistory();
              p.contentDigest = h.getContentDigest();
              p.pid = h.getPid();
              return p;
            });
      },
      replicaOpener(secret));
}

std::optional<FrontendProbe> probeFrontend(const std::string& address,
                                           std::chrono::milliseconds timeout) {
  return callOnOwnLoop<FrontendProbe>(address, timeout, [](RpcLink& link) {
    return link.get<rpc::FrontEnd>()
        .then([](rpc::FrontEnd::Client frontend) { return frontend.statusRequest().send(); })
        .then([](capnp::Response<rpc::FrontEnd::StatusResults> response) {
          auto s = response.getStatus();
          FrontendProbe p;
          p.frontend = s.getFrontend();
          p.primary = s.getPrimary();
          for (auto r : s.getReplicas()) {
            FrontendProbe::Replica out;
            out.name = r.getName();
            out.address = r.getAddress();
            out.state = r.getState();
            out.role = r.getRole();
            out.lag = r.getLag();
            out.orderCount = r.getOrderCount();
            out.rowCount = r.getRowCount();
            out.contentDiffers = r.getContentDiffers();
            out.diverged = r.getDiverged();
            p.replicas.push_back(std::move(out));
          }
          return p;
        });
  });
}

}  // namespace jh::test
