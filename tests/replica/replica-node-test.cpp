// The replica's node logic on a KJ event loop: readiness, idempotent placement, the gap rule on
// ingest, min_acks waits, restarts and write failures.
#include <doctest/doctest.h>

#include <cerrno>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <kj/async-io.h>

#include "replica/replica-node.h"
#include "tests/replica/resources-folder.h"
#include "tests/replica/sync-gate.h"
#include "tests/schema/sample-order.h"
#include "tests/schema/temp-dir.h"

using jh::OrderRecord;
using jh::PlaceOutcome;
using jh::Refusal;
using jh::ReplicaNode;
using jh::VersionVector;
using jh::rpc::RejectCode;
using jh::test::TempDir;
using jh::test::vectorOf;

namespace {

// One node ("r1", the first of `replicas`) over a temporary resources folder, on its own loop.
// The other replicas exist only as peers in the configuration; no process runs for them.
struct NodeRig {
  explicit NodeRig(size_t replicas = 1, uint32_t callTimeoutMs = 1000) {
    jh::test::writeResources(dir);
    config.path = dir.file("cluster.json");
    config.callTimeoutMs = callTimeoutMs;
    for (size_t i = 0; i < replicas; ++i) {
      config.replicas.push_back({"r" + std::to_string(i + 1), "127.0.0.1:" + std::to_string(9001 + i),
                                 dir.path()});
    }
    start();
  }

  // Builds the node afresh from the folder, as a restart does.
  void start() {
    node.reset();
    node = std::make_unique<ReplicaNode>(config, 0, io.provider->getTimer());
  }

  PlaceOutcome place(const OrderRecord& order, uint32_t minAcks = 0) {
    return node->placeOrder(order, minAcks).wait(io.waitScope);
  }

  VersionVector ingest(std::vector<OrderRecord> rows) {
    return node->ingest(std::move(rows)).wait(io.waitScope);
  }

  kj::AsyncIoContext io = kj::setupAsyncIo();
  TempDir dir;
  jh::ClusterConfig config;
  std::unique_ptr<ReplicaNode> node;
};

// What the front-end sends: no origin, seq or status yet.
OrderRecord request(const std::string& id, const std::string& item = "Tea", const std::string& user = "ann") {
  OrderRecord o = jh::test::sampleOrder(id, "", 0);
  o.item = item;
  o.userCode = user;
  o.status = "";
  return o;
}

// A row as replicated from another replica.
OrderRecord row(const std::string& origin, uint64_t seq) {
  return jh::test::sampleOrder(origin + "-" + std::to_string(seq), origin, seq);
}

const OrderRecord& placed(const PlaceOutcome& outcome) {
  if (auto* refusal = std::get_if<Refusal>(&outcome)) {
    FAIL("refused: " << jh::rejectCodeName(refusal->code) << ": " << refusal->message);
  }
  return std::get<OrderRecord>(outcome);
}

// The refusal's code, or nullopt when the order was placed.
std::optional<RejectCode> refusalCode(const PlaceOutcome& outcome) {
  if (auto* refusal = std::get_if<Refusal>(&outcome)) return refusal->code;
  return std::nullopt;
}

// The orders in the node's orders.csv.
std::vector<OrderRecord> rowsOnDisk(const NodeRig& rig) {
  return jh::test::ordersInCsv(rig.dir.read("orders.csv"));
}


}  // namespace

TEST_CASE("placeOrder before the node is ready is refused NOT_READY and writes nothing") {
  NodeRig rig;
  CHECK_FALSE(rig.node->ready());
  CHECK(refusalCode(rig.place(request("a"))) == RejectCode::NOT_READY);
  CHECK(rig.node->store().rows() == 0);
  CHECK(rowsOnDisk(rig).empty());
}

TEST_CASE("placed orders get this replica as origin, seqs 1, 2, 3 and CONFIRMED, and are on disk") {
  NodeRig rig;
  rig.node->setReady();
  CHECK(rig.node->ready());
  std::vector<OrderRecord> stored;
  for (const char* id : {"a", "b", "c"}) stored.push_back(placed(rig.place(request(id))));
  for (uint64_t i = 0; i < 3; ++i) {
    CHECK(stored[i].origin == "r1");
    CHECK(stored[i].seq == i + 1);
    CHECK(stored[i].status == "CONFIRMED");
    CHECK(stored[i].item == "Tea");
  }
  CHECK(rig.node->store().vector() == vectorOf({{"r1", 3}}));
  CHECK(rowsOnDisk(rig) == stored);
}

TEST_CASE("placed orders survive a restart and numbering continues after them") {
  NodeRig rig;
  rig.node->setReady();
  OrderRecord first = placed(rig.place(request("a")));
  rig.start();
  CHECK_FALSE(rig.node->ready());
  REQUIRE(rig.node->store().find("a") != nullptr);
  CHECK(rig.node->store().find("a")->record() == first);
  rig.node->setReady();
  CHECK(placed(rig.place(request("b"))).seq == 2);
}

TEST_CASE("a repeated order id returns the stored copy without storing it again") {
  NodeRig rig;
  rig.node->setReady();
  OrderRecord first = placed(rig.place(request("a")));
  OrderRecord retry = request("a");
  retry.timeStamp = "2026-11-21T23:59:59.999Z";  // a retry is stamped again by the front-end
  CHECK(placed(rig.place(retry)) == first);
  CHECK(rig.node->store().rows() == 1);
  CHECK(placed(rig.place(request("b"))).seq == 2);
}

TEST_CASE("a repeat sent while the first attempt is still being written gets the same stored copy") {
  NodeRig rig;
  rig.node->setReady();
  auto one = rig.node->placeOrder(request("a"), 0);
  auto two = rig.node->placeOrder(request("a"), 0);
  PlaceOutcome second = two.wait(rig.io.waitScope);
  PlaceOutcome first = one.wait(rig.io.waitScope);
  CHECK(placed(second) == placed(first));
  CHECK(placed(first).seq == 1);
  CHECK(rig.node->store().rows() == 1);
}

TEST_CASE("the same order id for a different item, user or postcode is refused CONFLICTING_ORDER_ID") {
  NodeRig rig;
  rig.node->setReady();
  placed(rig.place(request("a", "Tea", "ann")));
  CHECK(refusalCode(rig.place(request("a", "Cake", "ann"))) == RejectCode::CONFLICTING_ORDER_ID);
  CHECK(refusalCode(rig.place(request("a", "Tea", "bob"))) == RejectCode::CONFLICTING_ORDER_ID);
  OrderRecord elsewhere = request("a");
  elsewhere.postCode = "M1 1AD";
  CHECK(refusalCode(rig.place(elsewhere)) == RejectCode::CONFLICTING_ORDER_ID);
  CHECK(rig.node->store().rows() == 1);
}

TEST_CASE("an invalid user code, order id or order is refused before anything is written") {
  NodeRig rig;
  rig.node->setReady();
  CHECK(refusalCode(rig.place(request("a", "Tea", "a\nb"))) == RejectCode::INVALID_USER_CODE);
  CHECK(refusalCode(rig.place(request("a", "Tea", ""))) == RejectCode::INVALID_USER_CODE);
  CHECK(refusalCode(rig.place(request("a", "Tea", std::string(65, 'x')))) == RejectCode::INVALID_USER_CODE);
  CHECK(refusalCode(rig.place(request("a b"))) == RejectCode::INVALID_ORDER);
  CHECK(refusalCode(rig.place(request(""))) == RejectCode::INVALID_ORDER);
  CHECK(refusalCode(rig.place(request("a", ""))) == RejectCode::INVALID_ORDER);
  OrderRecord noPostcode = request("a");
  noPostcode.postCode = "";
  CHECK(refusalCode(rig.place(noPostcode)) == RejectCode::INVALID_ORDER);
  OrderRecord negative = request("a");
  negative.pricePence = -1;
  CHECK(refusalCode(rig.place(negative)) == RejectCode::INVALID_ORDER);
  CHECK(refusalCode(rig.place(request("a"), 1)) == RejectCode::INVALID_ORDER);  // no backups at all
  CHECK(rig.node->store().rows() == 0);
  CHECK(rowsOnDisk(rig).empty());
}

TEST_CASE("ingest applies seq held+1, skips what is held, stops at a gap and returns the vector") {
  NodeRig rig;
  CHECK(rig.ingest({row("r2", 1), row("r2", 2), row("r3", 1)}) == vectorOf({{"r2", 2}, {"r3", 1}}));
  CHECK(rig.ingest({row("r2", 1), row("r2", 2), row("r2", 3), row("r2", 5), row("r2", 4)}) ==
        vectorOf({{"r2", 3}, {"r3", 1}}));
  CHECK(rig.ingest({}) == vectorOf({{"r2", 3}, {"r3", 1}}));
  CHECK(rig.node->store().rows() == 4);
  CHECK(rig.node->store().find("r2-4") == nullptr);
  CHECK(rowsOnDisk(rig) ==
        std::vector<OrderRecord>{row("r2", 1), row("r2", 2), row("r3", 1), row("r2", 3)});
}

TEST_CASE("ingested rows from other origins leave this replica's own numbering alone") {
  NodeRig rig;
  rig.node->setReady();
  rig.ingest({row("r2", 1), row("r2", 2)});
  CHECK(placed(rig.place(request("mine"))).seq == 1);
  CHECK(rig.node->store().vector() == vectorOf({{"r1", 1}, {"r2", 2}}));
}

TEST_CASE("with min_acks 1 and no peer progress, placeOrder is UNAVAILABLE after the ack wait "
          "(timing: waits 3/4 of call_timeout_ms)") {
  NodeRig rig(3, 100);
  rig.node->setReady();
  kj::TimePoint start = rig.io.provider->getTimer().now();
  PlaceOutcome outcome = rig.place(request("a"), 1);
  CHECK(refusalCode(outcome) == RejectCode::UNAVAILABLE);
  CHECK(rig.io.provider->getTimer().now() - start >= 75 * kj::MILLISECONDS);
  // Stored and durable here all the same: a retry with the same id is answered from the store.
  CHECK(rig.node->store().find("a") != nullptr);
}

TEST_CASE("with min_acks 1, placeOrder resolves to the order once a peer reports holding it") {
  NodeRig rig(3, 4000);
  rig.node->setReady();
  uint64_t seen = rig.node->ownOrders().generation();
  auto pending = rig.node->placeOrder(request("a"), 1);
  rig.node->ownOrders().waitAfter(seen).wait(rig.io.waitScope);  // durable here
  CHECK_FALSE(pending.poll(rig.io.waitScope));                  // and waiting for a backup
  rig.node->onPeerProgress("r2", true, vectorOf({{"r1", 0}}));
  CHECK_FALSE(pending.poll(rig.io.waitScope));                  // r2 does not hold it yet
  rig.node->onPeerProgress("r3", true, vectorOf({{"r1", 1}}));
  OrderRecord order = placed(pending.wait(rig.io.waitScope));
  CHECK(order.seq == 1);
  CHECK(order.origin == "r1");
}

TEST_CASE("with min_acks 2, placeOrder waits for two peers, and one already ahead counts at once") {
  NodeRig rig(3, 4000);
  rig.node->setReady();
  rig.node->onPeerProgress("r2", true, vectorOf({{"r1", 5}}));
  auto pending = rig.node->placeOrder(request("a"), 2);
  CHECK_FALSE(pending.poll(rig.io.waitScope));
  rig.node->onPeerProgress("r3", true, vectorOf({{"r1", 1}}));
  CHECK(placed(pending.wait(rig.io.waitScope)).seq == 1);
  CHECK(rig.node->peers().at("r2").reachable);
}

TEST_CASE("a failed write refuses the order and degrades the node until a disk probe succeeds; then a retry is stored afresh") {
  jh::test::SyncGate gate;
  NodeRig rig;
  rig.node->setReady();
  gate.failNext(EIO);
  auto outcome = rig.place(request("a"));
  CHECK(refusalCode(outcome) == RejectCode::NOT_READY);
  CHECK(rig.node->store().find("a") == nullptr);
  rig.io.waitScope.poll();  // let the node finish forgetting the failed attempt
  CHECK(rig.node->degraded());
  CHECK(refusalCode(rig.place(request("a"))) == RejectCode::NOT_READY);  // no orders while degraded
  // The probe runs a second after the failure and the gate lets it through: poll, bounded.
  auto& timer = rig.io.provider->getTimer();
  for (int i = 0; i < 100 && rig.node->degraded(); ++i) {
    timer.afterDelay(50 * kj::MILLISECONDS).wait(rig.io.waitScope);
  }
  CHECK_FALSE(rig.node->degraded());
  OrderRecord stored = placed(rig.place(request("a")));
  CHECK(stored.seq == 1);
  CHECK(rowsOnDisk(rig) == std::vector<OrderRecord>{stored});
}

TEST_CASE("after a failed write, ingesting only rows already held still returns the vector") {
  jh::test::SyncGate gate;
  NodeRig rig;
  rig.node->setReady();
  CHECK(rig.ingest({row("r2", 1)}) == vectorOf({{"r2", 1}}));
  gate.failNext(EIO);
  CHECK(refusalCode(rig.place(request("a"))) == RejectCode::NOT_READY);
  rig.io.waitScope.poll();
  auto again = rig.node->ingest({row("r2", 1)}).then(
      [](VersionVector v) { return v.toString(); },
      [](kj::Exception&& e) { return std::string("threw: ") + e.getDescription().cStr(); });
  CHECK(again.wait(rig.io.waitScope) == "r2:1");
}
