// Replication thread: catch-up pulls, then per-peer push loops.
#include "replica/replicator.h"

#include <algorithm>

#include <capnp/message.h>
#include <kj/async-io.h>
#include <kj/debug.h>

#include "schema/log.h"
#include "schema/task-errors.h"
#include "schema/rpc-link.h"

namespace jh {

namespace {
constexpr size_t PUSH_BATCH = 2000;   // rows per replicate call
// replicate calls on their way to one peer: while the peer syncs one batch, the next is already
// there, so its writer goes from one sync to the next without waiting out a round trip.
constexpr uint32_t PUSHES_IN_FLIGHT = 2;
constexpr uint32_t PULL_BATCH = 5000; // rows per pull reply
constexpr uint32_t FIRST_BACKOFF_MS = 50;
constexpr uint32_t MAX_BACKOFF_MS = 1000;
// At start a peer that cannot be reached is most often one still loading its orders.csv (it
// listens once loaded): asked again every 100 ms at most, so that replicas started together are
// READY moments after the slowest has loaded. The sync timeout bounds the asking.
constexpr uint32_t MAX_CATCH_UP_BACKOFF_MS = 100;
// A replica pushes its own orders at once. Other origins' orders reach every peer from their
// origin; a replica forwards them only when a peer still lacks them this long after it last
// heard from the peer (the origin may have died before reaching everyone). This halves what each
// backup receives while the primary is up.
constexpr auto FORWARD_AFTER = 100 * kj::MILLISECONDS;

LogTaskFailures logErrors{"replication"};
}  // namespace

// Everything that lives on the replication thread.
class Replicator::Worker {
 public:
  Worker(ReplicaNode& node, const kj::Executor& main, kj::AsyncIoContext& io, const std::string& secret)
      : node_(node), main_(main), timer_(io.provider->getTimer()), tasks_(logErrors) {
    const ClusterConfig& c = node.config();
    for (auto& r : c.replicas) {
      if (r.name == node.name()) continue;
      peers_.push_back(kj::heap<Peer>(r.name, io.provider->getNetwork(), timer_, r.address,
                                      c.callTimeoutMs, secret));
    }
  }

  void start() {
    auto deadline = timer_.now() + node_.config().syncTimeoutMs * kj::MILLISECONDS;
    auto catchUps = kj::heapArrayBuilder<kj::Promise<void>>(peers_.size());
    for (auto& p : peers_) catchUps.add(catchUp(*p, deadline, FIRST_BACKOFF_MS));
    tasks_.add(kj::joinPromises(catchUps.finish()).then([this]() {
      return main_.executeAsync([&node = node_]() { node.setReady(); });
    }).then([this]() {
      for (auto& p : peers_) tasks_.add(pushLoop(*p));
    }));
  }

 private:
  struct Peer {
    Peer(std::string n, kj::Network& net, kj::Timer& timer, const std::string& address,
         uint32_t timeoutMs, const std::string& secret)
        : name(std::move(n)), link(net, timer, address, timeoutMs, replicaOpener(secret)) {}
    std::string name;
    RpcLink link;
    bool known = false;       // `vector` reflects the peer's last reply
    bool reachable = false;
    VersionVector vector;     // what the peer holds, as of its last reply
    VersionVector sent;       // `vector` and what is on its way to the peer in replicate calls
    uint32_t inFlight = 0;    // replicate calls not answered yet
    kj::Maybe<kj::Exception> failure;  // one failed: start over once none is in flight
    bool behind = false;      // a reply held less than its call carried: resend from `vector`
    kj::Own<kj::PromiseFulfiller<void>> answered;  // wakes the loop when a call ends
    kj::TimePoint heardAt = kj::origin<kj::TimePoint>();  // when `vector` was last updated
    bool forward = false;     // send other origins' rows too: a fresh vector shows them lacking
    uint32_t backoffMs = FIRST_BACKOFF_MS;
  };

  uint32_t timeoutMs() const { return node_.config().callTimeoutMs; }

  // Tells the node what the peer holds (for min_acks and health); no round trip to the main thread.
  void report(Peer& p) { node_.onPeerProgress(p.name, p.reachable, p.vector); }

  kj::Promise<void> failed(Peer& p, const kj::Exception& e, const char* what) {
    if (p.reachable || p.backoffMs == FIRST_BACKOFF_MS) {
      JH_INFO("{} to {} failed ({}); retrying with back-off", what, p.name,
              e.getDescription().cStr());
    }
    p.link.drop();
    p.known = false;
    bool wasReachable = p.reachable;
    p.reachable = false;
    uint32_t wait = p.backoffMs;
    p.backoffMs = std::min(p.backoffMs * 2, MAX_BACKOFF_MS);
    if (wasReachable) report(p);
    return timer_.afterDelay(wait * kj::MILLISECONDS);
  }

  // Pulls everything the peer has that this replica lacks. Gives up on a peer that cannot be
  // reached by `deadline`; a peer that answers is followed to the end.
  kj::Promise<void> catchUp(Peer& p, kj::TimePoint deadline, uint32_t backoffMs) {
    return main_.executeAsync([&node = node_]() { return node.store().vector(); })
        .then([this, &p](VersionVector mine) {
          auto req = p.link.get<rpc::Replica>().then([mine = kj::mv(mine)](rpc::Replica::Client c) {
            auto r = c.pullRequest();
            mine.fill([&](unsigned n) { return r.initVector(n); });
            r.setLimit(PULL_BATCH);
            return r.send();
          });
          return timer_.timeoutAfter(timeoutMs() * kj::MILLISECONDS, kj::mv(req));
        })
        .then(
            [this, &p, deadline](capnp::Response<rpc::Replica::PullResults> reply) {
              std::vector<OrderRecord> rows;
              rows.reserve(reply.getOrders().size());
              for (auto o : reply.getOrders()) rows.push_back(fromWire(o));
              bool more = reply.getMore();
              size_t count = rows.size();
              if (!p.reachable) JH_INFO("catching up from {}", p.name);
              p.reachable = true;
              return main_.executeAsync([&node = node_, rows = std::move(rows)]() mutable {
                       return node.ingest(std::move(rows));
                     })
                  .then([this, &p, deadline, more, count](VersionVector) -> kj::Promise<void> {
                    if (more || count > 0) return catchUp(p, deadline, FIRST_BACKOFF_MS);
                    JH_INFO("caught up from {}", p.name);
                    return kj::READY_NOW;
                  });
            },
            [this, &p, deadline, backoffMs](kj::Exception&& e) -> kj::Promise<void> {
              p.link.drop();
              if (timer_.now() >= deadline) {
                JH_WARN("{} could not be reached for catch-up ({}); going on without it", p.name,
                        e.getDescription().cStr());
                return kj::READY_NOW;
              }
              return timer_.afterDelay(backoffMs * kj::MILLISECONDS).then([this, &p, deadline, backoffMs]() {
                return catchUp(p, deadline, std::min(backoffMs * 2, MAX_CATCH_UP_BACKOFF_MS));
              });
            });
  }

  // Resolves when one of the peer's replicate calls ends.
  kj::Promise<void> callEnded(Peer& p) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    p.answered = kj::mv(paf.fulfiller);
    return kj::mv(paf.promise);
  }

  // Sends rows the peer lacks without waiting for the reply (at most PUSHES_IN_FLIGHT at once).
  // The receiver applies calls in order and skips what it holds, so a call that overtakes a
  // failed one finds a gap, takes nothing and says so in its reply: `behind` then resends.
  void push(Peer& p, std::vector<OrderRecord> rows) {
    std::map<std::string, uint64_t> carried;  // per origin, the highest seq in this call
    for (auto& row : rows) {
      uint64_t& top = carried[row.origin];
      top = std::max(top, row.seq);
    }
    for (auto& [origin, seq] : carried) {
      if (seq > p.sent.get(origin)) p.sent.set(origin, seq);
    }
    ++p.inFlight;
    auto req = p.link.get<rpc::Replica>().then([this, rows = std::move(rows)](rpc::Replica::Client c) {
      auto r = c.replicateRequest(ordersWireSize(rows));
      r.setSender(node_.name());
      auto list = r.initOrders(static_cast<unsigned>(rows.size()));
      for (unsigned i = 0; i < rows.size(); ++i) toWire(rows[i], list[i]);
      return r.send();
    });
    tasks_.add(timer_.timeoutAfter(timeoutMs() * kj::MILLISECONDS, kj::mv(req))
        .then(
            [this, &p, carried = kj::mv(carried)](capnp::Response<rpc::Replica::ReplicateResults> reply) {
              p.vector = VersionVector::fromWire(reply.getVector());
              p.heardAt = timer_.now();
              p.reachable = true;
              p.backoffMs = FIRST_BACKOFF_MS;
              for (auto& [origin, seq] : carried) {
                if (p.vector.get(origin) < seq) p.behind = true;
              }
              for (auto& [origin, seq] : p.vector.entries()) {  // rows it had from elsewhere
                if (seq > p.sent.get(origin)) p.sent.set(origin, seq);
              }
              report(p);
            },
            [&p](kj::Exception&& e) {
              if (p.failure == nullptr) p.failure = kj::mv(e);
            })
        .then([&p]() {
          --p.inFlight;
          if (p.answered) {
            p.answered->fulfill();
            p.answered = nullptr;
          }
        }));
  }

  // Keeps one peer up to date, forever.
  kj::Promise<void> pushLoop(Peer& p) {
    uint64_t seen = node_.ownOrders().generation();
    if (p.inFlight == 0) {
      KJ_IF_MAYBE(e, p.failure) {
        auto failure = kj::mv(*e);
        p.failure = nullptr;
        p.behind = false;
        return failed(p, failure, "replicate").then([this, &p]() { return pushLoop(p); });
      }
      if (p.behind) {
        p.behind = false;
        p.sent = p.vector;
      }
    }
    if (!p.known && p.inFlight > 0) return callEnded(p).then([this, &p]() { return pushLoop(p); });
    if (!p.known) {
      auto req = p.link.get<rpc::Replica>().then([](rpc::Replica::Client c) {
        return c.healthRequest().send();
      });
      return timer_.timeoutAfter(timeoutMs() * kj::MILLISECONDS, kj::mv(req))
          .then(
              [this, &p](capnp::Response<rpc::Replica::HealthResults> reply) {
                p.vector = VersionVector::fromWire(reply.getHealth().getVector());
                p.sent = p.vector;
                p.heardAt = timer_.now();
                p.known = true;
                p.reachable = true;
                p.backoffMs = FIRST_BACKOFF_MS;
                report(p);
                return kj::Promise<void>(kj::READY_NOW);
              },
              [this, &p](kj::Exception&& e) { return failed(p, e, "health check"); })
          .then([this, &p]() { return pushLoop(p); });
    }
    bool more = false;
    bool mayPush = p.failure == nullptr && !p.behind && p.inFlight < PUSHES_IN_FLIGHT;
    if (mayPush) {
      std::string_view only = p.forward ? std::string_view() : std::string_view(node_.name());
      std::vector<OrderRecord> rows = node_.store().collect(p.sent, PUSH_BATCH, more, only);
      if (!rows.empty()) {
        push(p, std::move(rows));
        return pushLoop(p);  // another call may go out at once
      }
    }
    if (p.inFlight > 0) {
      auto next = callEnded(p);
      if (mayPush) next = next.exclusiveJoin(node_.ownOrders().waitAfter(seen));
      return next.then([this, &p]() { return pushLoop(p); });
    }
    // Nothing of our own to send. Other origins' rows are looked at on a timer, not on every
    // row stored here: a backup's push loops then sleep while the primary feeds it.
    bool othersLacking = node_.store().collect(p.vector, 1, more).size() > 0;
    p.forward = false;
    auto wait = FORWARD_AFTER;
    if (othersLacking) {
      auto age = timer_.now() - p.heardAt;
      if (age >= FORWARD_AFTER) {
        // Ask the peer what it holds now; whatever it still lacks is then forwarded.
        p.known = false;
        p.forward = true;
        return pushLoop(p);
      }
      wait = FORWARD_AFTER - age;
    }
    return node_.ownOrders().waitAfter(seen)
        .exclusiveJoin(timer_.afterDelay(wait))
        .then([this, &p]() { return pushLoop(p); });
  }

  ReplicaNode& node_;
  const kj::Executor& main_;
  kj::Timer& timer_;
  std::vector<kj::Own<Peer>> peers_;
  kj::TaskSet tasks_;
};

Replicator::Replicator(ReplicaNode& node, const kj::Executor& mainExecutor, std::string secret)
    : node_(node), mainExecutor_(mainExecutor), secret_(std::move(secret)) {}

Replicator::~Replicator() {
  if (thread_.joinable()) thread_.join();
}

void Replicator::start() {
  thread_ = std::thread([this] { run(); });
  std::unique_lock lock(mutex_);
  started_.wait(lock, [this] { return running_; });
}

void Replicator::run() {
  auto io = kj::setupAsyncIo();
  auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
  {
    std::lock_guard lock(mutex_);
    stopRequest_ = kj::mv(paf.fulfiller);
    running_ = true;
  }
  started_.notify_all();
  {
    Worker worker(node_, mainExecutor_, io, secret_);
    worker.start();
    paf.promise.wait(io.waitScope);
  }
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
