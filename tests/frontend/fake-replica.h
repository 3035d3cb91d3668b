// Replicas that a test steers, served on loopback ports on the test's own event loop: each
// answers health with the state and vector the test sets, can refuse, hold or grant a promotion,
// serves or refuses client calls, or plays dead (every call fails DISCONNECTED). It keeps the
// orders it is given, answering a repeat of (user_code, order_id) with the stored order or a
// conflict as a replica does, and serves a small menu. For in-process tests of the front-end's
// router, batcher, desk and doors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <kj/async-io.h>

#include "schema/config/cluster-config.h"
#include "schema/just-hungry.capnp.h"
#include "schema/orders/order.h"
#include "schema/rpc/rpc-server.h"
#include "schema/orders/version-vector.h"

namespace jh::test {

struct FakeReplicaState {
  std::string name;
  rpc::ReplicaState state = rpc::ReplicaState::READY;
  bool dead = false;  // every call fails DISCONNECTED, as a killed replica's would
  VersionVector vector;
  IncarnationDigests digests;

  enum class Promotion { GRANT, REFUSE, HOLD };
  Promotion promotion = Promotion::GRANT;
  std::vector<std::vector<std::string>> promotions;   // the skip list of each promote call
  kj::Own<kj::PromiseFulfiller<void>> heldPromotion;  // HOLD: fulfil to grant

  bool refuseCalls = false;  // client calls answered NOT_READY
  bool holdCalls = false;    // client calls wait for releaseCalls()
  std::vector<kj::Own<kj::PromiseFulfiller<void>>> heldCalls;
  uint64_t served = 0;  // client calls served
  uint64_t placeOrdersCalls = 0;
  std::vector<size_t> batchSizes;   // orders per placeOrders call
  std::vector<OrderRecord> orders;  // stored, in the order placed (origin and seq set here)
  uint64_t menuCalls = 0;           // getMenu calls served

  void releaseCalls() {
    holdCalls = false;
    for (auto& f : heldCalls) f->fulfill();
    heldCalls.clear();
  }
};

class FakeReplicas {
 public:
  // Three (or `n`) fake replicas r1, r2, r3 listening on free loopback ports of `io`'s network.
  FakeReplicas(kj::AsyncIoContext& io, size_t n = 3);
  ~FakeReplicas();

  FakeReplicaState& operator[](size_t i) { return *states_[i]; }
  // A cluster naming them, with short timers.
  ClusterConfig config(uint32_t callTimeoutMs = 300, uint32_t heartbeatMs = 20) const;

 private:
  struct Served;
  std::vector<std::shared_ptr<FakeReplicaState>> states_;
  std::vector<std::string> addresses_;
  std::vector<kj::Own<Served>> served_;
};

// Runs the loop until `done()` or `bound` has passed (checking every 2 ms); whether it became true.
bool runUntil(kj::AsyncIoContext& io, kj::Function<bool()> done,
              kj::Duration bound = 3 * kj::SECONDS);

}  // namespace jh::test
