// The front-end's view of the replicas: a health table kept by heartbeats, and routing of each
// call to the primary (the first READY replica in priority order) with failover to the next on a
// broken connection or a missed deadline. When a higher-priority replica is READY again, new
// calls are held until it holds everything the current primary acknowledged, then routed to it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <kj/async-io.h>
#include <kj/function.h>

#include "schema/cluster-config.h"
#include "schema/just-hungry.capnp.h"
#include "schema/replica-row.h"
#include "schema/rpc-link.h"
#include "schema/version-vector.h"

namespace jh {

class ReplicaRouter {
 public:
  // `secret` is presented to the replicas' gates.
  ReplicaRouter(const ClusterConfig& config, kj::Network& network, kj::Timer& timer,
                const std::string& secret);
  ~ReplicaRouter();

  // Starts the heartbeats; resolves once every replica has answered or missed its first one.
  kj::Promise<void> start();

  void setHeartbeat(uint32_t ms);
  uint32_t heartbeatMs() const { return heartbeatMs_; }

  // One try of a call on one replica: resolves true when the replica served it, false when it
  // refused to (NOT_READY: it is catching up or cannot write) so the next should be tried.
  using Attempt = kj::Function<kj::Promise<bool>(rpc::Replica::Client)>;

  // Runs `attempt` on the primary, and on the next READY replica in priority order whenever a
  // replica refuses, cannot be reached or misses the deadline (call_timeout_ms). Resolves false
  // when no replica served it. Other failures (FAILED) propagate.
  kj::Promise<bool> route(Attempt attempt);

  std::vector<ReplicaRow> table() const;
  std::string primaryName() const;

 private:
  struct Replica;
  kj::Promise<bool> tryNext(Attempt& attempt, uint64_t tried);
  kj::Promise<void> heartbeatLoop(Replica& r);
  kj::Promise<void> probe(Replica& r);
  void markDown(Replica& r, const kj::Exception& e);
  void reconsiderPrimary();
  kj::Promise<void> handOver(size_t from, size_t to, kj::TimePoint deadline);
  int choose(uint64_t tried) const;

  const ClusterConfig& config_;
  kj::Timer& timer_;
  uint32_t heartbeatMs_;
  std::vector<kj::Own<Replica>> replicas_;
  int primary_ = -1;
  kj::Maybe<kj::ForkedPromise<void>> handover_;
  kj::Own<kj::TaskSet> tasks_;
};

}  // namespace jh
