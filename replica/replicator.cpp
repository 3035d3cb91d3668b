// Replication thread: catch-up pulls, promotion syncs, and per-peer push loops.
#include "replica/replicator.h"

#include <pthread.h>

#include <algorithm>

#include <capnp/message.h>
#include <kj/async-io.h>
#include <kj/debug.h>

#include "replica/push-schedule.h"
#include "schema/runtime/cross-thread.h"
#include "schema/runtime/failure-words.h"
#include "schema/runtime/log.h"
#include "schema/rpc/rpc-link.h"
#include "schema/rpc/task-errors.h"

namespace jh {

namespace {
constexpr uint32_t PULL_BATCH = 5000;  // rows per pull reply
constexpr uint32_t FIRST_BACKOFF_MS = 50;
// At start a peer that cannot be reached is most often one still loading its orders.csv (it
// listens once loaded): asked again every 100 ms at most, so that replicas started together are
// READY moments after the slowest has loaded. The sync timeout bounds the asking.
constexpr uint32_t MAX_CATCH_UP_BACKOFF_MS = 100;
// A replica that lost its orders.csv keeps asking the peers it has not synced with, this often,
// until it has synced with every one (only then does it vouch for its history again).
constexpr uint32_t MAX_RESYNC_BACKOFF_MS = 1000;

LogTaskFailures logErrors{"replication"};
}  // namespace

// Everything that lives on the replication thread.
class Replicator::Worker final : public PushSource {
 public:
  Worker(ReplicaNode& node, const kj::Executor& main, kj::AsyncIoContext& io,
         const std::string& secret, std::map<std::string, BackOffSleep>& backOffs)
      : node_(node), main_(main), timer_(io.provider->getTimer()),
        ownRowsHere_(node.ownOrders(), *io.lowLevelProvider), tasks_(logErrors) {
    const ClusterConfig& c = node.config();
    for (auto& r : c.replicas) {
      if (r.name == node.name()) continue;
      peers_.push_back(kj::heap<Peer>(r.name, io.provider->getNetwork(), timer_, r.address,
                                      c.callTimeoutMs, secret, backOffs.at(r.name)));
    }
  }

  void start() {
    auto deadline = timer_.now() + node_.config().syncTimeoutMs * kj::MILLISECONDS;
    auto catchUps = kj::heapArrayBuilder<kj::Promise<void>>(peers_.size());
    for (auto& p : peers_) catchUps.add(catchUp(*p, deadline, FIRST_BACKOFF_MS));
    tasks_.add(kj::joinPromises(catchUps.finish())
                   .then([this]() {
                     return executeAsyncVisibly(main_, [&node = node_]() {
                       node.setReady();
                       return node.holdsHistory();
                     });
                   })
                   .then([this](bool holdsHistory) {
                     for (auto& p : peers_) {
                       tasks_.add(pushLoop(*p));
                       if (!holdsHistory && !p->synced)
                         tasks_.add(resyncLater(*p, FIRST_BACKOFF_MS));
                     }
                   }));
  }

  // Pulls from `peer` everything this replica lacks, until the peer has nothing more.
  kj::Promise<PeerSynced> syncOnce(const std::string& peer, kj::Duration timeout) {
    for (auto& p : peers_) {
      if (p->name == peer) return pullAll(*p, timeout, PeerSynced{peer});
    }
    return KJ_EXCEPTION(FAILED, "no such peer", peer);
  }

  // PushSource: the node's store.
  std::vector<OrderRecord> rowsAfter(const VersionVector& held, size_t limit,
                                     bool othersToo) override {
    bool more = false;
    std::string_view only = othersToo ? std::string_view() : std::string_view(node_.name());
    return node_.store().collect(held, limit, more, only, true);
  }
  bool othersLacking(const VersionVector& held) override {
    bool more = false;
    return !node_.store().collect(held, 1, more).empty();
  }

 private:
  struct Peer {
    Peer(std::string n, kj::Network& net, kj::Timer& timer, const std::string& address,
         uint32_t timeoutMs, const std::string& secret, BackOffSleep& pause)
        : name(std::move(n)), link(net, timer, address, timeoutMs, replicaOpener(secret)),
          backOff(pause) {}
    std::string name;
    RpcLink link;
    PushSchedule schedule;
    BackOffSleep& backOff;                         // the push loop's pause after failures
    kj::Own<kj::PromiseFulfiller<void>> answered;  // wakes the loop when a replicate call ends
    bool synced = false;  // a sync with it succeeded since this replica started
  };

  kj::Duration timeout() const { return node_.config().callTimeoutMs * kj::MILLISECONDS; }

  // Tells the node what the peer holds (for min_acks and health); no round trip to the main thread.
  void report(Peer& p) { node_.onPeerProgress(p.name, p.schedule.reachable(), p.schedule.held()); }

  // The peer answered a call other than its push loop's (or called this replica: see
  // Replicator::heardFrom): a push loop backing off from it asks it again now. (A replica promoted
  // once its peers are back must not wait out up to a second of back-off before the first order
  // it takes can be acknowledged.)
  void heardFrom(Peer& p) { p.backOff.wake(); }

  kj::Promise<PeerSynced> pullAll(Peer& p, kj::Duration timeout, PeerSynced progress) {
    return executeAsyncVisibly(main_, [&node = node_]() { return node.store().vector(); })
        .then([this, &p, timeout](VersionVector mine) {
          auto req =
              p.link.get<rpc::Replica>().then([this, mine = kj::mv(mine)](rpc::Replica::Client c) {
                auto r = c.pullRequest();
                mine.fill([&](unsigned n) { return r.initVector(n); });
                r.setLimit(PULL_BATCH);
                r.setSender(node_.name());
                return r.send();
              });
          return timer_.timeoutAfter(timeout, kj::mv(req));
        })
        .then([this, &p, timeout, progress = kj::mv(progress)](
                  capnp::Response<rpc::Replica::PullResults> reply) mutable {
          heardFrom(p);
          std::vector<OrderRecord> rows;
          rows.reserve(reply.getOrders().size());
          for (auto o : reply.getOrders()) rows.push_back(fromWire(o));
          bool more = reply.getMore();
          progress.holdsHistory = reply.getHoldsHistory();
          progress.vector = VersionVector::fromWire(reply.getHeld());
          size_t count = rows.size();
          return executeAsyncVisibly(main_,
                                     [&node = node_, rows = std::move(rows)]() mutable {
                                       return node.ingest(std::move(rows));
                                     })
              .then([this, &p, timeout, more, count, progress = kj::mv(progress)](
                        VersionVector mine) mutable -> kj::Promise<PeerSynced> {
                progress.fetched += count;
                if (!more && mine.covers(progress.vector)) return kj::mv(progress);
                // Rows it refused (never stored, see ReplicaNode::ingest) would be asked for for
                // ever.
                if (count == 0)
                  return KJ_EXCEPTION(FAILED, "the peer's rows could not be taken", p.name);
                return pullAll(p, timeout, kj::mv(progress));
              });
        })
        .catch_([&p](kj::Exception&& e) -> kj::Promise<PeerSynced> {
          p.link.drop();
          return kj::mv(e);
        });
  }

  // Records a sync that this thread started (the node's own promotions record theirs).
  kj::Promise<void> recordSynced(Peer& p, PeerSynced synced) {
    p.synced = true;
    return executeAsyncVisibly(
        main_, [&node = node_, synced = kj::mv(synced)]() { node.onSynced(synced); });
  }

  // Syncs with the peer at start. Gives up on a peer that cannot be reached by `deadline`; a peer
  // that answers is followed to the end.
  kj::Promise<void> catchUp(Peer& p, kj::TimePoint deadline, uint32_t backoffMs) {
    return pullAll(p, timeout(), PeerSynced{p.name})
        .then(
            [this, &p](PeerSynced synced) {
              JH_INFO("caught up with {}: fetched {} it lacked", p.name,
                      counted(synced.fetched, "row", "rows"));
              return recordSynced(p, kj::mv(synced));
            },
            [this, &p, deadline, backoffMs](kj::Exception&& e) -> kj::Promise<void> {
              if (timer_.now() >= deadline) {
                JH_WARN("{} could not be reached to catch up with ({}); going on without it",
                        p.name, failureReason(e));
                return kj::READY_NOW;
              }
              return timer_.afterDelay(backoffMs * kj::MILLISECONDS)
                  .then([this, &p, deadline, backoffMs]() {
                    return catchUp(p, deadline, std::min(backoffMs * 2, MAX_CATCH_UP_BACKOFF_MS));
                  });
            });
  }

  // After start, for a replica without its history: keeps asking a peer it has not synced with.
  kj::Promise<void> resyncLater(Peer& p, uint32_t backoffMs) {
    return timer_.afterDelay(backoffMs * kj::MILLISECONDS)
        .then([this, &p]() {
          if (p.synced) return kj::Promise<PeerSynced>(KJ_EXCEPTION(FAILED, "already synced"));
          return pullAll(p, timeout(), PeerSynced{p.name});
        })
        .then(
            [this, &p](PeerSynced synced) {
              JH_INFO("caught up with {}, which was not reachable at start: fetched {}", p.name,
                      counted(synced.fetched, "row", "rows"));
              return recordSynced(p, kj::mv(synced));
            },
            [this, &p, backoffMs](kj::Exception&&) -> kj::Promise<void> {
              if (p.synced) return kj::READY_NOW;
              return resyncLater(p, std::min(backoffMs * 2, MAX_RESYNC_BACKOFF_MS));
            });
  }

  // One cross-thread wait for new own rows, shared by every peer's loop: the main thread then
  // wakes this thread once per batch, not once per peer.
  kj::Promise<void> ownRowsAfter(uint64_t seen) {
    if (ownRows_ == nullptr || ownRowsSeen_ != seen) {
      ownRows_ = ownRowsHere_.waitAfter(seen).fork();
      ownRowsSeen_ = seen;
    }
    return KJ_ASSERT_NONNULL(ownRows_).addBranch();
  }

  // Resolves when one of the peer's replicate calls ends.
  kj::Promise<void> callEnded(Peer& p) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    p.answered = kj::mv(paf.fulfiller);
    return kj::mv(paf.promise);
  }

  kj::Promise<void> askVector(Peer& p) {
    auto req = p.link.get<rpc::Replica>().then(
        [](rpc::Replica::Client c) { return c.healthRequest().send(); });
    return timer_.timeoutAfter(timeout(), kj::mv(req))
        .then(
            [this, &p](capnp::Response<rpc::Replica::HealthResults> reply) {
              p.schedule.onVector(VersionVector::fromWire(reply.getHealth().getVector()),
                                  timer_.now());
              report(p);
            },
            [&p](kj::Exception&& e) { p.schedule.onFailure(kj::mv(e)); });
  }

  // Sends rows without waiting for the reply (the schedule bounds how many calls are out).
  void push(Peer& p, std::vector<OrderRecord> rows) {
    auto carried = p.schedule.onSent(rows);
    auto req =
        p.link.get<rpc::Replica>().then([this, rows = std::move(rows)](rpc::Replica::Client c) {
          auto r = c.replicateRequest(ordersWireSize(rows));
          r.setSender(node_.name());
          auto list = r.initOrders(static_cast<unsigned>(rows.size()));
          for (unsigned i = 0; i < rows.size(); ++i) toWire(rows[i], list[i]);
          return r.send();
        });
    tasks_.add(timer_.timeoutAfter(timeout(), kj::mv(req))
                   .then(
                       [this, &p, carried = kj::mv(carried)](
                           capnp::Response<rpc::Replica::ReplicateResults> reply) {
                         p.schedule.onReply(carried, VersionVector::fromWire(reply.getVector()),
                                            timer_.now());
                         report(p);
                       },
                       [&p](kj::Exception&& e) { p.schedule.onFailure(kj::mv(e)); })
                   .then([&p]() {
                     p.schedule.onCallEnded();
                     if (p.answered) {
                       p.answered->fulfill();
                       p.answered = nullptr;
                     }
                   }));
  }

  // Keeps one peer up to date, forever: carries out what its schedule decides.
  kj::Promise<void> pushLoop(Peer& p) {
    uint64_t seen = node_.ownOrders().generation();  // before the schedule looks at the rows
    bool wasReachable = p.schedule.reachable();
    auto action = p.schedule.next(timer_.now(), *this);
    auto again = [this, &p]() { return [this, &p]() { return pushLoop(p); }; };
    switch (action.step) {
      case PushSchedule::Step::ASK_VECTOR: return askVector(p).then(again());
      case PushSchedule::Step::SEND:
        push(p, std::move(action.rows));
        return kj::evalLater(again());  // another call may go out at once
      case PushSchedule::Step::AWAIT_CALL: return callEnded(p).then(again());
      case PushSchedule::Step::AWAIT_CALL_OR_ROWS:
        return callEnded(p).exclusiveJoin(ownRowsAfter(seen)).then(again());
      case PushSchedule::Step::AWAIT_ROWS:
        return ownRowsAfter(seen).exclusiveJoin(timer_.afterDelay(action.wait)).then(again());
      case PushSchedule::Step::BACK_OFF:
        p.link.drop();
        if (wasReachable) {
          KJ_IF_MAYBE (e, p.schedule.lastFailure()) {
            JH_INFO("lost contact with {} ({}); trying again, at least every second", p.name,
                    failureReason(*e));
          }
          report(p);
        }
        return p.backOff.sleep(timer_, action.wait).then(again());
    }
    KJ_UNREACHABLE;
  }

  ReplicaNode& node_;
  const kj::Executor& main_;
  kj::Timer& timer_;
  std::vector<kj::Own<Peer>> peers_;
  WakeSignal::Listener ownRowsHere_;
  kj::Maybe<kj::ForkedPromise<void>> ownRows_;  // see ownRowsAfter()
  uint64_t ownRowsSeen_ = 0;
  kj::TaskSet tasks_;
};

Replicator::Replicator(ReplicaNode& node, const kj::Executor& mainExecutor, std::string secret)
    : node_(node), mainExecutor_(mainExecutor), secret_(std::move(secret)) {
  for (auto& r : node.config().replicas) {
    if (r.name != node.name()) backOffs_[r.name];
  }
}

Replicator::~Replicator() {
  if (thread_.joinable()) thread_.join();
}

void Replicator::start() {
  thread_ = std::thread([this] { run(); });
  std::unique_lock lock(mutex_);
  started_.wait(lock, [this] { return running_; });
  node_.setSyncer(*this);
}

kj::Promise<PeerSynced> Replicator::syncWith(const std::string& peer, kj::Duration timeout) {
  KJ_REQUIRE(executor_ != nullptr, "the replication thread is not running");
  return executeAsyncVisibly(*executor_,
                             [this, peer, timeout]() { return worker_->syncOnce(peer, timeout); });
}

void Replicator::heardFrom(const std::string& peer) {
  auto it = backOffs_.find(peer);
  if (it != backOffs_.end()) it->second.wake();
}

void Replicator::run() {
  pthread_setname_np(pthread_self(), "jh-replicate");  // (per-thread CPU: scripts/cpu-per-order.sh)
  auto io = kj::setupAsyncIo();
  auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
  Worker worker(node_, mainExecutor_, io, secret_, backOffs_);
  {
    std::lock_guard lock(mutex_);
    stopRequest_ = kj::mv(paf.fulfiller);
    executor_ = &kj::getCurrentThreadExecutor();
    worker_ = &worker;
    running_ = true;
  }
  started_.notify_all();
  worker.start();
  paf.promise.wait(io.waitScope);
}

kj::Promise<void> Replicator::stop() {
  if (!thread_.joinable()) return kj::READY_NOW;
  stopRequest_->fulfill();
  // Join off the event loop: the thread may need this loop to finish a call into the node.
  auto done = kj::newPromiseAndCrossThreadFulfiller<void>();
  stopped_ = kj::mv(done.fulfiller);
  std::thread([this]() {
    thread_.join();
    stopped_->fulfill();
  }).detach();
  return kj::mv(done.promise);
}

}  // namespace jh
