// Health table, routing with failover, and planned hand-back to a returning replica.
#include "frontend/replica-router.h"

#include <kj/debug.h>

#include "schema/log.h"
#include "schema/task-errors.h"

namespace jh {

namespace {
LogTaskFailures logErrors{"router"};
constexpr auto HANDOVER_POLL = 2 * kj::MILLISECONDS;
}  // namespace

namespace {
template <typename State>
const char* stateName(State s) {
  switch (s) {
    case State::READY: return "READY";
    case State::SYNCING: return "SYNCING";
    case State::DEGRADED: return "DEGRADED";
    case State::DOWN: return "DOWN";
  }
  return "DOWN";
}
}  // namespace

struct ReplicaRouter::Replica {
  Replica(const NodeConfig& c, kj::Network& net, kj::Timer& timer, uint32_t timeoutMs,
          const std::string& secret)
      : config(c), link(net, timer, c.address, timeoutMs, replicaOpener(secret)) {}
  NodeConfig config;
  RpcLink link;
  enum class State { DOWN, SYNCING, READY, DEGRADED } state = State::DOWN;
  kj::Maybe<kj::TimePoint> lastSeen;
  VersionVector vector;
  uint64_t orderCount = 0;
  std::string digest;
  uint32_t inFlight = 0;  // calls routed to it and not yet answered
};

ReplicaRouter::ReplicaRouter(const ClusterConfig& config, kj::Network& network, kj::Timer& timer,
                             const std::string& secret)
    : config_(config), timer_(timer), heartbeatMs_(config.heartbeatMs),
      tasks_(kj::heap<kj::TaskSet>(logErrors)) {
  for (auto& r : config.replicas) {
    replicas_.push_back(kj::heap<Replica>(r, network, timer, config.callTimeoutMs, secret));
  }
}

ReplicaRouter::~ReplicaRouter() {}

kj::Promise<void> ReplicaRouter::start() {
  auto first = kj::heapArrayBuilder<kj::Promise<void>>(replicas_.size());
  for (auto& r : replicas_) first.add(probe(*r));
  return kj::joinPromises(first.finish()).then([this]() {
    reconsiderPrimary();
    for (auto& r : replicas_) {
      Replica& replica = *r;
      tasks_->add(timer_.afterDelay(heartbeatMs_ * kj::MILLISECONDS).then([this, &replica]() {
        return heartbeatLoop(replica);
      }));
    }
  });
}

void ReplicaRouter::setHeartbeat(uint32_t ms) {
  JH_INFO("heartbeat period {} ms -> {} ms", heartbeatMs_, ms);
  heartbeatMs_ = ms;
}

kj::Promise<void> ReplicaRouter::heartbeatLoop(Replica& r) {
  return probe(r).then([this]() { return timer_.afterDelay(heartbeatMs_ * kj::MILLISECONDS); })
      .then([this, &r]() { return heartbeatLoop(r); });
}

kj::Promise<void> ReplicaRouter::probe(Replica& r) {
  auto call = r.link.get<rpc::Replica>().then([](rpc::Replica::Client c) {
    return c.healthRequest().send();
  });
  return timer_.timeoutAfter(config_.callTimeoutMs * kj::MILLISECONDS, kj::mv(call))
      .then(
          [this, &r](capnp::Response<rpc::Replica::HealthResults> reply) {
            auto h = reply.getHealth();
            auto state = h.getState() == rpc::ReplicaState::READY      ? Replica::State::READY
                         : h.getState() == rpc::ReplicaState::DEGRADED ? Replica::State::DEGRADED
                                                                        : Replica::State::SYNCING;
            if (state != r.state) JH_INFO("{} is {}", r.config.name, stateName(state));
            r.state = state;
            r.lastSeen = timer_.now();
            r.vector = VersionVector::fromWire(h.getVector());
            r.orderCount = h.getOrderCount();
            r.digest = h.getContentDigest();
            reconsiderPrimary();
          },
          [this, &r](kj::Exception&& e) { markDown(r, e); });
}

void ReplicaRouter::markDown(Replica& r, const kj::Exception& e) {
  r.link.drop();
  if (r.state != Replica::State::DOWN) {
    JH_WARN("{} is DOWN: {}", r.config.name, e.getDescription().cStr());
  }
  r.state = Replica::State::DOWN;
  reconsiderPrimary();
}

int ReplicaRouter::choose(uint64_t tried) const {
  if (primary_ >= 0 && !(tried >> primary_ & 1) && replicas_[primary_]->state == Replica::State::READY) {
    return primary_;
  }
  for (size_t i = 0; i < replicas_.size(); ++i) {
    if (!(tried >> i & 1) && replicas_[i]->state == Replica::State::READY) return static_cast<int>(i);
  }
  return -1;
}

void ReplicaRouter::reconsiderPrimary() {
  int best = -1;
  for (size_t i = 0; i < replicas_.size() && best < 0; ++i) {
    if (replicas_[i]->state == Replica::State::READY) best = static_cast<int>(i);
  }
  if (best < 0) {
    if (primary_ >= 0) JH_WARN("no replica is READY: orders cannot be taken");
    primary_ = -1;
    return;
  }
  if (primary_ < 0 || replicas_[primary_]->state != Replica::State::READY) {
    if (primary_ != best) {
      JH_WARN("failover: primary is now {}{}", replicas_[best]->config.name,
              primary_ >= 0 ? " (was " + replicas_[primary_]->config.name + ")" : std::string());
    }
    primary_ = best;
    return;
  }
  if (best < primary_ && handover_ == nullptr) {
    size_t from = static_cast<size_t>(primary_), to = static_cast<size_t>(best);
    JH_INFO("{} is READY again: holding new calls until it holds everything {} acknowledged",
            replicas_[to]->config.name, replicas_[from]->config.name);
    auto deadline = timer_.now() + 2 * config_.callTimeoutMs * kj::MILLISECONDS;
    auto done = handOver(from, to, deadline).then([this]() { handover_ = nullptr; }).fork();
    tasks_->add(done.addBranch());
    handover_ = kj::mv(done);
  }
}

kj::Promise<void> ReplicaRouter::handOver(size_t from, size_t to, kj::TimePoint deadline) {
  Replica& old = *replicas_[from];
  Replica& next = *replicas_[to];
  if (next.state != Replica::State::READY) {
    JH_WARN("hand-over to {} abandoned: it is no longer READY", next.config.name);
    return kj::READY_NOW;
  }
  if (old.state != Replica::State::READY) {  // the old primary went away meanwhile: fail over
    primary_ = static_cast<int>(to);
    JH_WARN("failover: primary is now {} (was {})", next.config.name, old.config.name);
    return kj::READY_NOW;
  }
  if (timer_.now() >= deadline) {
    JH_WARN("hand-over to {} postponed: it did not catch up with {} in time", next.config.name,
            old.config.name);
    return kj::READY_NOW;
  }
  if (old.inFlight > 0) {  // let what the old primary is doing finish, so its vector is final
    return timer_.afterDelay(HANDOVER_POLL).then([this, from, to, deadline]() {
      return handOver(from, to, deadline);
    });
  }
  return probe(old).then([this, &next]() { return probe(next); }).then([this, from, to, deadline]() -> kj::Promise<void> {
    Replica& old = *replicas_[from];
    Replica& next = *replicas_[to];
    if (old.state == Replica::State::READY && next.state == Replica::State::READY &&
        next.vector.covers(old.vector) && old.inFlight == 0) {
      primary_ = static_cast<int>(to);
      JH_INFO("hand-over done: primary is now {} (was {}), vector {}", next.config.name,
              old.config.name, next.vector.toString());
      return kj::READY_NOW;
    }
    return timer_.afterDelay(HANDOVER_POLL).then([this, from, to, deadline]() {
      return handOver(from, to, deadline);
    });
  });
}

kj::Promise<bool> ReplicaRouter::route(Attempt attempt) {
  auto owned = kj::heap<Attempt>(kj::mv(attempt));
  Attempt& ref = *owned;
  kj::Promise<void> ready = kj::READY_NOW;
  KJ_IF_MAYBE(h, handover_) { ready = h->addBranch(); }
  return ready.then([this, &ref]() { return tryNext(ref, 0); }).attach(kj::mv(owned));
}

kj::Promise<bool> ReplicaRouter::tryNext(Attempt& attempt, uint64_t tried) {
  int i = choose(tried);
  if (i < 0) return false;
  Replica& r = *replicas_[i];
  ++r.inFlight;
  auto call = r.link.get<rpc::Replica>().then([&attempt](rpc::Replica::Client c) { return attempt(c); });
  uint64_t nowTried = tried | (uint64_t(1) << i);
  return timer_.timeoutAfter(config_.callTimeoutMs * kj::MILLISECONDS, kj::mv(call))
      .attach(kj::defer([&r]() { --r.inFlight; }))
      .then(
          [this, &r, &attempt, nowTried](bool served) -> kj::Promise<bool> {
            if (served) return true;
            JH_INFO("{} refused the call (not ready); trying the next replica", r.config.name);
            if (r.state == Replica::State::READY) r.state = Replica::State::SYNCING;
            reconsiderPrimary();
            return tryNext(attempt, nowTried);
          },
          [this, &r, &attempt, nowTried](kj::Exception&& e) -> kj::Promise<bool> {
            if (!isConnectionFailure(e)) kj::throwFatalException(kj::mv(e));
            markDown(r, e);
            return tryNext(attempt, nowTried);
          });
}

std::vector<ReplicaRow> ReplicaRouter::table() const {
  std::vector<ReplicaRow> rows;
  const Replica* primary = primary_ >= 0 ? replicas_[primary_].get() : nullptr;
  for (size_t i = 0; i < replicas_.size(); ++i) {
    const Replica& r = *replicas_[i];
    ReplicaRow row;
    row.name = r.config.name;
    row.address = r.config.address;
    row.state = stateName(r.state);
    row.role = static_cast<int>(i) == primary_ ? "primary" : r.state == Replica::State::DOWN ? "down" : "backup";
    KJ_IF_MAYBE(seen, r.lastSeen) { row.lastSeenMsAgo = (timer_.now() - *seen) / kj::MILLISECONDS; }
    row.orderCount = r.orderCount;
    if (primary && r.state != Replica::State::DOWN) {
      row.lag = r.vector.lagBehind(primary->vector);
      row.contentDiffers = !r.digest.empty() && r.digest != primary->digest;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ReplicaRouter::primaryName() const {
  return primary_ >= 0 ? replicas_[primary_]->config.name : std::string();
}

}  // namespace jh
