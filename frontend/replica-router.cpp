// Health table, the choice and promotion of the primary, routing with failover, hand-over.
#include "frontend/replica-router.h"

#include <algorithm>

#include <fmt/format.h>
#include <kj/debug.h>

#include "schema/runtime/failure-words.h"
#include "schema/runtime/log.h"
#include "schema/rpc/task-errors.h"

namespace jh {

namespace {
LogTaskFailures logErrors{"router"};

// What a client is told when no replica could serve its call.
Rejection noReplica() {
  return {rpc::RejectCode::UNAVAILABLE,
          "The ordering service is unavailable right now; please try again shortly."};
}

constexpr auto HANDOVER_POLL = 2 * kj::MILLISECONDS;

enum State { DOWN, SYNCING, READY, DEGRADED, STOPPING };

const char* stateName(int s) {
  switch (s) {
    case READY: return "READY";
    case SYNCING: return "SYNCING";
    case DEGRADED: return "DEGRADED";
    case STOPPING: return "STOPPING";
  }
  return "DOWN";
}

int stateOf(rpc::ReplicaState s) {
  switch (s) {
    case rpc::ReplicaState::READY: return READY;
    case rpc::ReplicaState::DEGRADED: return DEGRADED;
    case rpc::ReplicaState::STOPPING: return STOPPING;
    case rpc::ReplicaState::SYNCING: return SYNCING;
  }
  return SYNCING;
}

}  // namespace

struct ReplicaRouter::Replica {
  Replica(const NodeConfig& c, kj::Network& net, kj::Timer& timer, uint32_t timeoutMs,
          const std::string& secret, std::atomic<uint32_t>& inFlight)
      : config(c), link(net, timer, c.address, timeoutMs, replicaOpener(secret)),
        inFlight(inFlight) {}
  NodeConfig config;
  RpcLink link;
  int state = DOWN;
  kj::Maybe<kj::TimePoint> lastSeen;
  VersionVector vector;
  IncarnationDigests digests;
  uint64_t rowCount = 0;
  uint64_t orderCount = 0;
  uint64_t fetched = 0;
  std::string contentDigest;
  std::atomic<uint32_t>& inFlight;  // calls routed to it and not yet answered, by every loop
  kj::TimePoint refusedUntil = kj::origin<kj::TimePoint>();  // not chosen again before then
  bool diverged = false;
};

ReplicaRouter::ReplicaRouter(const ClusterConfig& config, std::string name, kj::Network& network,
                             kj::Timer& timer, const std::string& secret, RoutingBoard* board,
                             size_t loop)
    : config_(config), name_(std::move(name)),
      ownBoard_(board ? kj::Own<RoutingBoard>() : kj::heap<RoutingBoard>(config.replicas.size())),
      board_(board ? *board : *ownBoard_), loop_(loop), timer_(timer),
      heartbeatMs_(config.heartbeatMs), startedAt_(timer.now()),
      tasks_(kj::heap<kj::TaskSet>(logErrors)) {
  for (size_t i = 0; i < config.replicas.size(); ++i) {
    replicas_.push_back(kj::heap<Replica>(config.replicas[i], network, timer, config.callTimeoutMs,
                                          secret, board_.inFlight(i)));
  }
}

ReplicaRouter::~ReplicaRouter() { board_.leave(loop_); }

size_t ReplicaRouter::indexOf(const Replica& r) const {
  for (size_t i = 0; i < replicas_.size(); ++i) {
    if (replicas_[i].get() == &r) return i;
  }
  KJ_FAIL_ASSERT("not one of this router's replicas");
}

kj::Promise<void> ReplicaRouter::start() {
  if (!leads()) {
    adopt(board_.follow(loop_, *this));
    // Dial every replica now, as the lead's first probes do: a connection made at start keeps
    // working when the replica later runs out of descriptors for new ones. One that fails is
    // dialled again by the first call that needs it.
    for (auto& r : replicas_) {
      tasks_->add(
          r->link.get<rpc::Replica>().then([](rpc::Replica::Client) {}, [](kj::Exception&&) {}));
    }
    return kj::READY_NOW;
  }
  board_.lead(*this);
  events_.record(rpc::EventKind::STARTED, {}, fmt::format("{} started.", name_));
  auto first = kj::heapArrayBuilder<kj::Promise<void>>(replicas_.size());
  for (auto& r : replicas_) first.add(probe(*r));
  return kj::joinPromises(first.finish()).then([this]() {
    // Chosen once the first round of answers is in, not as each arrives: every choice costs a
    // promotion, which is a sync.
    chosenOnce_ = true;
    reconsider();
    for (auto& r : replicas_) {
      Replica& replica = *r;
      tasks_->add(timer_.afterDelay(heartbeatMs_ * kj::MILLISECONDS).then([this, &replica]() {
        return heartbeatLoop(replica);
      }));
    }
  });
}

void ReplicaRouter::setHeartbeat(uint32_t ms) {
  say(LogLevel::INFO, "heartbeat period {} ms -> {} ms", heartbeatMs_, ms);
  heartbeatMs_ = ms;
}

kj::Promise<void> ReplicaRouter::heartbeatLoop(Replica& r) {
  return probe(r)
      .then([this]() { return timer_.afterDelay(heartbeatMs_ * kj::MILLISECONDS); })
      .then([this, &r]() { return heartbeatLoop(r); });
}

kj::Promise<void> ReplicaRouter::probe(Replica& r) {
  auto call = r.link.get<rpc::Replica>().then(
      [](rpc::Replica::Client c) { return c.healthRequest().send(); });
  return timer_.timeoutAfter(config_.callTimeoutMs * kj::MILLISECONDS, kj::mv(call))
      .then(
          [this, &r](capnp::Response<rpc::Replica::HealthResults> reply) {
            auto h = reply.getHealth();
            r.lastSeen = timer_.now();
            r.digests.clear();
            r.vector = VersionVector::fromWire(h.getVector(), &r.digests);
            r.rowCount = h.getRowCount();
            r.orderCount = h.getOrderCount();
            r.fetched = h.getFetched();
            r.contentDigest = h.getContentDigest();
            noteState(r, stateOf(h.getState()));
            checkDivergence();
            if (chosenOnce_) reconsider();
          },
          [this, &r](kj::Exception&& e) { markDown(r, e); });
}

void ReplicaRouter::noteState(Replica& r, int state) {
  if (state == r.state) return;
  int before = r.state;
  r.state = state;
  const std::string& name = r.config.name;
  if (state == DOWN) {
    events_.record(rpc::EventKind::REPLICA_DOWN, name, fmt::format("{} is down.", name));
  } else if (before == DOWN) {
    events_.record(rpc::EventKind::REPLICA_UP, name,
                   fmt::format("{} answers again ({}).", name, stateName(state)));
    say(LogLevel::INFO, "{} answers again and is {}", name, stateName(state));
  } else if (state == READY && before == SYNCING) {
    events_.record(rpc::EventKind::REPLICA_READY, name,
                   fmt::format("{} has caught up: {} fetched since it started.", name,
                               counted(r.fetched, "row", "rows")),
                   r.fetched);
    say(LogLevel::INFO, "{} has caught up ({} fetched since it started) and is READY", name,
        counted(r.fetched, "row", "rows"));
  } else {
    say(LogLevel::INFO, "{} is {}", name, stateName(state));
  }
}

void ReplicaRouter::markDown(Replica& r, const kj::Exception& e) {
  r.link.drop();
  if (r.state != DOWN) {
    bool wasPrimary = static_cast<int>(indexOf(r)) == primary_;
    if (wasPrimary) {
      say(LogLevel::WARN, "the primary {} is down: {}", r.config.name, failureReason(e));
    } else {
      say(LogLevel::WARN, "{} is down: {}", r.config.name, failureReason(e));
    }
  }
  noteState(r, DOWN);
  if (chosenOnce_) reconsider();
}

int ReplicaRouter::choosePrimary() const {
  auto now = timer_.now();
  for (size_t i = 0; i < replicas_.size(); ++i) {
    const Replica& r = *replicas_[i];
    if (r.state == READY && now >= r.refusedUntil) return static_cast<int>(i);
  }
  return -1;
}

void ReplicaRouter::reconsider() {
  choose();
  RoutingView view{primary_, holdingCalls(), handingOver_};
  if (!chosenOnce_) view.holding = true;  // the first choice is not made yet
  for (auto& sent : board_.post(view)) tasks_->add(kj::mv(sent));
}

void ReplicaRouter::choose() {
  if (promoting_ >= 0) return;  // one promotion at a time; when it ends, this runs again
  if (primary_ >= 0 && replicas_[primary_]->state != READY) {
    primary_ = -1;  // it went away, or refused a call: fail over
  }
  int chosen = choosePrimary();
  if (chosen < 0) {
    if (primary_ < 0 && !noPrimaryReported_) {
      noPrimaryReported_ = true;
      events_.record(rpc::EventKind::NO_PRIMARY, {},
                     "No replica can serve: orders are refused as unavailable.");
      say(LogLevel::WARN, "no replica can serve as primary: orders are refused as unavailable");
    }
    return;
  }
  if (chosen == primary_) return;
  if (primary_ >= 0 && chosen > primary_) return;  // a healthy primary stays until a better one
  // At start, a higher-priority replica still catching up is worth waiting for (a moment, at
  // most the sync timeout) rather than promoting one replica now and another a second later.
  if (lastPromoted_.empty() &&
      timer_.now() < startedAt_ + config_.syncTimeoutMs * kj::MILLISECONDS) {
    for (int i = 0; i < chosen; ++i) {
      if (replicas_[i]->state == SYNCING) return;
    }
  }
  bool handOver = primary_ >= 0;
  auto done = promote(static_cast<size_t>(chosen), handOver).fork();
  tasks_->add(done.addBranch());
  promotion_ = kj::mv(done);
}

kj::Promise<void> ReplicaRouter::drainOldPrimary(size_t from, kj::TimePoint deadline) {
  // What the old primary is doing must finish first, so that what it acknowledges is there for
  // the new one to pull.
  if (replicas_[from]->inFlight == 0 || timer_.now() >= deadline) return kj::READY_NOW;
  return timer_.afterDelay(HANDOVER_POLL).then([this, from, deadline]() {
    return drainOldPrimary(from, deadline);
  });
}

kj::Promise<void> ReplicaRouter::promote(size_t chosen, bool handOver) {
  Replica& next = *replicas_[chosen];
  promoting_ = static_cast<int>(chosen);
  handingOver_ = handOver;
  const std::string& name = next.config.name;
  kj::Promise<void> ready = kj::READY_NOW;
  if (handOver) {
    size_t from = static_cast<size_t>(primary_);
    std::string message = fmt::format(
        "Handing over from {} to {}, which is back: holding new orders "
        "while it syncs.",
        replicas_[from]->config.name, name);
    events_.record(rpc::EventKind::HAND_OVER, name, message);
    say(LogLevel::INFO, "{}", message);
    ready = drainOldPrimary(from, timer_.now() + config_.callTimeoutMs * kj::MILLISECONDS);
  }
  std::string previous = lastPromoted_;
  events_.record(rpc::EventKind::PROMOTING, name,
                 fmt::format("Promoting {}: it syncs with its peers first.", name));
  return ready
      .then([this, &next]() {
        std::vector<std::string> skip;
        for (auto& r : replicas_) {
          if (r.get() != &next && r->state == DOWN) skip.push_back(r->config.name);
        }
        auto call =
            next.link.get<rpc::Replica>().then([this, skip = kj::mv(skip)](rpc::Replica::Client c) {
              auto req = c.promoteRequest();
              req.setFrontend(name_);
              req.setMinAcks(config_.minAcks);
              auto list = req.initSkip(static_cast<unsigned>(skip.size()));
              for (unsigned i = 0; i < skip.size(); ++i) list.set(i, skip[i]);
              return req.send();
            });
        // The replica bounds its own sync by the call timeout; allow for the round trips around it.
        return timer_.timeoutAfter(2 * config_.callTimeoutMs * kj::MILLISECONDS, kj::mv(call));
      })
      .then(
          [this, &next, chosen, handOver,
           previous](capnp::Response<rpc::Replica::PromoteResults> reply) {
            auto result = reply.getResult();
            const std::string& name = next.config.name;
            if (result.isPromoted()) {
              auto done = result.getPromoted();
              std::vector<std::string> peers;
              for (auto p : done.getSyncedWith()) peers.push_back(p);
              std::string synced = peers.empty() ? std::string("no peer")
                                                 : fmt::format("{}", fmt::join(peers, " and "));
              std::string message =
                  fmt::format("{} is now the primary{}: it synced with {} and fetched {}.", name,
                              previous.empty() || previous == name ? "" : " (was " + previous + ")",
                              synced, counted(done.getFetched(), "row", "rows"));
              events_.record(rpc::EventKind::PROMOTED, name, message, done.getFetched());
              if (previous.empty() || handOver) {
                say(LogLevel::INFO, "{}", message);
              } else {
                say(LogLevel::WARN, "failover: {}", message);
              }
              primary_ = static_cast<int>(chosen);
              lastPromoted_ = name;
              noPrimaryReported_ = false;
              return;
            }
            auto refused = result.getRefused();
            std::string message =
                fmt::format("{} could not be promoted: {}", name, refused.getMessage().cStr());
            events_.record(rpc::EventKind::PROMOTION_FAILED, name, message);
            say(LogLevel::WARN, "{}", message);
            next.refusedUntil =
                timer_.now() + std::max<uint32_t>(2 * heartbeatMs_, 100) * kj::MILLISECONDS;
            if (refused.getCode() == rpc::RejectCode::NOT_READY && next.state == READY)
              noteState(next, SYNCING);
          },
          [this, &next](kj::Exception&& e) {
            if (!isConnectionFailure(e)) {
              say(LogLevel::ERROR, "promoting {} failed: {}", next.config.name, failureReason(e));
              next.refusedUntil =
                  timer_.now() + std::max<uint32_t>(2 * heartbeatMs_, 100) * kj::MILLISECONDS;
              return;
            }
            markDown(next, e);
          })
      .then([this]() {
        promoting_ = -1;
        handingOver_ = false;
        promotion_ = nullptr;
        reconsider();
      });
}

void ReplicaRouter::checkDivergence() {
  for (auto& r : replicas_) {
    bool diverged = false;
    for (auto& other : replicas_) {
      if (other == r || other->state == DOWN || r->state == DOWN) continue;
      for (auto& [source, digest] : r->digests) {
        uint64_t seq = r->vector.get(source);
        if (seq == 0 || other->vector.get(source) != seq) continue;
        auto theirs = other->digests.find(source);
        if (theirs != other->digests.end() && theirs->second != digest) diverged = true;
      }
    }
    if (diverged && !r->diverged) {
      std::string message = fmt::format(
          "{} holds rows that another replica holds differently under the same "
          "names: the replicas have DIVERGED.",
          r->config.name);
      events_.record(rpc::EventKind::DIVERGED, r->config.name, message);
      say(LogLevel::ERROR, "{}", message);
    }
    r->diverged = diverged;
  }
}

kj::Promise<bool> ReplicaRouter::route(Attempt attempt) {
  auto owned = kj::heap<Attempt>(kj::mv(attempt));
  Attempt& ref = *owned;
  // A call tries each replica at most once and waits for each promotion at most the call
  // timeout; this bounds the whole of it even while promotions keep failing.
  auto deadline = timer_.now() + (replicas_.size() + 1) * config_.callTimeoutMs * kj::MILLISECONDS;
  return tryOn(ref, 0, deadline).attach(kj::mv(owned));
}

kj::Promise<std::optional<Rejection>> ReplicaRouter::serve(Attempt attempt) {
  return route(kj::mv(attempt))
      .then(
          [](bool served) -> std::optional<Rejection> {
            if (served) return std::nullopt;
            return noReplica();
          },
          [](kj::Exception&& e) -> std::optional<Rejection> {
            // Not a connection failure (route() fails over on those): a bug here or far away.
            JH_ERROR(
                "a call to the replicas failed inside the front-end ({}); the client was told the "
                "service is unavailable",
                e.getDescription().cStr());
            return noReplica();
          });
}

kj::Promise<bool> ReplicaRouter::tryOn(Attempt& attempt, uint64_t tried, kj::TimePoint deadline) {
  if (holdingCalls()) {
    auto now = timer_.now();
    if (now >= deadline) return false;
    auto until = std::min(deadline, now + config_.callTimeoutMs * kj::MILLISECONDS);
    auto ended = KJ_ASSERT_NONNULL(promotion_).addBranch().then([]() { return true; });
    return ended.exclusiveJoin(timer_.atTime(until).then([]() { return false; }))
        .then([this, &attempt, tried, deadline](bool promotionEnded) -> kj::Promise<bool> {
          if (!promotionEnded) return false;
          return tryOn(attempt, tried, deadline);
        });
  }
  if (primary_ < 0 || (tried >> primary_ & 1)) return false;
  int i = primary_;
  Replica& r = *replicas_[i];
  ++r.inFlight;
  auto call =
      r.link.get<rpc::Replica>().then([&attempt](rpc::Replica::Client c) { return attempt(c); });
  uint64_t nowTried = tried | (uint64_t(1) << i);
  return timer_.timeoutAfter(config_.callTimeoutMs * kj::MILLISECONDS, kj::mv(call))
      .attach(kj::defer([&r]() { --r.inFlight; }))
      .then(
          [this, &r, &attempt, nowTried, deadline](Served served) -> kj::Promise<bool> {
            if (served == Served::YES) return true;
            say(LogLevel::INFO,
                "{} refused the call (it does not serve now); trying the next replica",
                r.config.name);
            callFailed(r, false, KJ_EXCEPTION(FAILED, "it refused the call"));
            return tryOn(attempt, nowTried, deadline);
          },
          [this, &r, &attempt, nowTried, deadline](kj::Exception&& e) -> kj::Promise<bool> {
            if (!isConnectionFailure(e)) kj::throwFatalException(kj::mv(e));
            callFailed(r, true, e);
            return tryOn(attempt, nowTried, deadline);
          });
}

void ReplicaRouter::callFailed(Replica& r, bool down, const kj::Exception& e) {
  if (leads()) {
    if (down) {
      markDown(r, e);
    } else {
      if (r.state == READY) noteState(r, SYNCING);  // until its next health answer
      reconsider();
    }
    return;
  }
  if (down) r.link.drop();
  size_t i = indexOf(r);
  // Until the lead's answer (its next view), calls wait rather than try a replica it may not
  // have promoted.
  adopt(RoutingView{-1, true, false});
  tasks_->add(board_.report(i, down, failureReason(e)));
}

void ReplicaRouter::adopt(const RoutingView& view) {
  primary_ = view.primary;
  handingOver_ = view.handingOver;
  if (view.holding && viewCame_.get() == nullptr) {
    auto paf = kj::newPromiseAndFulfiller<void>();
    promotion_ = paf.promise.fork();
    viewCame_ = kj::mv(paf.fulfiller);
  } else if (!view.holding && viewCame_.get() != nullptr) {
    viewCame_->fulfill();
    viewCame_ = nullptr;
    promotion_ = nullptr;
  }
}

void ReplicaRouter::reported(size_t i, bool down, const std::string& reason) {
  KJ_REQUIRE(i < replicas_.size());
  Replica& r = *replicas_[i];
  if (down) {
    if (r.state == DOWN) return reconsider();  // already known; the follower waits for a view
    markDown(r, plainException(kj::Exception::Type::DISCONNECTED, reason));
    return;
  }
  if (r.state == READY) noteState(r, SYNCING);
  reconsider();
}

std::vector<ReplicaRow> ReplicaRouter::table() const {
  std::vector<ReplicaRow> rows;
  const Replica* primary = primary_ >= 0 ? replicas_[primary_].get() : nullptr;
  for (size_t i = 0; i < replicas_.size(); ++i) {
    const Replica& r = *replicas_[i];
    ReplicaRow row;
    row.name = r.config.name;
    row.address = r.config.address;
    row.state = static_cast<int>(i) == promoting_ ? "PROMOTING" : stateName(r.state);
    row.role = static_cast<int>(i) == primary_ ? "primary" : r.state == DOWN ? "down" : "backup";
    KJ_IF_MAYBE (seen, r.lastSeen) {
      row.lastSeenMsAgo = (timer_.now() - *seen) / kj::MILLISECONDS;
    }
    row.orderCount = r.orderCount;
    row.rowCount = r.rowCount;
    row.fetched = r.fetched;
    row.diverged = r.diverged;
    if (primary && r.state != DOWN) {
      row.lag = r.vector.lagBehind(primary->vector);
      row.contentDiffers = !r.contentDigest.empty() && r.contentDigest != primary->contentDigest;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string ReplicaRouter::primaryName() const {
  return primary_ >= 0 ? replicas_[primary_]->config.name : std::string();
}

}  // namespace jh
