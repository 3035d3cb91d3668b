// The front-end's router in-process, against fake replicas on loopback: which replica it promotes
// and when, failover in priority order, calls held while a primary is promoted, refusals,
// hand-over to a returning replica, and divergence.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "frontend/replica-router.h"
#include "tests/frontend/fake-replica.h"

using jh::ReplicaRouter;
using jh::rpc::EventKind;
using jh::rpc::ReplicaState;
using jh::test::FakeReplicas;
using jh::test::FakeReplicaState;
using jh::test::runUntil;

namespace {

struct RouterRig {
  explicit RouterRig(uint32_t callTimeoutMs = 300)
      : fakes(io), config(fakes.config(callTimeoutMs)) {}

  // Starts the router (its first round of health answers), without waiting for a promotion.
  void start() {
    router = kj::heap<ReplicaRouter>(config, "fe", io.provider->getNetwork(),
                                     io.provider->getTimer(), "");
    router->start().wait(io.waitScope);
  }

  bool primaryBecomes(const std::string& name) {
    return runUntil(io, [&]() { return router->primaryName() == name; });
  }

  // Routes a getOrders call; the name of the replica that served it, or "" when none did.
  kj::Promise<std::string> call() {
    auto servedBy = kj::heap<std::string>();
    std::string& ref = *servedBy;
    return router
        ->route([&ref](jh::rpc::Replica::Client replica) {
          return replica.getOrdersRequest().send().then([&ref](auto reply) {
            auto result = reply.getResult();
            if (result.isRejected()) return ReplicaRouter::Served::NOT_READY;
            ref = result.getNextCursor();
            return ReplicaRouter::Served::YES;
          });
        })
        .then([servedBy = kj::mv(servedBy)](bool served) {
          return served ? *servedBy : std::string();
        });
  }

  size_t events(EventKind kind, const std::string& replica = {}) {
    auto all = router->events().since(0);
    return std::count_if(all.begin(), all.end(), [&](const jh::ClusterEvent& e) {
      return e.kind == kind && (replica.empty() || e.replica == replica);
    });
  }

  kj::AsyncIoContext io = kj::setupAsyncIo();
  FakeReplicas fakes;
  jh::ClusterConfig config;
  kj::Own<ReplicaRouter> router;
};

}  // namespace

TEST_CASE("at start, with every replica READY, only the first is promoted, once") {
  RouterRig rig;
  rig.start();
  REQUIRE(rig.primaryBecomes("r1"));
  CHECK(rig.fakes[0].promotions.size() == 1);
  CHECK(rig.fakes[1].promotions.empty());
  CHECK(rig.fakes[2].promotions.empty());
  CHECK(rig.call().wait(rig.io.waitScope) == "r1");
  CHECK(rig.events(EventKind::PROMOTED, "r1") == 1);
}

TEST_CASE(
    "at start, a first replica still catching up is waited for rather than promoting the second "
    "and then the first") {
  RouterRig rig;
  rig.fakes[0].state = ReplicaState::SYNCING;
  rig.start();
  // A few heartbeats pass with r2 and r3 READY: nobody is promoted while r1 catches up.
  CHECK_FALSE(runUntil(
      rig.io, [&]() { return !rig.router->primaryName().empty(); }, 100 * kj::MILLISECONDS));
  rig.fakes[0].state = ReplicaState::READY;
  REQUIRE(rig.primaryBecomes("r1"));
  CHECK(rig.fakes[1].promotions.empty());
  CHECK(rig.fakes[2].promotions.empty());
}

TEST_CASE(
    "when the primary dies, the next is promoted, told to skip the dead one, and the call is "
    "served there") {
  RouterRig rig;
  rig.start();
  REQUIRE(rig.primaryBecomes("r1"));
  rig.fakes[0].dead = true;
  CHECK(rig.call().wait(rig.io.waitScope) == "r2");
  REQUIRE(rig.fakes[1].promotions.size() == 1);
  CHECK(rig.fakes[1].promotions[0] == std::vector<std::string>{"r1"});
  CHECK(rig.router->primaryName() == "r2");
  CHECK(rig.events(EventKind::REPLICA_DOWN, "r1") == 1);
}

TEST_CASE("calls are held while the new primary is promoted, and served by it once it is") {
  RouterRig rig;
  rig.start();
  REQUIRE(rig.primaryBecomes("r1"));
  rig.fakes[1].promotion = FakeReplicaState::Promotion::HOLD;
  rig.fakes[0].dead = true;
  auto call = rig.call();
  REQUIRE(runUntil(rig.io, [&]() { return rig.fakes[1].heldPromotion.get() != nullptr; }));
  CHECK_FALSE(call.poll(rig.io.waitScope));
  CHECK(rig.fakes[1].served == 0);
  CHECK(rig.router->table()[1].state == "PROMOTING");
  rig.fakes[1].heldPromotion->fulfill();
  CHECK(call.wait(rig.io.waitScope) == "r2");
}

TEST_CASE(
    "a call held longer than the call timeout by a promotion that does not end is refused, not "
    "kept") {
  RouterRig rig(150);
  rig.start();
  REQUIRE(rig.primaryBecomes("r1"));
  rig.fakes[1].promotion = FakeReplicaState::Promotion::HOLD;
  rig.fakes[2].promotion = FakeReplicaState::Promotion::HOLD;
  rig.fakes[0].dead = true;
  CHECK(rig.call().wait(rig.io.waitScope) == "");
}

TEST_CASE("a refused promotion moves on to the next replica in priority order") {
  RouterRig rig;
  rig.fakes[0].promotion = FakeReplicaState::Promotion::REFUSE;
  rig.start();
  REQUIRE(rig.primaryBecomes("r2"));
  CHECK(rig.fakes[0].promotions.size() >= 1);
  CHECK(rig.events(EventKind::PROMOTION_FAILED, "r1") >= 1);
  CHECK(rig.call().wait(rig.io.waitScope) == "r2");
}

TEST_CASE(
    "a primary that refuses a call NOT_READY is passed over and the call is served by the next") {
  RouterRig rig;
  rig.start();
  REQUIRE(rig.primaryBecomes("r1"));
  rig.fakes[0].refuseCalls = true;
  CHECK(rig.call().wait(rig.io.waitScope) == "r2");
  CHECK(rig.fakes[1].promotions.size() == 1);
}

TEST_CASE(
    "a returning higher-priority replica is handed the role: calls under way finish, new calls "
    "wait, then it serves") {
  RouterRig rig;
  rig.start();
  REQUIRE(rig.primaryBecomes("r1"));
  rig.fakes[0].dead = true;
  CHECK(rig.call().wait(rig.io.waitScope) == "r2");
  rig.fakes[1].holdCalls = true;
  auto underWay = rig.call();  // on r2, not answered yet
  REQUIRE(runUntil(rig.io, [&]() { return rig.fakes[1].heldCalls.size() == 1; }));
  rig.fakes[0].dead = false;  // r1 is back
  REQUIRE(runUntil(rig.io, [&]() { return rig.events(EventKind::HAND_OVER, "r1") == 1; }));
  auto next = rig.call();
  // r1 is not promoted while a call is under way on r2 (what r2 acknowledges must be there to
  // pull).
  CHECK_FALSE(runUntil(
      rig.io, [&]() { return rig.fakes[0].promotions.size() > 1; }, 50 * kj::MILLISECONDS));
  CHECK_FALSE(next.poll(rig.io.waitScope));
  rig.fakes[1].releaseCalls();
  CHECK(underWay.wait(rig.io.waitScope) == "r2");
  CHECK(next.wait(rig.io.waitScope) == "r1");
  CHECK(rig.fakes[0].promotions.size() == 2);
  CHECK(rig.router->primaryName() == "r1");
}

TEST_CASE(
    "two replicas holding one incarnation's rows up to the same seq with different digests are "
    "marked DIVERGED") {
  RouterRig rig;
  for (size_t i = 0; i < 3; ++i) rig.fakes[i].vector.set("r1", 7, 5);
  rig.fakes[0].digests[{"r1", 7}] = 111;
  rig.fakes[1].digests[{"r1", 7}] = 111;
  rig.fakes[2].digests[{"r1", 7}] = 999;  // the same name, other rows
  rig.start();
  REQUIRE(rig.primaryBecomes("r1"));
  auto table = rig.router->table();
  CHECK(table[0].diverged);  // (r1 and r3 disagree)
  CHECK(table[2].diverged);
  CHECK(table[0].lag == 0);  // "lag 0" does not hide it
  CHECK(rig.events(EventKind::DIVERGED) >= 2);
  rig.fakes[2].digests[{"r1", 7}] = 111;
  REQUIRE(runUntil(rig.io, [&]() { return !rig.router->table()[2].diverged; }));
  CHECK_FALSE(rig.router->table()[1].diverged);
}

TEST_CASE(
    "with no replica READY a call is refused once the hold ends, and an event says no replica can "
    "serve") {
  RouterRig rig(100);
  for (size_t i = 0; i < 3; ++i) rig.fakes[i].state = ReplicaState::SYNCING;
  rig.config.syncTimeoutMs = 0;
  rig.start();
  CHECK(rig.call().wait(rig.io.waitScope) == "");
  CHECK(rig.events(EventKind::NO_PRIMARY) == 1);
  for (size_t i = 0; i < 3; ++i) CHECK(rig.fakes[i].promotions.empty());
}

TEST_CASE(
    "serve answers a call nothing served, or one that failed other than by connection, with "
    "UNAVAILABLE rather than an exception") {
  RouterRig rig;
  rig.start();
  REQUIRE(rig.primaryBecomes("r1"));
  auto served = [](jh::rpc::Replica::Client replica) {
    return replica.getOrdersRequest().send().then([](auto) { return ReplicaRouter::Served::YES; });
  };
  CHECK_FALSE(rig.router->serve(served).wait(rig.io.waitScope).has_value());

  auto failed = rig.router
                    ->serve([](jh::rpc::Replica::Client) -> kj::Promise<ReplicaRouter::Served> {
                      KJ_FAIL_REQUIRE("a reply the front-end cannot read");
                    })
                    .wait(rig.io.waitScope);
  REQUIRE(failed.has_value());
  CHECK(failed->code == jh::rpc::RejectCode::UNAVAILABLE);
  CHECK(failed->message ==
        "The ordering service is unavailable right now; please try again shortly.");
  CHECK(rig.router->primaryName() == "r1");  // not a failure of the replica's

  for (size_t i = 0; i < 3; ++i) rig.fakes[i].dead = true;
  auto none = rig.router->serve(served).wait(rig.io.waitScope);
  REQUIRE(none.has_value());
  CHECK(none->code == jh::rpc::RejectCode::UNAVAILABLE);
  CHECK(none->message == failed->message);
}
