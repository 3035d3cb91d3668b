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

// Each order read from orders.csv at start goes straight into the store.
struct StoreLoader final : OrderFile::Loader {
  explicit StoreLoader(OrderStore& s) : store(s) {}
  void expect(size_t n) override { store.reserve(n); }
  void add(const OrderView& order) override { store.applyLoaded(order); }
  OrderStore& store;
};

}  // namespace

ReplicaNode::ReplicaNode(const ClusterConfig& config, size_t selfIndex,
                         kj::LowLevelAsyncIoProvider& io)
    : config_(config), name_(config.replicas.at(selfIndex).name), timer_(io.getTimer()),
      resources_(loadResources(config.replicas[selfIndex].dir)),
      file_(config.replicas[selfIndex].dir + "/orders.csv", StoreLoader(store_), &io),
      tail_(kj::Promise<void>(kj::READY_NOW).fork()), peerNewsHere_(peerNews_, io),
      tasks_(logTaskErrors) {
  store_.finishLoading();
  accepted_ = store_.vector();
  incarnation_ = newIncarnation();
  for (auto& r : config.replicas) {
    if (r.name != name_) peers_[r.name] = PeerView{};
  }
  tasks_.add(watchAcks(peerNews_.generation()));
  JH_INFO("loaded {} from {} (vector {}); menu of {}", counted(store_.rows(), "row", "rows"),
          file_.path(), store_.vector().toString(),
          counted(resources_.menu.size(), "item", "items"));
  JH_INFO("this start is incarnation {} of {}{}", incarnation_, name_,
          file_.holdsHistory()
              ? ""
              : "; orders.csv was missing, so this replica vouches for none of its "
                "earlier orders until it has synced with every peer");
}

uint64_t ReplicaNode::newIncarnation() const {
  // A number never used before, whatever this replica remembers: the wall clock in microseconds,
  // raised above any incarnation of its own that it holds rows of (a clock set back).
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
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

std::optional<Rejection> ReplicaNode::notServing() const {
  using C = rpc::RejectCode;
  if (stopping_) return Rejection{C::NOT_READY, name_ + " is stopping."};
  if (!ready_) return Rejection{C::NOT_READY, name_ + " is still catching up."};
  if (writesBroken_)
    return Rejection{C::NOT_READY, name_ + " cannot write its orders file just now."};
  if (!promoted_)
    return Rejection{C::NOT_READY, name_ + " is not a primary: no front-end has promoted it."};
  return std::nullopt;
}

std::optional<Rejection> ReplicaNode::notReadyToPromote() const {
  if (stopping_ || !ready_ || writesBroken_) return notServing();
  return std::nullopt;
}

std::optional<Rejection> ReplicaNode::check(const OrderRecord& order, uint32_t minAcks) const {
  using C = rpc::RejectCode;
  if (auto refusal = notServing()) return refusal;
  if (auto bad = checkUserCode(order.userCode)) return Rejection{C::INVALID_USER_CODE, *bad};
  if (auto bad = checkOrderFields(order)) return Rejection{C::INVALID_ORDER, *bad};
  if (!order.status.empty() && order.status != STATUS_CONFIRMED) {
    return Rejection{C::INVALID_ORDER, "An order's status can only be CONFIRMED."};
  }
  if (minAcks >= config_.replicas.size()) {
    return Rejection{C::INVALID_ORDER,
                     "More acknowledgements were asked for than there are backups."};
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

// One placeOrders call on its way: the outcomes by position, filled as they become known.
struct ReplicaNode::Placing {
  std::vector<PlaceOutcome> outcomes;
  std::vector<size_t> fresh;  // positions of the new orders, in seq order
  std::vector<size_t>
      repeats;  // positions of repeats, answered once the new orders are on their way
};

kj::Promise<std::vector<PlaceOutcome>> ReplicaNode::placeOrders(std::vector<OrderRecord> orders,
                                                                uint32_t minAcks) {
  // One pass sorts the orders: refused (answered here), new (stamped, and written together: one
  // append, one promise and one acknowledgement wait for the whole call, not one per order), or
  // repeats (of a stored order, of one on its way to disk, or of an earlier one of this call).
  // Each order costs the event loop no promise of its own: at 64 clients per-order promises and
  // forks were most of the primary's event loop.
  auto placing = kj::heap<Placing>();
  Placing& p = *placing;
  p.outcomes.resize(orders.size());
  auto rows = std::make_shared<std::vector<OrderRecord>>();
  uint64_t batch = ++batches_;
  for (size_t i = 0; i < orders.size(); ++i) {
    OrderRecord& order = orders[i];
    bool conflicting = false;
    if (auto refusal = check(order, minAcks)) {
      p.outcomes[i] = std::move(*refusal);
      continue;
    }
    std::string key = placingKey(order);
    if (store_.findRepeat(order.view(), conflicting) || conflicting || placing_.count(key)) {
      p.repeats.push_back(i);
      continue;
    }
    placing_.emplace(std::move(key), batch);  // (a repeat later in this call finds it here)
    order.origin = name_;
    order.incarnation = incarnation_;
    order.seq = accepted_.get(name_, incarnation_) + 1;
    order.status = STATUS_CONFIRMED;
    accepted_.set(name_, incarnation_, order.seq);
    p.fresh.push_back(i);
  }

  kj::Promise<void> answered = kj::READY_NOW;
  if (!p.fresh.empty()) {
    rows->reserve(p.fresh.size());
    for (size_t i : p.fresh) rows->push_back(std::move(orders[i]));
    auto written = persist(rows, minAcks > 0 ? Rows::OWN_AWAITING_ACKS : Rows::OWN).fork();
    auto forget = [this, batch]() {
      writing_.erase(batch);
      std::erase_if(placing_, [batch](const auto& entry) { return entry.second == batch; });
    };
    tasks_.add(written.addBranch().then(kj::cp(forget), [forget](kj::Exception&&) { forget(); }));
    answered = written.addBranch().then(
        [this, &p, rows, minAcks]() {
          // The rows are in the store now (persist applied them): their records can move out.
          const OrderRecord& last = rows->back();
          return acked(OriginIncarnation{last.origin, last.incarnation}, last.seq, minAcks)
              .then([this, &p, rows, minAcks](bool acknowledged) {
                for (size_t k = 0; k < p.fresh.size(); ++k) {
                  OrderRecord& row = (*rows)[k];
                  // (When the wait for the last one timed out, earlier ones may still have made
                  // it.)
                  if (acknowledged || ackCount(row.origin, row.incarnation, row.seq) >= minAcks) {
                    p.outcomes[p.fresh[k]] = std::move(row);
                  } else {
                    p.outcomes[p.fresh[k]] = unconfirmed(minAcks);
                  }
                }
              });
        },
        [this, &p](kj::Exception&&) -> kj::Promise<void> {
          for (size_t i : p.fresh) {
            p.outcomes[i] = Rejection{rpc::RejectCode::NOT_READY,
                                      name_ + " could not write the order to disk."};
          }
          return kj::READY_NOW;
        });
    writing_.emplace(batch, kj::mv(written));
  }

  if (!p.repeats.empty()) {
    auto repeats = kj::heapArrayBuilder<kj::Promise<void>>(p.repeats.size());
    for (size_t i : p.repeats) {
      repeats.add(answerRepeat(orders[i], minAcks).then([&p, i](PlaceOutcome outcome) {
        p.outcomes[i] = std::move(outcome);
      }));
    }
    answered = answered.then(
        [repeats = repeats.finish()]() mutable { return kj::joinPromises(kj::mv(repeats)); });
  }
  // (The continuations above point into `placing`; they are destroyed before it.)
  return answered.then(
      [placing = kj::mv(placing)]() mutable { return std::move(placing->outcomes); });
}

kj::Promise<PlaceOutcome> ReplicaNode::answerRepeat(const OrderRecord& request, uint32_t minAcks) {
  bool conflicting = false;
  if (const StoredOrder* stored = store_.findRepeat(request.view(), conflicting)) {
    return afterAcks(stored->record(), minAcks);
  }
  auto it = placing_.find(placingKey(request));
  if (it != placing_.end()) {
    // The first attempt is still on its way to disk: answer as it will be answered.
    return writing_.at(it->second)
        .addBranch()
        .then([this, request, minAcks]() { return answerRepeat(request, minAcks); },
              [this](kj::Exception&&) -> kj::Promise<PlaceOutcome> {
                return PlaceOutcome{Rejection{rpc::RejectCode::NOT_READY,
                                              name_ + " could not write the order to disk."}};
              });
  }
  KJ_ASSERT(conflicting, "a repeat of an order that is neither stored nor on its way");
  return PlaceOutcome{Rejection{
      rpc::RejectCode::CONFLICTING_ORDER_ID,
      fmt::format("Order id {} was already used for a different order.", request.orderId)}};
}

kj::Promise<PlaceOutcome> ReplicaNode::afterAcks(OrderRecord stored, uint32_t minAcks) {
  auto source = OriginIncarnation{stored.origin, stored.incarnation};
  uint64_t seq = stored.seq;
  return acked(source, seq, minAcks)
      .then([stored = std::move(stored), minAcks](bool acknowledged) mutable {
        return acknowledged ? PlaceOutcome{std::move(stored)} : PlaceOutcome{unconfirmed(minAcks)};
      });
}

kj::Promise<bool> ReplicaNode::acked(const OriginIncarnation& source, uint64_t seq,
                                     uint32_t minAcks) {
  if (minAcks == 0) return true;
  awaitingAcks_ = true;  // before reading peers_: progress reported after this read wakes us
  if (ackCount(source.origin, source.incarnation, seq) >= minAcks) return true;
  auto paf = kj::newPromiseAndFulfiller<void>();
  ackWaiters_.push_back(AckWaiter{source, seq, minAcks, kj::mv(paf.fulfiller)});
  uint32_t waitMs = config_.callTimeoutMs * 3 / 4;
  return timer_.timeoutAfter(waitMs * kj::MILLISECONDS, kj::mv(paf.promise))
      .then([]() { return true; }, [](kj::Exception&&) { return false; });
}

Rejection ReplicaNode::unconfirmed(uint32_t minAcks) {
  return Rejection{
      rpc::RejectCode::UNAVAILABLE,
      fmt::format(
          "The order could not be copied to {} in time, so it is not confirmed; it is kept "
          "as pending, and retrying with the same order id is safe: it will not order twice.",
          counted(minAcks, "backup", "backups"))};
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
  if (minAcks >= n)
    return PromoteOutcome{Rejection{
        C::INVALID_ORDER, "More acknowledgements were asked for than there are backups."}};
  KJ_REQUIRE(syncer_ != nullptr, "promote() before the replication thread runs");

  // An order acknowledged with min_acks K is durable on K + 1 of the N replicas; this replica and
  // N - K - 1 peers that vouch for their history cannot all miss it (N - K without its own file).
  struct Promotion {
    uint32_t minAcks;
    size_t need;
    size_t unsettled;               // peers whose sync has not ended
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
      // How the last write ended does not matter here: a failure leaves the node degraded, which
      // refuses below, and a failure long past (the disk works again) must not refuse for ever.
      tasks_.add(
          tail_.addBranch().then([]() {}, [](kj::Exception&&) {}).then([this, frontend, state]() {
            Promotion& p = *state;
            if (auto refusal = notReadyToPromote()) {
              p.done->fulfill(PromoteOutcome{std::move(*refusal)});
              return;
            }
            promoted_ = true;
            JH_INFO("promoted by {}: synced with {} ({} fetched); serving as primary", frontend,
                    p.result.syncedWith.empty()
                        ? std::string("no peer")
                        : fmt::format("{}", fmt::join(p.result.syncedWith, ", ")),
                    counted(p.result.fetched, "row", "rows"));
            p.done->fulfill(PromoteOutcome{p.result});
          }));
    } else if (final || p.unsettled == 0) {
      p.decided = true;
      JH_WARN(
          "not promoted by {}: only {} of the {} peers needed to hold every order acknowledged "
          "with "
          "min_acks {} could be synced with",
          frontend, p.vouching, p.need, p.minAcks);
      p.done->fulfill(PromoteOutcome{Rejection{
          rpc::RejectCode::UNAVAILABLE,
          fmt::format(
              "{} could not reach enough replicas to be sure it holds every confirmed order.",
              name_)}});
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
    tasks_.add(syncer_->syncWith(peer, timeout)
                   .then(
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
  if (!file_.holdsHistory() && syncedSinceStart_.size() + 1 >= config_.replicas.size())
    file_.keepHistory();
}

kj::Promise<VersionVector> ReplicaNode::ingest(std::vector<OrderRecord> rows) {
  std::vector<OrderRecord> take;
  for (auto& row : rows) {
    auto bad = checkOrderFields(row);
    // (Any origin's rows travel: a replica since removed from the cluster file may have made them.)
    if (!bad && (row.origin.empty() || row.origin.size() > 64 || row.seq == 0 ||
                 row.status != STATUS_CONFIRMED)) {
      bad = "no origin, seq 0 or a status other than CONFIRMED";
    }
    if (bad) {  // never stored, whoever sent it; the sender is stuck here until someone looks
      JH_WARN("refused a replicated row {} ({}#{}:{}): {}", row.orderId.substr(0, 64),
              row.origin.substr(0, 64), row.incarnation, row.seq, *bad);
      break;
    }
    uint64_t held = accepted_.get(row.origin, row.incarnation);
    if (row.seq <= held) continue;
    if (row.seq != held + 1) break;  // a gap: the sender resends from our vector
    if (writesBroken_) {             // nothing new can be stored; what is held can still be told
      return KJ_EXCEPTION(FAILED, "this replica cannot write its orders file just now", name_);
    }
    accepted_.set(row.origin, row.incarnation, row.seq);
    take.push_back(std::move(row));
  }
  // With nothing new, wait only for what is already queued; how that ended does not matter, as a
  // failed write was taken back out of accepted_ and the store holds only what is durable.
  kj::Promise<void> done =
      take.empty() ? tail_.addBranch().then([]() {}, [](kj::Exception&&) {})
                   : persist(std::make_shared<const std::vector<OrderRecord>>(std::move(take)),
                             Rows::REPLICATED);
  return done.then([this]() { return store_.vector(); });
}

kj::Promise<void> ReplicaNode::persist(std::shared_ptr<const std::vector<OrderRecord>> rows,
                                       Rows whose) {
  auto stage = [&]() {
    for (auto& row : *rows) store_.stage(row);
    ownOrders_.notify();
  };
  if (whose == Rows::OWN_AWAITING_ACKS) stage();
  std::string bytes;
  bytes.reserve(rows->size() * 160);  // (an order's line is about 130 bytes)
  for (auto& row : *rows) appendOrderCsv(bytes, row);
  ++writesInFlight_;
  auto written = file_.append(std::move(bytes));
  if (whose == Rows::OWN) stage();
  auto chained =
      tail_.addBranch()
          .then([]() {}, [](kj::Exception&&) {})  // only the order matters, not how it ended
          .then([written = kj::mv(written)]() mutable { return kj::mv(written); })
          .then(
              [this, rows = kj::mv(rows)]() {
                --writesInFlight_;
                for (auto& row : *rows) store_.apply(row);
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
    JH_ERROR(
        "state DEGRADED: orders.csv cannot be written; taking no orders, checking the disk "
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
  return timer_.afterDelay(1 * kj::SECONDS)
      .then([this]() { return file_.probe(); })
      .then([this](bool ok) -> kj::Promise<void> {
        if (!ok) return probeDisk();
        probing_ = false;
        writesBroken_ = false;
        JH_INFO(
            "state READY: orders.csv can be written again (vector {}); new orders are incarnation "
            "{}",
            store_.vector().toString(), incarnation_);
        return kj::READY_NOW;
      });
}

std::map<std::string, PeerView> ReplicaNode::peers() const {
  std::lock_guard lock(peersMutex_);
  return peers_;
}

void ReplicaNode::onPeerProgress(const std::string& peer, bool reachable,
                                 const VersionVector& vector) {
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
  return peerNewsHere_.waitAfter(seen).then([this]() {
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
  JH_INFO("state READY with vector {} ({})", store_.vector().toString(),
          counted(store_.rows(), "row", "rows"));
}

kj::Promise<void> ReplicaNode::drain(kj::Duration bound) {
  stopping_ = true;
  promoted_ = false;
  return drainUntil(
      timer_,
      [this]() {
        settleAckWaiters();  // drops the waits that timed out
        return writesInFlight_ == 0 && placing_.empty() && ackWaiters_.empty();
      },
      bound);
}

}  // namespace jh
