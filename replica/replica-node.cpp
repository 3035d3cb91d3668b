// The replica's main-thread logic: placement, promotion, ingestion, durability order and
// acknowledgements.
#include "replica/replica-node.h"

#include <chrono>
#include <memory>

#include <fmt/format.h>
#include <kj/debug.h>

#include "schema/runtime/daemon.h"
#include "schema/runtime/log.h"
#include "schema/rpc/task-errors.h"

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
  incarnation_ = newIncarnation();
  for (auto& r : config.replicas) {
    if (r.name != name_) peers_[r.name] = PeerView{};
  }
  tasks_.add(watchAcks(peerNews_.generation()));
  JH_INFO("loaded {} from {} (vector {}); menu of {}", counted(store_.rows(), "row", "rows"), file_.path(),
          store_.vector().toString(), counted(resources_.menu.size(), "item", "items"));
  JH_INFO("this start is incarnation {} of {}{}", incarnation_, name_,
          file_.holdsHistory() ? ""
                               : "; orders.csv was missing, so this replica vouches for none of its "
                                 "earlier orders until it has synced with every peer");
}

uint64_t ReplicaNode::newIncarnation() const {
  // A number never used before, whatever this replica remembers: the wall clock in microseconds,
  // raised above any incarnation of its own that it holds rows of (a clock set back).
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  uint64_t number = std::max<uint64_t>(static_cast<uint64_t>(now), incarnation_ + 1);
  for (auto& [source, seq] : store_.vector().entries()) {
    if (source.origin == name_) number = std::max(number, source.incarnation + 1);
  }
  return number;
}

std::string ReplicaNode::placingKey(const OrderRecord& order) {
  std::string key = order.userCode;
  key += '\0';
  key += order.orderId;
  return key;
}

std::optional<Refusal> ReplicaNode::notServing() const {
  using C = rpc::RejectCode;
  if (stopping_) return refuse(C::NOT_READY, name_ + " is stopping.");
  if (!ready_) return refuse(C::NOT_READY, name_ + " is still catching up.");
  if (writesBroken_) return refuse(C::NOT_READY, name_ + " cannot write its orders file just now.");
  if (!promoted_) return refuse(C::NOT_READY, name_ + " is not a primary: no front-end has promoted it.");
  return std::nullopt;
}

std::optional<Refusal> ReplicaNode::notReadyToPromote() const {
  if (stopping_ || !ready_ || writesBroken_) return notServing();
  return std::nullopt;
}

std::optional<Refusal> ReplicaNode::check(const OrderRecord& order, uint32_t minAcks) const {
  using C = rpc::RejectCode;
  if (auto refusal = notServing()) return refusal;
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
  // First pass: refusals, and the orders that are new (named here, in arrival order). A repeat
  // (of a stored order, one on its way to disk, or an earlier one of this batch) is answered in
  // the second pass, once this batch's new orders are registered as on their way.
  enum class Kind { REFUSED, NEW, REPEAT };
  std::vector<Kind> kinds(orders.size());
  std::vector<kj::Maybe<Refusal>> refusals(orders.size());
  std::vector<OrderRecord> fresh;
  std::vector<size_t> freshIndex;
  std::set<std::string> keysInBatch;
  for (size_t i = 0; i < orders.size(); ++i) {
    OrderRecord& order = orders[i];
    bool conflicting = false;
    std::string key = placingKey(order);
    if (auto refusal = check(order, minAcks)) {
      kinds[i] = Kind::REFUSED;
      refusals[i] = std::move(*refusal);
    } else if (store_.findRepeat(order.view(), conflicting) || conflicting || placing_.count(key) ||
               keysInBatch.count(key)) {
      kinds[i] = Kind::REPEAT;
    } else {
      kinds[i] = Kind::NEW;
      keysInBatch.insert(key);
      order.origin = name_;
      order.incarnation = incarnation_;
      order.seq = accepted_.get(name_, incarnation_) + 1;
      order.status = STATUS_CONFIRMED;
      accepted_.set(name_, incarnation_, order.seq);
      fresh.push_back(order);
      freshIndex.push_back(i);
    }
  }

  kj::Maybe<kj::ForkedPromise<void>> durable;
  if (!fresh.empty()) {
    auto written = persist(std::move(fresh), true).fork();
    for (size_t i : freshIndex) {
      std::string key = placingKey(orders[i]);
      placing_.emplace(key, written.addBranch().fork());
      auto forget = [this, key]() { placing_.erase(key); };
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
  bool conflicting = false;
  if (const StoredOrder* stored = store_.findRepeat(request.view(), conflicting)) {
    return afterAcks(stored->record(), minAcks);
  }
  auto it = placing_.find(placingKey(request));
  if (it != placing_.end()) {
    // The first attempt is still on its way to disk: answer as it will be answered.
    return it->second.addBranch().then(
        [this, request, minAcks]() { return answerRepeat(request, minAcks); },
        [this](kj::Exception&&) -> kj::Promise<PlaceOutcome> {
          return PlaceOutcome{refuse(rpc::RejectCode::NOT_READY, name_ + " could not write the order to disk.")};
        });
  }
  KJ_ASSERT(conflicting, "a repeat of an order that is neither stored nor on its way");
  return PlaceOutcome{refuse(rpc::RejectCode::CONFLICTING_ORDER_ID,
                             fmt::format("Order id {} was already used for a different order.", request.orderId))};
}

kj::Promise<PlaceOutcome> ReplicaNode::afterAcks(OrderRecord stored, uint32_t minAcks) {
  if (minAcks == 0) return PlaceOutcome{std::move(stored)};
  awaitingAcks_ = true;  // before reading peers_: progress reported after this read wakes us
  if (ackCount(stored.origin, stored.incarnation, stored.seq) >= minAcks) return PlaceOutcome{std::move(stored)};
  auto paf = kj::newPromiseAndFulfiller<void>();
  ackWaiters_.push_back(AckWaiter{OriginIncarnation{stored.origin, stored.incarnation}, stored.seq, minAcks,
                                  kj::mv(paf.fulfiller)});
  uint32_t waitMs = config_.callTimeoutMs * 3 / 4;
  return timer_.timeoutAfter(waitMs * kj::MILLISECONDS, kj::mv(paf.promise))
      .then([stored = std::move(stored)]() mutable { return PlaceOutcome{std::move(stored)}; },
            [minAcks](kj::Exception&&) {
              return PlaceOutcome{refuse(
                  rpc::RejectCode::UNAVAILABLE,
                  fmt::format("The order could not be copied to {} in time, so it is not confirmed; "
                              "it is kept as pending, and retrying with the same order id is safe: it "
                              "will not order twice.", counted(minAcks, "backup", "backups")))};
            });
}

uint32_t ReplicaNode::ackCount(std::string_view origin, uint64_t incarnation, uint64_t seq) const {
  std::lock_guard lock(peersMutex_);
  uint32_t count = 0;
  for (auto& [peer, view] : peers_) {
    if (view.vector.get(origin, incarnation) >= seq) ++count;
  }
  return count;
}

bool ReplicaNode::pending(const StoredOrder& row, uint32_t minAcks) const {
  return minAcks > 0 && ackCount(row.origin(), row.incarnation(), row.seq()) < minAcks;
}

kj::Promise<PromoteOutcome> ReplicaNode::promote(const std::string& frontend, uint32_t minAcks,
                                                 std::set<std::string> skip) {
  using C = rpc::RejectCode;
  if (auto refusal = notReadyToPromote()) {
    promoted_ = false;
    return PromoteOutcome{std::move(*refusal)};
  }
  size_t n = config_.replicas.size();
  if (minAcks >= n) return PromoteOutcome{refuse(C::INVALID_ORDER, "More acknowledgements were asked for than there are backups.")};
  KJ_REQUIRE(syncer_ != nullptr, "promote() before the replication thread runs");

  // An order acknowledged with min_acks K is durable on K + 1 of the N replicas; this replica and
  // N - K - 1 peers that vouch for their history cannot all miss it (N - K without its own file).
  struct Promotion {
    uint32_t minAcks;
    size_t need;
    size_t unsettled;             // peers whose sync has not ended
    std::set<std::string> awaited;  // with min_acks 0: every peer not skipped, until it settles
    size_t vouching = 0;
    bool decided = false;
    Promoted result;
    kj::Own<kj::PromiseFulfiller<PromoteOutcome>> done;
  };
  auto paf = kj::newPromiseAndFulfiller<PromoteOutcome>();
  auto state = std::make_shared<Promotion>();
  state->minAcks = minAcks;
  state->need = holdsHistory() ? n - minAcks - 1 : std::min(n - minAcks, n - 1);
  state->unsettled = n - 1;
  state->done = kj::mv(paf.fulfiller);
  for (auto& r : config_.replicas) {
    if (r.name != name_ && !skip.count(r.name)) state->awaited.insert(r.name);
  }

  auto finish = [this, frontend](const std::shared_ptr<Promotion>& state, bool final) {
    Promotion& p = *state;
    if (p.decided) return;
    bool serve = p.minAcks == 0 ? p.awaited.empty() || final : p.vouching >= p.need;
    if (serve) {
      p.decided = true;
      // Its own rows still on their way to disk are skipped by the pulls (their names are taken
      // here) but not yet read: they must be durable before it serves (the model found this).
      tasks_.add(tail_.addBranch().then(
          [this, frontend, state]() {
            Promotion& p = *state;
            if (auto refusal = notReadyToPromote()) {
              p.done->fulfill(PromoteOutcome{std::move(*refusal)});
              return;
            }
            promoted_ = true;
            JH_INFO("promoted by {}: synced with {} ({} fetched); serving as primary", frontend,
                    p.result.syncedWith.empty() ? std::string("no peer") : fmt::format("{}", fmt::join(p.result.syncedWith, ", ")),
                    counted(p.result.fetched, "row", "rows"));
            p.done->fulfill(PromoteOutcome{p.result});
          },
          [this, state](kj::Exception&&) {
            state->done->fulfill(PromoteOutcome{refuse(rpc::RejectCode::NOT_READY, name_ + " could not write its orders file.")});
          }));
    } else if (final || p.unsettled == 0) {
      p.decided = true;
      JH_WARN("not promoted by {}: only {} of the {} peers needed to hold every order acknowledged with "
              "min_acks {} could be synced with", frontend, p.vouching, p.need, p.minAcks);
      p.done->fulfill(PromoteOutcome{refuse(
          rpc::RejectCode::UNAVAILABLE,
          fmt::format("{} could not reach enough replicas to be sure it holds every confirmed order.", name_))});
    }
  };
  finish(state, false);

  auto timeout = config_.callTimeoutMs * kj::MILLISECONDS;
  for (auto& r : config_.replicas) {
    if (r.name == name_) continue;
    std::string peer = r.name;
    auto settle = [state, peer, finish]() mutable {
      --state->unsettled;
      state->awaited.erase(peer);
      finish(state, false);
    };
    tasks_.add(syncer_->syncWith(peer, timeout).then(
        [this, state, settle](PeerSynced synced) mutable {
          onSynced(synced);
          state->result.syncedWith.push_back(synced.peer);
          state->result.fetched += synced.fetched;
          if (synced.holdsHistory) ++state->vouching;
          settle();
        },
        [settle](kj::Exception&&) mutable { settle(); }));
  }
  tasks_.add(timer_.afterDelay(timeout).then([state, finish]() mutable { finish(state, true); }));
  return kj::mv(paf.promise);
}

void ReplicaNode::onSynced(const PeerSynced& synced) {
  fetched_ += synced.fetched;
  {
    std::lock_guard lock(peersMutex_);
    auto it = peers_.find(synced.peer);
    if (it != peers_.end()) {
      for (auto& [source, seq] : synced.vector.entries()) {
        if (seq > it->second.vector.get(source)) it->second.vector.set(source, seq);
      }
    }
  }
  syncedSinceStart_.insert(synced.peer);
  keepHistoryOnceSynced();
}

void ReplicaNode::keepHistoryOnceSynced() {
  if (!file_.holdsHistory() && syncedSinceStart_.size() + 1 >= config_.replicas.size()) file_.keepHistory();
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
      JH_WARN("refused a replicated row {} ({}#{}:{}): {}", row.orderId.substr(0, 64), row.origin.substr(0, 64),
              row.incarnation, row.seq, *bad);
      break;
    }
    uint64_t held = accepted_.get(row.origin, row.incarnation);
    if (row.seq <= held) continue;
    if (row.seq != held + 1) break;  // a gap: the sender resends from our vector
    if (writesBroken_) {  // nothing new can be stored; what is held can still be told
      return KJ_EXCEPTION(FAILED, "this replica cannot write its orders file just now", name_);
    }
    accepted_.set(row.origin, row.incarnation, row.seq);
    take.push_back(std::move(row));
  }
  // With nothing new, wait only for what is already queued; how that ended does not matter, as a
  // failed write was taken back out of accepted_ and the store holds only what is durable.
  kj::Promise<void> done = take.empty()
      ? tail_.addBranch().then([]() {}, [](kj::Exception&&) {})
      : persist(std::move(take), false);
  return done.then([this]() { return store_.vector(); });
}

kj::Promise<void> ReplicaNode::persist(std::vector<OrderRecord> rows, bool own) {
  std::string bytes;
  for (auto& row : rows) appendOrderCsv(bytes, row);
  if (own) {
    for (auto& row : rows) store_.stage(row);
    ownOrders_.notify();
  }
  ++writesInFlight_;
  auto written = file_.append(std::move(bytes));
  auto chained =
      tail_.addBranch()
          .then([]() {}, [](kj::Exception&&) {})  // only the order matters, not how it ended
          .then([written = kj::mv(written)]() mutable { return kj::mv(written); })
          .then(
              [this, rows = std::move(rows)]() mutable {
                --writesInFlight_;
                for (auto& row : rows) store_.apply(row);
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
  promoted_ = false;  // it may miss rows meanwhile: a front-end promotes it again when it is back
  if (writesInFlight_ > 0) return;  // every queued append fails too; recover after the last
  // What failed was never acknowledged: forget it. Backups may hold those rows already, so their
  // names are never used again: new orders begin a new incarnation.
  accepted_ = store_.vector();
  store_.dropStaged();
  incarnation_ = newIncarnation();
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
    JH_INFO("state READY: orders.csv can be written again (vector {}); new orders are incarnation {}",
            store_.vector().toString(), incarnation_);
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
    if (reachable) {
      for (auto& [source, seq] : vector.entries()) {
        if (seq > it->second.vector.get(source)) it->second.vector.set(source, seq);
      }
    }
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
    } else if (ackCount(w->source.origin, w->source.incarnation, w->seq) >= w->needed) {
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
  keepHistoryOnceSynced();  // (a replica without peers)
  JH_INFO("state READY with vector {} ({})", store_.vector().toString(), counted(store_.rows(), "row", "rows"));
}

kj::Promise<void> ReplicaNode::drain(kj::Duration bound) {
  stopping_ = true;
  promoted_ = false;
  return drainUntil(timer_, [this]() {
    settleAckWaiters();  // drops the waits that timed out
    return writesInFlight_ == 0 && placing_.empty() && ackWaiters_.empty();
  }, bound);
}

}  // namespace jh
