// What the replication thread does next for one peer (DESIGN.md §4, background propagation), as
// a state machine without I/O: the thread reports what happened (a vector learnt, a call sent,
// answered or failed) and asks for the next step. Keeping the decisions here lets them be tested
// in-process, step by step.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include <kj/exception.h>
#include <kj/time.h>

#include "schema/orders/order.h"
#include "schema/orders/version-vector.h"

namespace jh {

// Where the rows to push come from (the replica's store, or a test's list).
class PushSource {
 public:
  virtual ~PushSource() noexcept(false) = default;
  // Up to `limit` rows that a peer holding `held` lacks, in seq order per origin incarnation:
  // this replica's own rows (those on their way to its disk too), or with `othersToo` every
  // origin's.
  virtual std::vector<OrderRecord> rowsAfter(const VersionVector& held, size_t limit,
                                             bool othersToo) = 0;
  // Whether a peer holding `held` lacks rows of other origins that are durable here.
  virtual bool othersLacking(const VersionVector& held) = 0;
};

struct PushLimits {
  size_t batch = 2000;  // rows per replicate call
  // replicate calls on their way to one peer: while the peer syncs one batch, the next is
  // already there, so its writer goes from one sync to the next without waiting out a round trip.
  uint32_t inFlight = 2;
  // A replica pushes its own rows at once. Other origins' rows reach every peer from their
  // origin; a replica forwards them only when a peer still lacks them this long after it last
  // heard from the peer (the origin may have died before reaching everyone). This halves what
  // each backup receives while the primary is up.
  kj::Duration forwardAfter = 100 * kj::MILLISECONDS;
  uint32_t firstBackoffMs = 50;
  uint32_t maxBackoffMs = 1000;
};

class PushSchedule {
 public:
  enum class Step {
    ASK_VECTOR,          // ask the peer what it holds (a health call), then report it
    SEND,                // send `rows` in a replicate call (without waiting), then ask again
    AWAIT_CALL,          // wait until one of the calls on their way ends
    AWAIT_CALL_OR_ROWS,  // the same, or until own rows are staged
    AWAIT_ROWS,          // wait until own rows are staged, or `wait` has passed
    BACK_OFF,            // the peer failed: wait `wait`, then ask again
  };
  struct Action {
    Step step;
    std::vector<OrderRecord> rows;        // SEND
    kj::Duration wait = 0 * kj::SECONDS;  // AWAIT_ROWS, BACK_OFF
  };

  explicit PushSchedule(PushLimits limits = {})
      : limits_(limits), backoffMs_(limits.firstBackoffMs) {}

  // The next step, given the rows `source` has now.
  Action next(kj::TimePoint now, PushSource& source);

  // The peer answered a health call.
  void onVector(const VersionVector& held, kj::TimePoint now);
  // A replicate call carrying `rows` went out (SEND was carried out). Returns, per origin
  // incarnation, the highest seq it carries: pass it back to onReply.
  using Carried = std::map<OriginIncarnation, uint64_t, OriginIncarnationLess>;
  Carried onSent(const std::vector<OrderRecord>& rows);
  // A replicate call ended with the peer holding `held`.
  void onReply(const Carried& carried, const VersionVector& held, kj::TimePoint now);
  // A call (health or replicate) failed; a failed replicate call still ends (onCallEnded).
  void onFailure(kj::Exception&& e);
  // A replicate call ended, answered or not.
  void onCallEnded();

  bool reachable() const { return reachable_; }
  const VersionVector& held() const { return held_; }  // as of the peer's last answer
  uint32_t inFlight() const { return inFlight_; }
  // The failure being backed off from, after BACK_OFF (for the log).
  const kj::Maybe<kj::Exception>& lastFailure() const { return lastFailure_; }

 private:
  PushLimits limits_;
  bool known_ = false;  // held_ reflects the peer's last reply
  bool reachable_ = false;
  VersionVector held_;                // what the peer holds, as of its last reply
  VersionVector sent_;                // held_ and what is on its way to the peer in replicate calls
  uint32_t inFlight_ = 0;             // replicate calls not ended yet
  kj::Maybe<kj::Exception> failure_;  // one failed: start over once none is on its way
  kj::Maybe<kj::Exception> lastFailure_;
  bool behind_ = false;  // a reply held less than its call carried: resend from held_
  kj::TimePoint heardAt_ = kj::origin<kj::TimePoint>();  // when held_ was last updated
  bool forward_ = false;  // send other origins' rows too: a fresh vector shows them lacking
  uint32_t backoffMs_;
};

}  // namespace jh
