// The front-end's order batcher in-process, over the router and fake replicas: what arrives in
// one turn goes out as one call, at most two calls are out at once and the rest wait for the
// next, the batch size is bounded, and refused orders move on to the next replica.
#include <doctest/doctest.h>

#include <numeric>
#include <string>
#include <vector>

#include "frontend/order-batcher.h"
#include "tests/frontend/fake-replica.h"
#include "tests/schema/answers/read-reply.h"
#include "tests/schema/sample-order.h"

using jh::OrderBatcher;
using jh::OrderRecord;
using jh::ReplicaRouter;
using jh::Reply;
using jh::test::answered;
using jh::test::FakeReplicas;
using jh::test::refusalCode;
using jh::test::runUntil;

namespace {

struct BatcherRig {
  BatcherRig() : fakes(io), config(fakes.config()) {
    router = kj::heap<ReplicaRouter>(config, "fe", io.provider->getNetwork(),
                                     io.provider->getTimer(), "");
    router->start().wait(io.waitScope);
    REQUIRE(runUntil(io, [&]() { return router->primaryName() == "r1"; }));
    batcher = kj::heap<OrderBatcher>(*router, 0, tally);
  }

  // `n` orders handed to the batcher in one event-loop turn.
  std::vector<kj::Promise<Reply<OrderRecord>>> place(size_t n) {
    std::vector<kj::Promise<Reply<OrderRecord>>> out;
    for (size_t i = 0; i < n; ++i) {
      out.push_back(batcher->place(jh::test::sampleOrder("o" + std::to_string(placed++), "", 0)));
    }
    return out;
  }

  std::vector<Reply<OrderRecord>> waitAll(std::vector<kj::Promise<Reply<OrderRecord>>>& promises) {
    std::vector<Reply<OrderRecord>> out;
    for (auto& p : promises) out.push_back(p.wait(io.waitScope));
    return out;
  }

  kj::AsyncIoContext io = kj::setupAsyncIo();
  FakeReplicas fakes;
  jh::ClusterConfig config;
  kj::Own<ReplicaRouter> router;
  jh::OrderTally tally;
  kj::Own<OrderBatcher> batcher;
  size_t placed = 0;
};

size_t total(const std::vector<size_t>& sizes) {
  return std::accumulate(sizes.begin(), sizes.end(), size_t{0});
}

}  // namespace

TEST_CASE("orders handed over in one turn go to the primary as one placeOrders call") {
  BatcherRig rig;
  auto promises = rig.place(5);
  auto outcomes = rig.waitAll(promises);
  CHECK(rig.fakes[0].batchSizes == std::vector<size_t>{5});
  for (auto& o : outcomes) {
    REQUIRE(answered(o));
    CHECK(answered(o)->origin == "r1");
  }
  CHECK(rig.batcher->placed() == 5);
}

TEST_CASE(
    "with two calls out, later orders wait and go together in the next call, and no call carries "
    "more than the batch bound") {
  BatcherRig rig;
  rig.fakes[0].holdCalls = true;
  auto first = rig.place(1);
  REQUIRE(runUntil(rig.io, [&]() { return rig.fakes[0].heldCalls.size() == 1; }));
  auto second = rig.place(1);
  REQUIRE(runUntil(rig.io, [&]() { return rig.fakes[0].heldCalls.size() == 2; }));
  auto waiting = rig.place(OrderBatcher::MAX_BATCH + 10);  // arrive while two calls are out
  CHECK_FALSE(runUntil(
      rig.io, [&]() { return rig.fakes[0].placeOrdersCalls > 2; }, 30 * kj::MILLISECONDS));
  rig.fakes[0].releaseCalls();
  rig.waitAll(first);
  rig.waitAll(second);
  auto outcomes = rig.waitAll(waiting);
  auto& sizes = rig.fakes[0].batchSizes;
  REQUIRE(sizes.size() == 4);
  CHECK(sizes[0] == 1);
  CHECK(sizes[1] == 1);
  CHECK(sizes[2] == OrderBatcher::MAX_BATCH);  // the rest, as full batches
  CHECK(sizes[3] == 10);
  CHECK(total(sizes) == OrderBatcher::MAX_BATCH + 12);
  for (auto& o : outcomes) CHECK(answered(o));
}

TEST_CASE(
    "orders a replica refuses NOT_READY are placed on the next one, and none is answered twice") {
  BatcherRig rig;
  rig.fakes[0].refuseCalls = true;
  auto promises = rig.place(3);
  auto outcomes = rig.waitAll(promises);
  for (auto& o : outcomes) {
    REQUIRE(answered(o));
    CHECK(answered(o)->origin == "r2");
  }
  CHECK(rig.fakes[1].batchSizes == std::vector<size_t>{3});
}

TEST_CASE(
    "with no replica able to serve, every order of the batch is answered UNAVAILABLE and counted "
    "as failed") {
  BatcherRig rig;
  for (size_t i = 0; i < 3; ++i) rig.fakes[i].dead = true;
  auto promises = rig.place(4);
  auto outcomes = rig.waitAll(promises);
  for (auto& o : outcomes) {
    CHECK_FALSE(answered(o));
    CHECK(refusalCode(o) == jh::rpc::RejectCode::UNAVAILABLE);
  }
  CHECK(rig.batcher->failed() == 4);
}
