// The push loop's decisions for one peer, step by step: what it asks first, how it batches and
// pipelines, resends after a gap, backs off, and forwards other origins' rows only late.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <kj/debug.h>

#include "replica/push-schedule.h"
#include "tests/schema/sample-order.h"

using jh::OrderRecord;
using jh::PushLimits;
using jh::PushSchedule;
using jh::VersionVector;
using jh::test::vectorOf;
using Step = PushSchedule::Step;

namespace {

// Rows of this replica ("me") and of another origin ("other"), as a store would hand them out.
struct FakeSource final : jh::PushSource {
  std::vector<OrderRecord> mine, others;

  void add(const std::string& origin, uint64_t n) {
    auto& list = origin == "me" ? mine : others;
    for (uint64_t i = 0; i < n; ++i) {
      list.push_back(
          jh::test::sampleOrder(origin + std::to_string(list.size() + 1), origin, list.size() + 1));
    }
  }
  std::vector<OrderRecord> rowsAfter(const VersionVector& held, size_t limit,
                                     bool othersToo) override {
    std::vector<OrderRecord> out;
    for (auto* list : {&mine, &others}) {
      if (list == &others && !othersToo) break;
      for (auto& row : *list) {
        if (out.size() < limit && row.seq > held.get(row.origin, row.incarnation))
          out.push_back(row);
      }
    }
    return out;
  }
  bool othersLacking(const VersionVector& held) override {
    for (auto& row : others) {
      if (row.seq > held.get(row.origin, row.incarnation)) return true;
    }
    return false;
  }
};

kj::TimePoint at(int ms) { return kj::origin<kj::TimePoint>() + ms * kj::MILLISECONDS; }

std::vector<uint64_t> seqsOf(const std::vector<OrderRecord>& rows) {
  std::vector<uint64_t> seqs;
  for (auto& r : rows) seqs.push_back(r.seq);
  return seqs;
}

PushLimits smallBatches() {
  PushLimits limits;
  limits.batch = 3;
  limits.inFlight = 2;
  return limits;
}

// Starts a push to a peer that holds nothing and puts two batches on their way: what each carried.
std::pair<PushSchedule::Carried, PushSchedule::Carried> sendTwoBatches(PushSchedule& schedule,
                                                                       FakeSource& source) {
  schedule.onVector(VersionVector{}, at(0));
  auto carriedFirst = schedule.onSent(schedule.next(at(0), source).rows);
  auto carriedSecond = schedule.onSent(schedule.next(at(0), source).rows);
  return {carriedFirst, carriedSecond};
}

}  // namespace

TEST_CASE("the push loop first asks the peer what it holds, then sends only what it lacks") {
  FakeSource source;
  source.add("me", 5);
  PushSchedule schedule;
  CHECK(schedule.next(at(0), source).step == Step::ASK_VECTOR);
  CHECK_FALSE(schedule.reachable());
  schedule.onVector(vectorOf({{"me", 2}}), at(1));
  CHECK(schedule.reachable());
  auto action = schedule.next(at(1), source);
  REQUIRE(action.step == Step::SEND);
  CHECK(seqsOf(action.rows) == std::vector<uint64_t>{3, 4, 5});
}

TEST_CASE(
    "batches stop at the batch size, at most two calls are on their way, and the next starts where "
    "the last ended") {
  FakeSource source;
  source.add("me", 8);
  PushSchedule schedule(smallBatches());
  schedule.onVector(VersionVector{}, at(0));
  auto first = schedule.next(at(0), source);
  REQUIRE(first.step == Step::SEND);
  CHECK(seqsOf(first.rows) == std::vector<uint64_t>{1, 2, 3});
  auto carriedFirst = schedule.onSent(first.rows);
  auto second = schedule.next(at(0), source);
  REQUIRE(second.step == Step::SEND);
  CHECK(seqsOf(second.rows) == std::vector<uint64_t>{4, 5, 6});  // from what is on its way
  schedule.onSent(second.rows);
  CHECK(schedule.inFlight() == 2);
  CHECK(schedule.next(at(0), source).step == Step::AWAIT_CALL);  // the pipeline is full
  schedule.onReply(carriedFirst, vectorOf({{"me", 3}}), at(5));
  schedule.onCallEnded();
  auto third = schedule.next(at(5), source);
  REQUIRE(third.step == Step::SEND);
  CHECK(seqsOf(third.rows) == std::vector<uint64_t>{7, 8});
}

TEST_CASE("with a call on its way and nothing more to send it waits for the reply or new rows") {
  FakeSource source;
  source.add("me", 1);
  PushSchedule schedule;
  schedule.onVector(VersionVector{}, at(0));
  schedule.onSent(schedule.next(at(0), source).rows);
  CHECK(schedule.next(at(0), source).step == Step::AWAIT_CALL_OR_ROWS);
  source.add("me", 1);  // a new row while the first call is out: it goes out at once
  auto next = schedule.next(at(0), source);
  REQUIRE(next.step == Step::SEND);
  CHECK(seqsOf(next.rows) == std::vector<uint64_t>{2});
}

TEST_CASE(
    "a reply holding less than its call carried resends from the peer's vector once no call is "
    "out") {
  FakeSource source;
  source.add("me", 6);
  PushSchedule schedule(smallBatches());
  auto [carriedFirst, carriedSecond] = sendTwoBatches(schedule, source);
  // The first call failed on the way; the second overtook it, found a gap and took nothing.
  schedule.onFailure(KJ_EXCEPTION(DISCONNECTED, "lost"));
  schedule.onCallEnded();
  schedule.onReply(carriedSecond, VersionVector{}, at(3));
  schedule.onCallEnded();
  auto after = schedule.next(at(3), source);
  CHECK(after.step == Step::BACK_OFF);  // a failure: start over after a pause
  CHECK(schedule.next(at(60), source).step == Step::ASK_VECTOR);
  schedule.onVector(VersionVector{}, at(61));
  auto resent = schedule.next(at(61), source);
  REQUIRE(resent.step == Step::SEND);
  CHECK(seqsOf(resent.rows) == std::vector<uint64_t>{1, 2, 3});
}

TEST_CASE("a gap found without a failure resends from what the peer holds, without backing off") {
  FakeSource source;
  source.add("me", 6);
  PushSchedule schedule(smallBatches());
  auto [carriedFirst, carriedSecond] = sendTwoBatches(schedule, source);
  schedule.onReply(carriedFirst, vectorOf({{"me", 1}}), at(2));  // it took only the first row
  schedule.onCallEnded();
  CHECK(schedule.next(at(2), source).step == Step::AWAIT_CALL);  // no new call until all are back
  schedule.onReply(carriedSecond, vectorOf({{"me", 1}}), at(3));
  schedule.onCallEnded();
  auto resent = schedule.next(at(3), source);
  REQUIRE(resent.step == Step::SEND);
  CHECK(seqsOf(resent.rows) == std::vector<uint64_t>{2, 3, 4});
}

TEST_CASE(
    "failures back off 50, 100, 200 ms… capped at one second, and an answer resets the back-off") {
  FakeSource source;
  PushSchedule schedule;
  std::vector<int64_t> waits;
  for (int i = 0; i < 7; ++i) {
    REQUIRE(schedule.next(at(0), source).step == Step::ASK_VECTOR);
    schedule.onFailure(KJ_EXCEPTION(DISCONNECTED, "connection refused"));
    auto action = schedule.next(at(0), source);
    REQUIRE(action.step == Step::BACK_OFF);
    waits.push_back(action.wait / kj::MILLISECONDS);
    CHECK_FALSE(schedule.reachable());
  }
  CHECK(waits == std::vector<int64_t>{50, 100, 200, 400, 800, 1000, 1000});
  REQUIRE(schedule.lastFailure() != nullptr);
  schedule.onVector(VersionVector{}, at(1));
  schedule.next(at(1), source);
  schedule.onFailure(KJ_EXCEPTION(DISCONNECTED, "connection refused"));
  CHECK(schedule.next(at(1), source).wait == 50 * kj::MILLISECONDS);
}

TEST_CASE(
    "other origins' rows are forwarded only when the peer still lacks them after the forwarding "
    "delay") {
  FakeSource source;
  source.add("other", 2);
  PushSchedule schedule;
  schedule.onVector(VersionVector{}, at(0));
  auto idle = schedule.next(at(10), source);
  REQUIRE(idle.step == Step::AWAIT_ROWS);
  CHECK(idle.wait == 90 * kj::MILLISECONDS);  // 100 ms after it last heard from the peer
  CHECK(schedule.next(at(100), source).step == Step::ASK_VECTOR);  // still lacking: ask again
  schedule.onVector(vectorOf({{"other", 1}}), at(101));
  auto forwarded = schedule.next(at(101), source);
  REQUIRE(forwarded.step == Step::SEND);
  CHECK(seqsOf(forwarded.rows) == std::vector<uint64_t>{2});
  CHECK(forwarded.rows[0].origin == "other");
  auto carried = schedule.onSent(forwarded.rows);
  schedule.onReply(carried, vectorOf({{"other", 2}}), at(105));
  schedule.onCallEnded();
  auto done = schedule.next(at(105), source);
  CHECK(done.step == Step::AWAIT_ROWS);  // nothing lacking: it sleeps until own rows or a while
  CHECK(done.wait == 100 * kj::MILLISECONDS);
}

TEST_CASE(
    "a peer that holds other origins' rows already is not sent them, and the push loop sleeps") {
  FakeSource source;
  source.add("other", 3);
  PushSchedule schedule;
  schedule.onVector(vectorOf({{"other", 3}}), at(0));
  auto action = schedule.next(at(500), source);
  CHECK(action.step == Step::AWAIT_ROWS);
  CHECK(action.wait == 100 * kj::MILLISECONDS);
}
