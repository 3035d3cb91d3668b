// The replica's main-thread logic: placement, ingestion, durability order and acknowledgements.
#include "replica/replica-node.h"

#include <fmt/format.h>
#include <kj/debug.h>

#include "schema/daemon.h"
#include "schema/log.h"
#include "schema/task-errors.h"

namespace jh {

namespace {

LogTaskFailures logTaskErrors{"background"};

Refusal refuse(rpc::RejectCode code, std::string message) { return Refusal{code, std::move(message)}; }

// Each order read from orders.csv at start goes straight into the store.
struct StoreLoader final : OrderFile::Loader {
  explicit StoreLoader(OrderStore& s) : store(s) {}
  void expect(size_t n) override { store.reserve(n); }
  void add(const OrderView& order) override { store.applyLoaded(order); }
  OrderStore& store;
};

}  // namespace

ReplicaNode::ReplicaNode(const ClusterConfig& config, size_t selfIndex, kj::Timer& timer)
    : config_(config),
      name_(config.replicas.at(selfIndex).name),
      timer_(timer),
      resources_(loadResources(config.replicas[selfIndex].dir)),
      file_(config.replicas[selfIndex].dir + "/orders.csv", StoreLoader(store_)),
      tail_(kj::Promise<void>(kj::READY_NOW).fork()),
      tasks_(logTaskErrors) {
  store_.finishLoading();
  accepted_ = store_.vector();
  for (auto& r : config.replicas) {
    if (r.name != name_) peers_[r.name] = PeerView{};
  }
  tasks_.add(watchAcks(peerNews_.generation()));
  JH_INFO("loaded {} orders from {} (vector {}); menu of {} items", store_.rows(), file_.path(),
          store_.vector().toString(), resources_.menu.size());
}

std::optional<Refusal> ReplicaNode::check(const OrderRecord& order, uint32_t minAcks) const {
  using C = rpc::RejectCode;
  if (stopping_) return refuse(C::NOT_READY, name_ + " is stopping.");
  if (!ready_) return refuse(C::NOT_READY, name_ + " is still catching up.");
  if (writesBroken_) return refuse(C::NOT_READY, name_ + " cannot write its orders file just now.");
  if (auto bad = checkUserCode(order.userCode)) return refuse(C::INVALID_USER_CODE, *bad);
  if (auto bad = checkOrderFields(order)) return refuse(C::INVALID_ORDER, *bad);
  if (!order.status.empty() && order.status != STATUS_CONFIRMED) {
    return refuse(C::INVALID_ORDER, "An order's status can only be CONFIRMED.");
  }
  if (minAcks >= config_.replicas.size()) {
    return refuse(C::INVALID_ORDER, "More acknowledgements were asked for than there are backups.");
  }
  return std::nullopt;
}

kj::Promise<PlaceOutcome> ReplicaNode::placeOrder(OrderRecord order, uint32_t minAcks) {
  std::vector<OrderRecord> one;
  one.push_back(std::move(order));
  return placeOrders(std::move(one), minAcks).then([](std::vector<PlaceOutcome> outcomes) {
    return std::move(outcomes[0]);
  });
}

kj::Promise<std::vector<PlaceOutcome>> ReplicaNode::placeOrders(std::vector<OrderRecord> orders,
                                                                 uint32_t minAcks) {
  // First pass: refusals, and the orders that are new (seq assigned here, in arrival order).
  // A repeat (of a stored order, one on its way to disk, or an earlier one of this batch) is
  // answered in the second pass, once this batch's new orders are registered as on their way.
  enum class Kind { REFUSED, NEW, REPEAT };
  std::vector<Kind> kinds(orders.size());
  std::vector<kj::Maybe<Refusal>> refusals(orders.size());
  std::vector<OrderRecord> fresh;
  std::vector<size_t> freshIndex;
  std::unordered_map<std::string_view, size_t> idsInBatch;
  for (size_t i = 0; i < orders.size(); ++i) {
    OrderRecord& order = orders[i];
    if (auto refusal = check(order, minAcks)) {
      kinds[i] = Kind::REFUSED;
      refusals[i] = std::move(*refusal);
    } else if (store_.find(order.orderId) || placing_.count(order.orderId) ||
               idsInBatch.count(order.orderId)) {
      kinds[i] = Kind::REPEAT;
    } else {
      kinds[i] = Kind::NEW;
      idsInBatch.emplace(order.orderId, i);
      order.origin = name_;
      order.seq = accepted_.get(name_) + 1;
      order.status = STATUS_CONFIRMED;
      accepted_.set(name_, order.seq);
      fresh.push_back(order);
      freshIndex.push_back(i);
    }
  }

  kj::Maybe<kj::ForkedPromise<void>> durable;
  if (!fresh.empty()) {
    auto written = persist(std::move(fresh)).fork();
    for (size_t i : freshIndex) {
      std::string id = orders[i].orderId;
      placing_.emplace(id, written.addBranch().fork());
      auto forget = [this, id]() { placing_.erase(id); };
      tasks_.add(written.addBranch().then(kj::cp(forget), [forget](kj::Exception&&) { forget(); }));
    }
    durable = kj::mv(written);
  }

  auto results = kj::heapArrayBuilder<kj::Promise<PlaceOutcome>>(orders.size());
  for (size_t i = 0; i < orders.size(); ++i) {
    switch (kinds[i]) {
      case Kind::REFUSED:
        results.add(PlaceOutcome{std::move(KJ_ASSERT_NONNULL(refusals[i]))});
        break;
      case Kind::REPEAT:
        results.add(answerRepeat(orders[i], minAcks));
        break;
      case Kind::NEW:
        results.add(KJ_ASSERT_NONNULL(durable).addBranch().then(
            [this, stored = std::move(orders[i]), minAcks]() mutable {
              return afterAcks(std::move(stored), minAcks);
            },
            [this](kj::Exception&&) -> kj::Promise<PlaceOutcome> {
              return PlaceOutcome{refuse(rpc::RejectCode::NOT_READY, name_ + " could not write the order to disk.")};
            }));
        break;
    }
  }
  return kj::joinPromises(results.finish()).then([](kj::Array<PlaceOutcome> all) {
    std::vector<PlaceOutcome> out;
    out.reserve(all.size());
    for (auto& o : all) out.push_back(std::move(o));
    return out;
  });
}

kj::Promise<PlaceOutcome> ReplicaNode::answerRepeat(const OrderRecord& request, uint32_t minAcks) {
  if (const StoredOrder* stored = store_.find(request.orderId)) {
    if (!request.sameRequest(stored->view())) {
      return PlaceOutcome{refuse(rpc::RejectCode::CONFLICTING_ORDER_ID,
                                 fmt::format("Order id {} was already used for a different order.",
                                             request.orderId))};
    }
    return afterAcks(stored->record(), minAcks);
  }
  // The first attempt is still on its way to disk: answer as it will be answered.
  auto it = placing_.find(request.orderId);
  KJ_ASSERT(it != placing_.end());
  return it->second.addBranch().then(
      [this, request, minAcks]() { return answerRepeat(request, minAcks); },
      [this](kj::Exception&&) -> kj::Promise<PlaceOutcome> {
        return PlaceOutcome{refuse(rpc::RejectCode::NOT_READY, name_ + " could not write the order to disk.")};
      });
}

kj::Promise<PlaceOutcome> ReplicaNode::afterAcks(OrderRecord stored, uint32_t minAcks) {
  if (minAcks == 0) return PlaceOutcome{std::move(stored)};
  awaitingAcks_ = true;  // before reading peers_: progress reported after this read wakes us
  if (ackCount(stored.origin, stored.seq) >= minAcks) return PlaceOutcome{std::move(stored)};
  auto paf = kj::newPromiseAndFulfiller<void>();
  ackWaiters_.push_back(AckWaiter{stored.origin, stored.seq, minAcks, kj::mv(paf.fulfiller)});
  uint32_t waitMs = config_.callTimeoutMs * 3 / 4;
  return timer_.timeoutAfter(waitMs * kj::MILLISECONDS, kj::mv(paf.promise))
      .then([stored = std::move(stored)]() mutable { return PlaceOutcome{std::move(stored)}; },
            [this, minAcks](kj::Exception&&) {
              return PlaceOutcome{refuse(
                  rpc::RejectCode::UNAVAILABLE,
                  fmt::format("The order could not be copied to {} backup(s) in time, so it is not "
                              "confirmed; try again with the same order id.", minAcks))};
            });
}

uint32_t ReplicaNode::ackCount(const std::string& origin, uint64_t seq) const {
  std::lock_guard lock(peersMutex_);
  uint32_t count = 0;
  for (auto& [peer, view] : peers_) {
    if (view.vector.get(origin) >= seq) ++count;
  }
  return count;
}

kj::Promise<VersionVector> ReplicaNode::ingest(std::vector<OrderRecord> rows) {
  std::vector<OrderRecord> take;
  for (auto& row : rows) {
    auto bad = checkOrderFields(row);
    // (Any origin's rows travel: a replica since removed from the cluster file may have made them.)
    if (!bad && (row.origin.empty() || row.origin.size() > 64 || row.seq == 0 || row.status != STATUS_CONFIRMED)) {
      bad = "no origin, seq 0 or a status other than CONFIRMED";
    }
    if (bad) {  // never stored, whoever sent it; the sender is stuck here until someone looks
      JH_WARN("refused a replicated row {} ({}:{}): {}", row.orderId.substr(0, 64), row.origin.substr(0, 64),
              row.seq, *bad);
      break;
    }
    uint64_t held = accepted_.get(row.origin);
    if (row.seq <= held) continue;
    if (row.seq != held + 1) break;  // a gap: the sender resends from our vector
    if (writesBroken_) {  // nothing new can be stored; what is held can still be told
      return KJ_EXCEPTION(FAILED, "this replica cannot write its orders file just now", name_);
    }
    accepted_.set(row.origin, row.seq);
    take.push_back(std::move(row));
  }
  // With nothing new, wait only for what is already queued; how that ended does not matter, as a
  // failed write was taken back out of accepted_ and the store holds only what is durable.
  kj::Promise<void> done = take.empty()
      ? tail_.addBranch().then([]() {}, [](kj::Exception&&) {})
      : persist(std::move(take));
  return done.then([this]() { return store_.vector(); });
}

kj::Promise<void> ReplicaNode::persist(std::vector<OrderRecord> rows) {
  std::string bytes;
  for (auto& row : rows) appendOrderCsv(bytes, row);
  ++writesInFlight_;
  auto written = file_.append(std::move(bytes));
  auto chained =
      tail_.addBranch()
          .then([]() {}, [](kj::Exception&&) {})  // only the order matters, not how it ended
          .then([written = kj::mv(written)]() mutable { return kj::mv(written); })
          .then(
              [this, rows = std::move(rows)]() mutable {
                --writesInFlight_;
                bool own = false;
                for (auto& row : rows) {
                  own = own || row.origin == name_;
                  store_.apply(std::move(row));
                }
                if (own) ownOrders_.notify();
              },
              [this](kj::Exception&& e) {
                --writesInFlight_;
                onWriteFailure();
                kj::throwFatalException(kj::mv(e));
              });
  tail_ = chained.fork();
  return tail_.addBranch();
}

void ReplicaNode::onWriteFailure() {
  if (!writesBroken_) {
    JH_ERROR("state DEGRADED: orders.csv cannot be written; taking no orders, checking the disk "
             "every second");
  }
  writesBroken_ = true;
  if (writesInFlight_ > 0) return;  // every queued append fails too; recover after the last
  accepted_ = store_.vector();       // what failed was never acknowledged: forget it
  if (!probing_) {
    probing_ = true;
    tasks_.add(probeDisk());
  }
}

kj::Promise<void> ReplicaNode::probeDisk() {
  return timer_.afterDelay(1 * kj::SECONDS).then([this]() { return file_.probe(); }).then([this](bool ok) -> kj::Promise<void> {
    if (!ok) return probeDisk();
    probing_ = false;
    writesBroken_ = false;
    JH_INFO("state READY: orders.csv can be written again (vector {})", store_.vector().toString());
    return kj::READY_NOW;
  });
}

std::map<std::string, PeerView> ReplicaNode::peers() const {
  std::lock_guard lock(peersMutex_);
  return peers_;
}

void ReplicaNode::onPeerProgress(const std::string& peer, bool reachable, const VersionVector& vector) {
  {
    std::lock_guard lock(peersMutex_);
    auto it = peers_.find(peer);
    if (it == peers_.end()) return;
    if (it->second.reachable != reachable) {
      JH_INFO("peer {} is {}", peer, reachable ? "reachable" : "unreachable");
    }
    it->second.reachable = reachable;
    if (reachable) it->second.vector = vector;
  }
  if (awaitingAcks_) peerNews_.notify();
}

kj::Promise<void> ReplicaNode::watchAcks(uint64_t seen) {
  return peerNews_.waitAfter(seen).then([this]() {
    uint64_t now = peerNews_.generation();  // before reading peers_, so no report is missed
    settleAckWaiters();
    return watchAcks(now);
  });
}

void ReplicaNode::settleAckWaiters() {
  for (auto w = ackWaiters_.begin(); w != ackWaiters_.end();) {
    if (!w->fulfiller->isWaiting()) {
      w = ackWaiters_.erase(w);
    } else if (ackCount(w->origin, w->seq) >= w->needed) {
      w->fulfiller->fulfill();
      w = ackWaiters_.erase(w);
    } else {
      ++w;
    }
  }
  if (ackWaiters_.empty()) awaitingAcks_ = false;
}

void ReplicaNode::setReady() {
  if (ready_) return;
  ready_ = true;
  JH_INFO("state READY with vector {} ({} orders)", store_.vector().toString(), store_.rows());
}

kj::Promise<void> ReplicaNode::drain(kj::Duration bound) {
  stopping_ = true;
  return drainUntil(timer_, [this]() {
    settleAckWaiters();  // drops the waits that timed out
    return writesInFlight_ == 0 && placing_.empty() && ackWaiters_.empty();
  }, bound);
}

}  // namespace jh
