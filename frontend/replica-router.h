// The front-end's view of the replicas (DESIGN.md §5): a health table kept by heartbeats, the
// choice of primary (the first READY replica in priority order, in one function), its promotion
// before it serves (DESIGN.md §4), and routing of each call to the primary with failover to the
// next on a broken connection, a missed deadline or a refusal. Calls are held while a primary
// is promoted. Every change it sees goes into the event feed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <kj/async-io.h>
#include <kj/function.h>

#include "frontend/event-feed.h"
#include "frontend/routing-board.h"
#include "schema/config/cluster-config.h"
#include "schema/just-hungry.capnp.h"
#include "schema/runtime/log.h"
#include "schema/answers/rejection.h"
#include "schema/answers/replica-row.h"
#include "schema/rpc/rpc-link.h"
#include "schema/orders/version-vector.h"

namespace jh {

class ReplicaRouter {
 public:
  // `name` is this front-end's (it promotes replicas under it); `secret` is presented to the
  // replicas' gates. A front-end with several event loops has a router on each, sharing `board`:
  // loop 0's, the lead, watches the replicas, chooses and promotes the primary and keeps the
  // events; the others follow its choice (RoutingBoard). Without a board, it has one of its own
  // and leads.
  ReplicaRouter(const ClusterConfig& config, std::string name, kj::Network& network,
                kj::Timer& timer, const std::string& secret, RoutingBoard* board = nullptr,
                size_t loop = 0);
  ~ReplicaRouter();

  // The lead starts the heartbeats and resolves once every replica has answered or missed its
  // first one, and the first choice of primary has begun (calls wait for its promotion). A
  // follower resolves at once, its calls waiting for the lead's first choice.
  kj::Promise<void> start();

  void setHeartbeat(uint32_t ms);
  uint32_t heartbeatMs() const { return heartbeatMs_; }

  // What one try of a call on one replica found.
  enum class Served {
    YES,
    NOT_READY,  // the replica refused (NOT_READY: not promoted, catching up, stopping, its disk
                // failing): the next is tried
  };
  using Attempt = kj::Function<kj::Promise<Served>(rpc::Replica::Client)>;

  // Runs `attempt` on the primary, and on the next one whenever a replica refuses, cannot be
  // reached or misses the deadline (call_timeout_ms); while a primary is being promoted the call
  // waits, at most call_timeout_ms. Resolves false when no replica served it. Other failures
  // (FAILED) propagate.
  kj::Promise<bool> route(Attempt attempt);
  // route(), with its failures turned into the refusal a client gets for them (the one place
  // that does so): nullopt once a replica served the call; UNAVAILABLE ("The ordering service is
  // unavailable right now…") when none did, and when the call failed otherwise (FAILED: a bug
  // here or on the replica), which is also logged as an error.
  kj::Promise<std::optional<Rejection>> serve(Attempt attempt);

  // A follower, from the board: what calls should do now.
  void adopt(const RoutingView& view);
  // The lead, from the board: a follower's call on replica `i` failed (down) or was refused.
  void reported(size_t i, bool down, const std::string& reason);

  std::vector<ReplicaRow> table() const;
  std::string primaryName() const;
  const EventFeed& events() const { return events_; }

 private:
  struct Replica;
  kj::Promise<bool> tryOn(Attempt& attempt, uint64_t tried, kj::TimePoint deadline);
  kj::Promise<void> heartbeatLoop(Replica& r);
  kj::Promise<void> probe(Replica& r);
  void markDown(Replica& r, const kj::Exception& e);
  // A call on `r` failed (`down`: unreachable or past its deadline) or was refused: the lead
  // acts on it, a follower reports it and holds its calls until the lead's next view.
  void callFailed(Replica& r, bool down, const kj::Exception& e);
  bool leads() const { return loop_ == 0; }
  size_t indexOf(const Replica& r) const;
  void noteState(Replica& r, int state);
  // The replica that should be primary now: the first in priority order that is READY and has
  // not just refused a promotion; -1 when there is none.
  int choosePrimary() const;
  // Acts on the choice: promotes the chosen replica (failover, first choice, or a hand-over to a
  // returning higher-priority one) unless a promotion is under way.
  void reconsider();  // then posts the view to the followers
  void choose();
  kj::Promise<void> promote(size_t chosen, bool handOver);
  kj::Promise<void> drainOldPrimary(size_t from, kj::TimePoint deadline);
  void checkDivergence();
  // Followers log at debug level only: what they see, the lead sees and logs.
  template <typename... Args>
  void say(LogLevel level, fmt::format_string<Args...> format, Args&&... args) const {
    log(leads() ? level : LogLevel::DEBUG, format, std::forward<Args>(args)...);
  }
  bool holdingCalls() const { return promotion_ != nullptr && (primary_ < 0 || handingOver_); }

  const ClusterConfig& config_;
  std::string name_;
  kj::Own<RoutingBoard> ownBoard_;  // only without a shared one
  RoutingBoard& board_;
  size_t loop_;
  kj::Timer& timer_;
  uint32_t heartbeatMs_;
  std::vector<kj::Own<Replica>> replicas_;
  int primary_ = -1;          // promoted, and serving this front-end's calls
  int promoting_ = -1;        // being promoted now
  bool handingOver_ = false;  // the promotion is a hand-over: primary_ still serves, calls wait
  bool chosenOnce_ = false;   // the first round of health answers is in
  std::string lastPromoted_;  // the replica this front-end last promoted ("" before the first)
  bool noPrimaryReported_ = false;
  kj::TimePoint startedAt_;
  kj::Maybe<kj::ForkedPromise<void>> promotion_;  // resolves when the promotion under way ends
                                                  // (a follower's: when the lead's next view comes)
  kj::Own<kj::PromiseFulfiller<void>> viewCame_;  // a follower's: ends promotion_
  EventFeed events_;
  kj::Own<kj::TaskSet> tasks_;
};

}  // namespace jh
