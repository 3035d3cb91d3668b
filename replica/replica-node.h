// The replica daemon's state on its main thread: resources, the order file and store, the
// SYNCING/READY state, idempotent placement, ingestion of replicated rows, and acknowledgement
// waits for min_acks. The RPC service (replica-service.h) and the replication thread
// (replicator.h) both act through it.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <kj/async.h>
#include <kj/timer.h>

#include "replica/order-file.h"
#include "replica/order-store.h"
#include "replica/resources.h"
#include "replica/wake-signal.h"
#include "schema/cluster-config.h"
#include "schema/order.h"
#include "schema/version-vector.h"

namespace jh {

struct Refusal {
  rpc::RejectCode code;
  std::string message;
};

using PlaceOutcome = std::variant<OrderRecord, Refusal>;

struct PeerView {
  bool reachable = false;
  VersionVector vector;  // as of the peer's last reply
};

class ReplicaNode {
 public:
  ReplicaNode(const ClusterConfig& config, size_t selfIndex, kj::Timer& timer);

  const std::string& name() const { return name_; }
  const ClusterConfig& config() const { return config_; }
  const Resources& resources() const { return resources_; }
  OrderStore& store() { return store_; }
  // Signalled whenever rows placed here (what the push loops send at once) become durable.
  WakeSignal& ownOrders() { return ownOrders_; }
  bool ready() const { return ready_; }
  // orders.csv could not be written: no orders are taken until a disk probe succeeds.
  bool degraded() const { return writesBroken_; }
  // A copy of what the replication thread last reported of each peer (any thread).
  std::map<std::string, PeerView> peers() const;

  // Stores a new order from the front-end (origin and seq are assigned here) and resolves once
  // it is durable here and on `minAcks` backups; repeats of an order_id resolve to the stored
  // copy. Refusals are data; only a logic error throws.
  kj::Promise<PlaceOutcome> placeOrder(OrderRecord order, uint32_t minAcks);

  // placeOrder for each of `orders`, the new ones sharing one write; outcome i answers order i.
  kj::Promise<std::vector<PlaceOutcome>> placeOrders(std::vector<OrderRecord> orders, uint32_t minAcks);

  // Applies rows pushed or pulled from a peer under the gap rule (apply only seq == held + 1,
  // skip lower, stop at a gap) and resolves, once everything accepted so far is durable, to the
  // vector held here.
  kj::Promise<VersionVector> ingest(std::vector<OrderRecord> rows);

  // From the replication thread (safe from any thread): what a peer holds, or that it cannot be
  // reached. Wakes the main thread only while orders wait for acknowledgements, so that with
  // min_acks 0 the replies of backups cost the main thread nothing.
  void onPeerProgress(const std::string& peer, bool reachable, const VersionVector& vector);

  // From the replication thread: catch-up is over.
  void setReady();

  // On SIGTERM: new orders are refused (NOT_READY, so the front-end moves on at once); resolves
  // once the orders already on their way are durable and answered, or after `bound`.
  kj::Promise<void> drain(kj::Duration bound);

 private:
  struct AckWaiter {
    std::string origin;
    uint64_t seq;
    uint32_t needed;
    kj::Own<kj::PromiseFulfiller<void>> fulfiller;
  };

  // Appends rows (already counted in accepted_) and applies them to the store once durable,
  // strictly in the order persist() was called.
  kj::Promise<void> persist(std::vector<OrderRecord> rows);
  std::optional<Refusal> check(const OrderRecord& order, uint32_t minAcks) const;
  kj::Promise<PlaceOutcome> answerRepeat(const OrderRecord& request, uint32_t minAcks);
  kj::Promise<PlaceOutcome> afterAcks(OrderRecord stored, uint32_t minAcks);
  uint32_t ackCount(const std::string& origin, uint64_t seq) const;
  kj::Promise<void> watchAcks(uint64_t seen);
  void settleAckWaiters();
  void onWriteFailure();
  kj::Promise<void> probeDisk();

  const ClusterConfig& config_;
  std::string name_;
  kj::Timer& timer_;
  Resources resources_;
  OrderStore store_;  // before file_, which fills it while loading
  OrderFile file_;
  VersionVector accepted_;  // durable, plus rows queued for the file
  bool ready_ = false;
  bool stopping_ = false;
  bool writesBroken_ = false;  // a write failed: refuse new writes until a disk probe succeeds
  bool probing_ = false;
  size_t writesInFlight_ = 0;
  kj::ForkedPromise<void> tail_;  // the latest persist(), to keep application in order
  std::unordered_map<std::string, kj::ForkedPromise<void>> placing_;  // durable, by order_id
  mutable std::mutex peersMutex_;           // peers_ is written by the replication thread
  std::map<std::string, PeerView> peers_;
  std::atomic<bool> awaitingAcks_ = false;  // set before an ack wait reads peers_
  WakeSignal peerNews_;                     // peers_ changed while acks were awaited
  std::list<AckWaiter> ackWaiters_;
  WakeSignal ownOrders_;
  kj::TaskSet tasks_;
};

}  // namespace jh
