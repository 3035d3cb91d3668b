// The push loop's decisions for one peer.
#include "replica/push-schedule.h"

#include <algorithm>

#include <kj/debug.h>

namespace jh {

PushSchedule::Action PushSchedule::next(kj::TimePoint now, PushSource& source) {
  if (inFlight_ == 0) {
    KJ_IF_MAYBE (e, failure_) {
      lastFailure_ = kj::mv(*e);
      failure_ = nullptr;
      behind_ = false;
      known_ = false;
      reachable_ = false;
      auto wait = backoffMs_ * kj::MILLISECONDS;
      backoffMs_ = std::min(backoffMs_ * 2, limits_.maxBackoffMs);
      return {Step::BACK_OFF, {}, wait};
    }
    if (behind_) {  // every call has ended: resend from what the peer said it holds
      behind_ = false;
      sent_ = held_;
    }
  }
  if (!known_) return {inFlight_ > 0 ? Step::AWAIT_CALL : Step::ASK_VECTOR, {}};
  bool mayPush = failure_ == nullptr && !behind_ && inFlight_ < limits_.inFlight;
  if (mayPush) {
    auto rows = source.rowsAfter(sent_, limits_.batch, forward_);
    if (!rows.empty()) return {Step::SEND, std::move(rows)};
  }
  if (inFlight_ > 0) return {mayPush ? Step::AWAIT_CALL_OR_ROWS : Step::AWAIT_CALL, {}};
  // Nothing of our own to send. Other origins' rows are looked at on a timer, not on every row
  // stored here: a backup's push loops then sleep while the primary feeds it.
  forward_ = false;
  kj::Duration wait = limits_.forwardAfter;
  if (source.othersLacking(held_)) {
    kj::Duration age = now - heardAt_;
    if (age >= limits_.forwardAfter) {
      // Ask the peer what it holds now; whatever it still lacks is then forwarded.
      known_ = false;
      forward_ = true;
      return {Step::ASK_VECTOR, {}};
    }
    wait = limits_.forwardAfter - age;
  }
  return {Step::AWAIT_ROWS, {}, wait};
}

void PushSchedule::onVector(const VersionVector& held, kj::TimePoint now) {
  held_ = held;
  sent_ = held;
  heardAt_ = now;
  known_ = true;
  reachable_ = true;
  backoffMs_ = limits_.firstBackoffMs;
}

PushSchedule::Carried PushSchedule::onSent(const std::vector<OrderRecord>& rows) {
  Carried carried;
  for (auto& row : rows) {
    uint64_t& top = carried[OriginIncarnation{row.origin, row.incarnation}];
    top = std::max(top, row.seq);
  }
  for (auto& [source, seq] : carried) {
    if (seq > sent_.get(source)) sent_.set(source, seq);
  }
  ++inFlight_;
  return carried;
}

void PushSchedule::onReply(const Carried& carried, const VersionVector& held, kj::TimePoint now) {
  held_ = held;
  heardAt_ = now;
  reachable_ = true;
  backoffMs_ = limits_.firstBackoffMs;
  // The receiver applies calls in order and skips what it holds, so a call that overtook a failed
  // one finds a gap, takes nothing and says so here: resend once the calls on their way end.
  for (auto& [source, seq] : carried) {
    if (held_.get(source) < seq) behind_ = true;
  }
  for (auto& [source, seq] : held_.entries()) {  // rows it had from elsewhere
    if (seq > sent_.get(source)) sent_.set(source, seq);
  }
}

void PushSchedule::onFailure(kj::Exception&& e) {
  if (failure_ == nullptr) failure_ = kj::mv(e);
}

void PushSchedule::onCallEnded() {
  KJ_ASSERT(inFlight_ > 0);
  --inFlight_;
}

}  // namespace jh
