// The replica daemon's state on its main thread: resources, the order file and store, its
// incarnation, the SYNCING/READY state and promotion, idempotent placement, ingestion of
// replicated rows, and acknowledgement waits for min_acks. The RPC service (replica-service.h)
// and the replication thread (replicator.h) both act through it.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <kj/async-io.h>
#include <kj/async.h>
#include <kj/timer.h>

#include "replica/order-file.h"
#include "replica/order-store.h"
#include "replica/resources.h"
#include "replica/wake-signal.h"
#include "schema/answers/rejection.h"
#include "schema/config/cluster-config.h"
#include "schema/orders/order.h"
#include "schema/orders/version-vector.h"

namespace jh {

using PlaceOutcome = Reply<OrderRecord>;

struct PeerView {
  bool reachable = false;
  // The most the peer ever reported holding (a peer that lost its disk reports less, but what it
  // acknowledged holding was acknowledged).
  VersionVector vector;
};

// What one sync with a peer achieved: this replica now holds every row the peer held when it
// answered.
struct PeerSynced {
  explicit PeerSynced(std::string name = {}) : peer(std::move(name)) {}
  std::string peer;
  bool holdsHistory = false;  // the peer vouches for its own earlier lives
  uint64_t fetched = 0;       // rows pulled
  VersionVector vector;       // the peer's, as of its last answer
};

// The replication thread's side of a sync, as the node asks for it (see Replicator).
class PeerSyncer {
 public:
  virtual ~PeerSyncer() noexcept(false) = default;
  // Pulls from `peer` everything this replica lacks; resolves on the caller's loop once what it
  // pulled is durable here. Fails when the peer cannot be reached or misses `timeout`.
  virtual kj::Promise<PeerSynced> syncWith(const std::string& peer, kj::Duration timeout) = 0;
  // `peer` called this replica, so it is back: a push to it that is backing off is tried again
  // now. Any name may come; one that is not a peer is ignored. Callable from any thread.
  virtual void heardFrom(const std::string& peer) = 0;
};

struct Promoted {
  std::vector<std::string> syncedWith;
  uint64_t fetched = 0;
};
using PromoteOutcome = Reply<Promoted>;

class ReplicaNode {
 public:
  // On the thread of the event loop of `io`, which serves it.
  ReplicaNode(const ClusterConfig& config, size_t selfIndex, kj::LowLevelAsyncIoProvider& io);

  const std::string& name() const { return name_; }
  uint64_t incarnation() const { return incarnation_; }
  const ClusterConfig& config() const { return config_; }
  const Resources& resources() const { return resources_; }
  OrderStore& store() { return store_; }
  // Signalled whenever rows placed here are staged (what the push loops send at once); the
  // replication thread listens.
  WakeSignal& ownOrders() { return ownOrders_; }
  bool ready() const { return ready_; }
  bool promoted() const { return promoted_; }
  bool stopping() const { return stopping_; }
  // Whether orders.csv holds this replica's whole history (OrderFile::holdsHistory).
  bool holdsHistory() const { return file_.holdsHistory(); }
  // orders.csv could not be written: no orders are taken until a disk probe succeeds.
  bool degraded() const { return writesBroken_; }
  uint64_t fetched() const { return fetched_; }
  // A copy of what the replication thread last reported of each peer (any thread).
  std::map<std::string, PeerView> peers() const;

  // Where promote() asks for syncs (and records them with onSynced); set once the replication
  // thread runs.
  void setSyncer(PeerSyncer& syncer) { syncer_ = &syncer; }

  // Stores a new order from the front-end (origin, incarnation and seq are assigned here) and
  // resolves once it is durable here and on `minAcks` backups; repeats of a (user_code,
  // order_id) resolve to the stored copy. Refusals are data; only a logic error throws.
  kj::Promise<PlaceOutcome> placeOrder(OrderRecord order, uint32_t minAcks);

  // placeOrder for each of `orders`, the new ones sharing one write; outcome i answers order i.
  kj::Promise<std::vector<PlaceOutcome>> placeOrders(std::vector<OrderRecord> orders,
                                                     uint32_t minAcks);

  // A front-end makes this replica its primary (DESIGN.md §4): resolves once it has synced with
  // enough peers to hold every order acknowledged with `minAcks` (peers in `skip` are not waited
  // for), or refuses. From then on it serves client calls.
  kj::Promise<PromoteOutcome> promote(const std::string& frontend, uint32_t minAcks,
                                      std::set<std::string> skip);

  // Why this replica serves no client calls now, or nullopt when it does.
  std::optional<Rejection> notServing() const;

  // How reads show a held row: PENDING while fewer than `minAcks` peers hold it.
  bool pending(const StoredOrder& row, uint32_t minAcks) const;

  // Applies rows pushed or pulled from a peer under the gap rule (apply only seq == held + 1,
  // skip lower, stop at a gap) and resolves, once everything accepted so far is durable, to the
  // vector held here.
  kj::Promise<VersionVector> ingest(std::vector<OrderRecord> rows);

  // From the replication thread (safe from any thread): what a peer holds, or that it cannot be
  // reached. Wakes the main thread only while orders wait for acknowledgements, so that with
  // min_acks 0 the replies of backups cost the main thread nothing.
  void onPeerProgress(const std::string& peer, bool reachable, const VersionVector& vector);

  // Main thread: a sync with a peer completed (catch-up, promotion or later), recorded by whoever
  // asked for it. Once every peer has been synced with since start, orders.csv holds this
  // replica's history again.
  void onSynced(const PeerSynced& synced);

  // A replica named `peer` called this one (a push or a pull): see PeerSyncer::heardFrom.
  void onCalledBy(const std::string& peer) {
    if (syncer_ != nullptr) syncer_->heardFrom(peer);
  }

  // From the replication thread: catch-up is over.
  void setReady();

  // On SIGTERM: new orders are refused (NOT_READY, so the front-end moves on at once); resolves
  // once the orders already on their way are durable and answered, or after `bound`.
  kj::Promise<void> drain(kj::Duration bound);

 private:
  struct AckWaiter {
    OriginIncarnation source;
    uint64_t seq;
    uint32_t needed;
    kj::Own<kj::PromiseFulfiller<void>> fulfiller;
  };
  struct Promotion;
  struct Placing;

  // Whose rows persist() writes. Own rows are staged for the replication thread, which sends
  // them while this replica's sync runs; the thread woken first is the one on the longer path of
  // the order: the writer, or the replication thread when the order waits for backups' acks (the
  // backups' round trip takes longer than the sync here).
  enum class Rows { REPLICATED, OWN, OWN_AWAITING_ACKS };
  // Appends rows (already counted in accepted_) and applies them to the store once durable,
  // strictly in the order persist() was called. The rows are shared with the caller, which may
  // move them out once the returned promise resolves (they are applied then).
  kj::Promise<void> persist(std::shared_ptr<const std::vector<OrderRecord>> rows, Rows whose);
  std::optional<Rejection> check(const OrderRecord& order, uint32_t minAcks) const;
  std::optional<Rejection> notReadyToPromote() const;
  kj::Promise<PlaceOutcome> answerRepeat(const OrderRecord& request, uint32_t minAcks);
  kj::Promise<PlaceOutcome> afterAcks(OrderRecord stored, uint32_t minAcks);
  // Resolves true once `minAcks` peers hold `seq` of `source`, false when that takes too long.
  kj::Promise<bool> acked(const OriginIncarnation& source, uint64_t seq, uint32_t minAcks);
  static Rejection unconfirmed(uint32_t minAcks);
  uint32_t ackCount(std::string_view origin, uint64_t incarnation, uint64_t seq) const;
  kj::Promise<void> watchAcks(uint64_t seen);
  void settleAckWaiters();
  void onWriteFailure();
  kj::Promise<void> probeDisk();
  uint64_t newIncarnation() const;
  void keepHistoryOnceSynced();
  static std::string placingKey(const OrderRecord& order);

  const ClusterConfig& config_;
  std::string name_;
  kj::Timer& timer_;
  Resources resources_;
  OrderStore store_;  // before file_, which fills it while loading
  OrderFile file_;
  uint64_t incarnation_ = 0;
  VersionVector accepted_;  // durable, plus rows queued for the file
  bool ready_ = false;
  bool promoted_ = false;
  bool stopping_ = false;
  bool writesBroken_ = false;  // a write failed: refuse new writes until a disk probe succeeds
  bool probing_ = false;
  size_t writesInFlight_ = 0;
  uint64_t fetched_ = 0;
  std::set<std::string> syncedSinceStart_;
  PeerSyncer* syncer_ = nullptr;
  kj::ForkedPromise<void> tail_;  // the latest persist(), to keep application in order
  // New orders on their way to disk, by placingKey(), to the placeOrders call that writes them
  // (its write in writing_): a repeat waits for the first attempt.
  std::unordered_map<std::string, uint64_t> placing_;
  std::unordered_map<uint64_t, kj::ForkedPromise<void>> writing_;
  uint64_t batches_ = 0;
  mutable std::mutex peersMutex_;  // peers_ is written by the replication thread
  std::map<std::string, PeerView> peers_;
  std::atomic<bool> awaitingAcks_ = false;  // set before an ack wait reads peers_
  WakeSignal peerNews_;                     // peers_ changed while acks were awaited
  WakeSignal::Listener peerNewsHere_;       // (this loop's)
  std::list<AckWaiter> ackWaiters_;
  WakeSignal ownOrders_;
  kj::TaskSet tasks_;
};

}  // namespace jh
