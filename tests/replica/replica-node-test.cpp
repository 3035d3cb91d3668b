// The replica's node logic on a KJ event loop: readiness, promotion, incarnations, idempotent
// placement, the gap rule on ingest, min_acks waits and PENDING, restarts and write failures, and
// a peer's calls passed on to the replication thread as news that it is back.
#include <doctest/doctest.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <kj/async-io.h>

#include "replica/replica-node.h"
#include "replica/replica-service.h"
#include "tests/replica/resources-folder.h"
#include "tests/replica/sync-gate.h"
#include "tests/schema/sample-order.h"
#include "tests/schema/temp-dir.h"

using jh::OrderRecord;
using jh::PeerSynced;
using jh::PlaceOutcome;
using jh::Rejection;
using jh::ReplicaNode;
using jh::VersionVector;
using jh::rpc::RejectCode;
using jh::test::TempDir;
using jh::test::vectorOf;

namespace {

// Stands in for the replication thread's syncs: each peer answers (vouching for its history or
// not), fails at once, or never answers, as the test says.
struct FakeSyncer final : jh::PeerSyncer {
  enum class Answer { VOUCHES, HOLDS_NO_HISTORY, FAILS, NEVER };
  std::map<std::string, Answer> answers;  // peers not listed never answer
  std::vector<std::string> asked;

  kj::Promise<PeerSynced> syncWith(const std::string& peer, kj::Duration) override {
    asked.push_back(peer);
    auto it = answers.find(peer);
    Answer answer = it == answers.end() ? Answer::NEVER : it->second;
    if (answer == Answer::NEVER) return kj::NEVER_DONE;
    if (answer == Answer::FAILS) return KJ_EXCEPTION(DISCONNECTED, "cannot connect", peer);
    PeerSynced synced(peer);
    synced.holdsHistory = answer == Answer::VOUCHES;
    return synced;
  }
  void heardFrom(const std::string& peer) override { heard.push_back(peer); }
  std::vector<std::string> heard;
};

// One node ("r1", the first of `replicas`) over a temporary resources folder, on its own loop.
// The other replicas exist only as peers in the configuration; no process runs for them.
struct NodeRig {
  // `withOrdersFile`: the folder holds an (empty) orders.csv, as a replica that has its history;
  // without it the replica starts as one that lost its file.
  explicit NodeRig(size_t replicas = 1, uint32_t callTimeoutMs = 1000, bool withOrdersFile = true) {
    jh::test::writeResources(dir);
    if (withOrdersFile) dir.write("orders.csv", "");
    config.path = dir.file("cluster.json");
    config.callTimeoutMs = callTimeoutMs;
    for (size_t i = 0; i < replicas; ++i) {
      config.replicas.push_back(
          {"r" + std::to_string(i + 1), "127.0.0.1:" + std::to_string(9001 + i), dir.path()});
    }
    start();
  }

  // Builds the node afresh from the folder, as a restart does.
  void start() {
    node.reset();
    node = std::make_unique<ReplicaNode>(config, 0, *io.lowLevelProvider);
    node->setSyncer(syncer);
  }

  jh::PromoteOutcome promote(uint32_t minAcks = 0, std::set<std::string> skip = {}) {
    return node->promote("fe", minAcks, std::move(skip)).wait(io.waitScope);
  }

  // Ready and promoted, every peer answering: as a primary that serves.
  void serve() {
    node->setReady();
    for (auto& r : config.replicas) {
      if (r.name != "r1") syncer.answers[r.name] = FakeSyncer::Answer::VOUCHES;
    }
    REQUIRE(std::holds_alternative<jh::Promoted>(promote()));
    REQUIRE(node->promoted());
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
  FakeSyncer syncer;
  std::unique_ptr<ReplicaNode> node;
};

// What the front-end sends: no origin, seq or status yet.
OrderRecord request(const std::string& id, const std::string& item = "Tea",
                    const std::string& user = "ann") {
  OrderRecord o = jh::test::sampleOrder(id, "", 0);
  o.item = item;
  o.userCode = user;
  o.status = "";
  return o;
}

// A row as replicated from another replica (incarnation 7, as vectorOf's).
OrderRecord row(const std::string& origin, uint64_t seq) {
  return jh::test::sampleOrder(origin + "-" + std::to_string(seq), origin, seq);
}

// What the node holds of its own current incarnation, as a vector.
VersionVector own(const NodeRig& rig, uint64_t seq) {
  VersionVector v;
  v.set("r1", rig.node->incarnation(), seq);
  return v;
}

// The node's own rows 1..seq of its current incarnation, plus `others`.
VersionVector withOwn(const NodeRig& rig, uint64_t seq, VersionVector others) {
  others.set("r1", rig.node->incarnation(), seq);
  return others;
}

const jh::StoredOrder* stored(NodeRig& rig, const OrderRecord& request) {
  bool conflicting = false;
  return rig.node->store().findRepeat(request.view(), conflicting);
}

bool promoted(const jh::PromoteOutcome& outcome) {
  return std::holds_alternative<jh::Promoted>(outcome);
}

const OrderRecord& placed(const PlaceOutcome& outcome) {
  if (auto* refusal = std::get_if<Rejection>(&outcome)) {
    FAIL("refused: " << jh::rejectCodeName(refusal->code) << ": " << refusal->message);
  }
  return std::get<OrderRecord>(outcome);
}

// The refusal's code, or nullopt when the order was placed.
std::optional<RejectCode> refusalCode(const PlaceOutcome& outcome) {
  if (auto* refusal = std::get_if<Rejection>(&outcome)) return refusal->code;
  return std::nullopt;
}

// The orders in the node's orders.csv (or orders.csv.partial, while it holds no history).
std::vector<OrderRecord> rowsOnDisk(const NodeRig& rig) {
  bool partial = std::filesystem::exists(rig.dir.file("orders.csv.partial"));
  return jh::test::ordersInCsv(rig.dir.read(partial ? "orders.csv.partial" : "orders.csv"));
}

}  // namespace

TEST_CASE("placeOrder before the node is ready is refused NOT_READY and writes nothing") {
  NodeRig rig;
  CHECK_FALSE(rig.node->ready());
  CHECK(refusalCode(rig.place(request("a"))) == RejectCode::NOT_READY);
  CHECK(rig.node->store().rows() == 0);
  CHECK(rowsOnDisk(rig).empty());
}

TEST_CASE(
    "a ready replica that no front-end has promoted refuses orders NOT_READY and writes nothing") {
  NodeRig rig(3);
  rig.node->setReady();
  CHECK_FALSE(rig.node->promoted());
  CHECK(refusalCode(rig.place(request("a"))) == RejectCode::NOT_READY);
  CHECK(rig.node->store().rows() == 0);
  CHECK(rowsOnDisk(rig).empty());
}

TEST_CASE(
    "placed orders get this replica as origin, its incarnation, seqs 1, 2, 3 and CONFIRMED, and "
    "are on disk") {
  NodeRig rig;
  rig.serve();
  CHECK(rig.node->incarnation() > 0);
  std::vector<OrderRecord> stored;
  for (const char* id : {"a", "b", "c"}) stored.push_back(placed(rig.place(request(id))));
  for (uint64_t i = 0; i < 3; ++i) {
    CHECK(stored[i].origin == "r1");
    CHECK(stored[i].incarnation == rig.node->incarnation());
    CHECK(stored[i].seq == i + 1);
    CHECK(stored[i].status == "CONFIRMED");
    CHECK(stored[i].item == "Tea");
  }
  CHECK(rig.node->store().vector() == own(rig, 3));
  CHECK(rowsOnDisk(rig) == stored);
}

TEST_CASE("placed orders survive a restart, which begins a new incarnation numbered from 1") {
  NodeRig rig;
  rig.serve();
  OrderRecord first = placed(rig.place(request("a")));
  uint64_t before = rig.node->incarnation();
  rig.start();
  CHECK_FALSE(rig.node->ready());
  CHECK_FALSE(rig.node->promoted());
  CHECK(rig.node->incarnation() > before);
  REQUIRE(stored(rig, request("a")) != nullptr);
  CHECK(stored(rig, request("a"))->record() == first);
  rig.serve();
  OrderRecord second = placed(rig.place(request("b")));
  CHECK(second.seq == 1);
  CHECK(second.incarnation == rig.node->incarnation());
  VersionVector both = own(rig, 1);
  both.set("r1", before, 1);
  CHECK(rig.node->store().vector() == both);
}

TEST_CASE(
    "a new incarnation is above every incarnation of its own that the replica holds, whatever the "
    "clock says") {
  NodeRig rig;
  // A row of its own from an incarnation far ahead of today's clock (one set back since).
  OrderRecord ahead = row("r1", 1);
  ahead.incarnation = 9'000'000'000'000'000'000ull;
  rig.ingest({ahead});
  rig.start();
  CHECK(rig.node->incarnation() == ahead.incarnation + 1);
}

TEST_CASE("a repeated order id returns the stored copy without storing it again") {
  NodeRig rig;
  rig.serve();
  OrderRecord first = placed(rig.place(request("a")));
  OrderRecord retry = request("a");
  retry.timeStamp = "2026-11-21T23:59:59.999Z";  // a retry is stamped again by the front-end
  CHECK(placed(rig.place(retry)) == first);
  CHECK(rig.node->store().rows() == 1);
  CHECK(placed(rig.place(request("b"))).seq == 2);
}

TEST_CASE(
    "a repeat sent while the first attempt is still being written gets the same stored copy") {
  NodeRig rig;
  rig.serve();
  auto one = rig.node->placeOrder(request("a"), 0);
  auto two = rig.node->placeOrder(request("a"), 0);
  PlaceOutcome second = two.wait(rig.io.waitScope);
  PlaceOutcome first = one.wait(rig.io.waitScope);
  CHECK(placed(second) == placed(first));
  CHECK(placed(first).seq == 1);
  CHECK(rig.node->store().rows() == 1);
}

TEST_CASE(
    "the same user and order id for a different item or postcode is refused CONFLICTING_ORDER_ID") {
  NodeRig rig;
  rig.serve();
  placed(rig.place(request("a", "Tea", "ann")));
  CHECK(refusalCode(rig.place(request("a", "Cake", "ann"))) == RejectCode::CONFLICTING_ORDER_ID);
  OrderRecord elsewhere = request("a");
  elsewhere.postCode = "M1 1AD";
  CHECK(refusalCode(rig.place(elsewhere)) == RejectCode::CONFLICTING_ORDER_ID);
  CHECK(rig.node->store().rows() == 1);
}

TEST_CASE(
    "the same order id from another user is another order: the key is (user_code, order_id)") {
  NodeRig rig;
  rig.serve();
  OrderRecord ann = placed(rig.place(request("a", "Tea", "ann")));
  OrderRecord bob = placed(rig.place(request("a", "Cake", "bob")));
  CHECK(bob.seq == ann.seq + 1);
  CHECK(rig.node->store().rows() == 2);
  CHECK(rig.node->store().orders() == 2);
}

TEST_CASE("an invalid user code, order id or order is refused before anything is written") {
  NodeRig rig;
  rig.serve();
  CHECK(refusalCode(rig.place(request("a", "Tea", "a\nb"))) == RejectCode::INVALID_USER_CODE);
  CHECK(refusalCode(rig.place(request("a", "Tea", ""))) == RejectCode::INVALID_USER_CODE);
  CHECK(refusalCode(rig.place(request("a", "Tea", std::string(65, 'x')))) ==
        RejectCode::INVALID_USER_CODE);
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
  CHECK(stored(rig, row("r2", 4)) == nullptr);
  CHECK(rowsOnDisk(rig) ==
        std::vector<OrderRecord>{row("r2", 1), row("r2", 2), row("r3", 1), row("r2", 3)});
}

TEST_CASE(
    "a peer's push or pull tells the replication thread that the peer is back, by the sender's "
    "name") {
  NodeRig rig(3);
  rig.node->setReady();
  jh::rpc::Replica::Client service = kj::heap<jh::ReplicaService>(*rig.node);
  auto pull = service.pullRequest();
  pull.setSender("r3");
  pull.send().wait(rig.io.waitScope);
  auto push = service.replicateRequest();
  push.setSender("r2");
  push.initOrders(0);
  push.send().wait(rig.io.waitScope);
  CHECK(rig.syncer.heard == std::vector<std::string>{"r3", "r2"});
}

TEST_CASE("ingested rows from other origins leave this replica's own numbering alone") {
  NodeRig rig;
  rig.serve();
  rig.ingest({row("r2", 1), row("r2", 2)});
  CHECK(placed(rig.place(request("mine"))).seq == 1);
  CHECK(rig.node->store().vector() == withOwn(rig, 1, vectorOf({{"r2", 2}})));
}

TEST_CASE(
    "with min_acks 1 and no peer progress, placeOrder is UNAVAILABLE after the ack wait and reads "
    "show it PENDING "
    "(timing: waits 3/4 of call_timeout_ms)") {
  NodeRig rig(3, 100);
  rig.serve();
  kj::TimePoint start = rig.io.provider->getTimer().now();
  PlaceOutcome outcome = rig.place(request("a"), 1);
  CHECK(refusalCode(outcome) == RejectCode::UNAVAILABLE);
  CHECK(std::get<Rejection>(outcome).message.find("retrying with the same order id is safe") !=
        std::string::npos);
  CHECK(rig.io.provider->getTimer().now() - start >= 75 * kj::MILLISECONDS);
  // Stored and durable here all the same: a retry with the same id is answered from the store,
  // and reads show it PENDING until a backup holds it.
  const jh::StoredOrder* row = stored(rig, request("a"));
  REQUIRE(row != nullptr);
  CHECK(rig.node->pending(*row, 1));
  CHECK_FALSE(rig.node->pending(*row, 0));
  rig.node->onPeerProgress("r3", true, own(rig, 1));
  CHECK_FALSE(rig.node->pending(*row, 1));
  CHECK(rig.node->pending(*row, 2));
}

TEST_CASE("with min_acks 1, placeOrder resolves to the order once a peer reports holding it") {
  NodeRig rig(3, 4000);
  rig.serve();
  jh::WakeSignal::Listener ownOrders(rig.node->ownOrders(), *rig.io.lowLevelProvider);
  uint64_t seen = rig.node->ownOrders().generation();
  auto pending = rig.node->placeOrder(request("a"), 1);
  ownOrders.waitAfter(seen).wait(rig.io.waitScope);  // on its way to disk here
  CHECK_FALSE(pending.poll(rig.io.waitScope));       // and waiting for a backup
  rig.node->onPeerProgress("r2", true, own(rig, 0));
  CHECK_FALSE(pending.poll(rig.io.waitScope));  // r2 does not hold it yet
  VersionVector earlierLife;
  earlierLife.set("r1", rig.node->incarnation() - 1, 1);  // seq 1 of an earlier life is another row
  rig.node->onPeerProgress("r2", true, earlierLife);
  CHECK_FALSE(pending.poll(rig.io.waitScope));
  rig.node->onPeerProgress("r3", true, own(rig, 1));
  OrderRecord order = placed(pending.wait(rig.io.waitScope));
  CHECK(order.seq == 1);
  CHECK(order.origin == "r1");
}

TEST_CASE("with min_acks 2, placeOrder waits for two peers, and one already ahead counts at once") {
  NodeRig rig(3, 4000);
  rig.serve();
  rig.node->onPeerProgress("r2", true, own(rig, 5));
  auto pending = rig.node->placeOrder(request("a"), 2);
  CHECK_FALSE(pending.poll(rig.io.waitScope));
  rig.node->onPeerProgress("r3", true, own(rig, 1));
  CHECK(placed(pending.wait(rig.io.waitScope)).seq == 1);
  CHECK(rig.node->peers().at("r2").reachable);
}

TEST_CASE(
    "placeOrders answers each order of a call in its place: refusals, new orders numbered in call "
    "order, "
    "a repeat of a stored order, a repeat within the call and a conflicting order id") {
  NodeRig rig;
  rig.serve();
  OrderRecord first = placed(rig.place(request("a")));
  OrderRecord badUser = request("x");
  badUser.userCode = "";
  std::vector<OrderRecord> call = {request("b"),           badUser,     request("a"), request("b"),
                                   request("a", "Coffee"), request("c")};
  auto outcomes = rig.node->placeOrders(call, 0).wait(rig.io.waitScope);
  REQUIRE(outcomes.size() == call.size());
  CHECK(placed(outcomes[0]).seq == 2);
  CHECK(refusalCode(outcomes[1]) == RejectCode::INVALID_USER_CODE);
  CHECK(placed(outcomes[2]) == first);
  CHECK(placed(outcomes[3]) == placed(outcomes[0]));
  CHECK(refusalCode(outcomes[4]) == RejectCode::CONFLICTING_ORDER_ID);
  CHECK(placed(outcomes[5]).seq == 3);
  CHECK(rowsOnDisk(rig) ==
        std::vector<OrderRecord>{first, placed(outcomes[0]), placed(outcomes[5])});
}

TEST_CASE(
    "with min_acks 1, a call whose ack wait ends confirms the orders a peer holds and refuses the "
    "rest "
    "UNAVAILABLE (timing: waits 3/4 of call_timeout_ms)") {
  NodeRig rig(3, 100);
  rig.serve();
  rig.node->onPeerProgress("r2", true, own(rig, 1));  // ahead of the call: holds what will be seq 1
  auto outcomes = rig.node->placeOrders({request("a"), request("b")}, 1).wait(rig.io.waitScope);
  REQUIRE(outcomes.size() == 2);
  CHECK(placed(outcomes[0]).seq == 1);
  CHECK(refusalCode(outcomes[1]) == RejectCode::UNAVAILABLE);
}

TEST_CASE(
    "a failed write refuses the order and degrades the node until a disk probe succeeds, "
    "then, promoted again, a retry is stored afresh in a new incarnation") {
  jh::test::SyncGate gate;
  NodeRig rig;
  rig.serve();
  uint64_t before = rig.node->incarnation();
  gate.failNext(EIO);
  auto outcome = rig.place(request("a"));
  CHECK(refusalCode(outcome) == RejectCode::NOT_READY);
  CHECK(stored(rig, request("a")) == nullptr);
  rig.io.waitScope.poll();  // let the node finish forgetting the failed attempt
  CHECK(rig.node->degraded());
  CHECK_FALSE(rig.node->promoted());
  CHECK(refusalCode(rig.place(request("a"))) == RejectCode::NOT_READY);  // no orders while degraded
  CHECK_FALSE(promoted(rig.promote()));
  // The probe runs a second after the failure and the gate lets it through: poll, bounded.
  auto& timer = rig.io.provider->getTimer();
  for (int i = 0; i < 100 && rig.node->degraded(); ++i) {
    timer.afterDelay(50 * kj::MILLISECONDS).wait(rig.io.waitScope);
  }
  CHECK_FALSE(rig.node->degraded());
  CHECK(refusalCode(rig.place(request("a"))) == RejectCode::NOT_READY);  // until promoted again
  rig.serve();
  OrderRecord stored = placed(rig.place(request("a")));
  CHECK(stored.seq == 1);
  // Backups may hold the failed attempt's row under its name already: that name is never reused.
  CHECK(stored.incarnation > before);
  CHECK(rowsOnDisk(rig) == std::vector<OrderRecord>{stored});
}

TEST_CASE("after a failed write, ingesting only rows already held still returns the vector") {
  jh::test::SyncGate gate;
  NodeRig rig;
  rig.serve();
  CHECK(rig.ingest({row("r2", 1)}) == vectorOf({{"r2", 1}}));
  gate.failNext(EIO);
  CHECK(refusalCode(rig.place(request("a"))) == RejectCode::NOT_READY);
  rig.io.waitScope.poll();
  auto again = rig.node->ingest({row("r2", 1)})
                   .then([](VersionVector v) { return v.toString(); },
                         [](kj::Exception&& e) {
                           return std::string("threw: ") + e.getDescription().cStr();
                         });
  CHECK(again.wait(rig.io.waitScope) == "r2#7:1");
}

TEST_CASE(
    "promotion with min_acks 1 waits for one peer that vouches for its history, and no more") {
  NodeRig rig(3);
  rig.node->setReady();
  rig.syncer.answers["r2"] = FakeSyncer::Answer::HOLDS_NO_HISTORY;  // lost its disk: does not count
  rig.syncer.answers["r3"] = FakeSyncer::Answer::VOUCHES;
  auto outcome = rig.promote(1);
  REQUIRE(promoted(outcome));
  CHECK(rig.node->promoted());
  auto synced = std::get<jh::Promoted>(outcome).syncedWith;
  CHECK(std::count(synced.begin(), synced.end(), "r3") == 1);
}

TEST_CASE(
    "promotion with min_acks 1 is refused UNAVAILABLE when no peer that vouches can be synced "
    "with") {
  NodeRig rig(3, 200);
  rig.node->setReady();
  rig.syncer.answers["r2"] = FakeSyncer::Answer::FAILS;
  rig.syncer.answers["r3"] = FakeSyncer::Answer::HOLDS_NO_HISTORY;
  auto outcome = rig.promote(1);
  REQUIRE_FALSE(promoted(outcome));
  CHECK(std::get<Rejection>(outcome).code == RejectCode::UNAVAILABLE);
  CHECK_FALSE(rig.node->promoted());
  CHECK(refusalCode(rig.place(request("a"), 1)) == RejectCode::NOT_READY);
  rig.syncer.answers["r2"] = FakeSyncer::Answer::NEVER;  // a frozen peer: refused at the deadline
  CHECK_FALSE(promoted(rig.promote(1)));
}

TEST_CASE(
    "a replica without its orders.csv needs N - K peers that vouch to be promoted, "
    "and holds its history again once it has synced with every peer") {
  NodeRig rig(3, 1000, false);
  CHECK_FALSE(rig.node->holdsHistory());
  CHECK(std::filesystem::exists(rig.dir.file("orders.csv.partial")));
  CHECK_FALSE(std::filesystem::exists(rig.dir.file("orders.csv")));
  rig.node->setReady();
  rig.syncer.answers["r2"] = FakeSyncer::Answer::VOUCHES;
  rig.syncer.answers["r3"] = FakeSyncer::Answer::FAILS;
  CHECK_FALSE(promoted(rig.promote(1)));  // one peer is not enough: it cannot count itself
  CHECK(promoted(rig.promote(2)));        // with min_acks 2 every order is on both peers
  CHECK_FALSE(rig.node->holdsHistory());
  rig.syncer.answers["r3"] = FakeSyncer::Answer::VOUCHES;
  CHECK(promoted(rig.promote(1)));
  CHECK(rig.node->holdsHistory());
  CHECK(std::filesystem::exists(rig.dir.file("orders.csv")));
  CHECK_FALSE(std::filesystem::exists(rig.dir.file("orders.csv.partial")));
  rig.start();  // the file survives as the whole history
  CHECK(rig.node->holdsHistory());
}

TEST_CASE(
    "promotion with min_acks 0 waits for every peer not skipped, and serves at the deadline with "
    "those that answered "
    "(timing: waits call_timeout_ms for a peer that never answers)") {
  NodeRig rig(3, 150);
  rig.node->setReady();
  rig.syncer.answers["r2"] = FakeSyncer::Answer::VOUCHES;
  // r3 never answers. Skipped (the front-end saw it down), it is not waited for.
  auto& timer = rig.io.provider->getTimer();
  kj::TimePoint start = timer.now();
  CHECK(promoted(rig.promote(0, {"r3"})));
  CHECK(timer.now() - start < 150 * kj::MILLISECONDS);
  auto slow = rig.node->promote("fe", 0, {});
  CHECK_FALSE(slow.poll(rig.io.waitScope));
  CHECK(promoted(slow.wait(rig.io.waitScope)));
  CHECK(timer.now() - start >= 150 * kj::MILLISECONDS);
}

TEST_CASE(
    "promotion of a replica that is catching up or stopping is refused NOT_READY and asks no "
    "peer") {
  NodeRig rig(3);
  auto outcome = rig.promote(0);
  REQUIRE_FALSE(promoted(outcome));
  CHECK(std::get<Rejection>(outcome).code == RejectCode::NOT_READY);
  CHECK(rig.syncer.asked.empty());
}

TEST_CASE(
    "a promotion waits until the replica's own rows on their way to disk are durable, so it reads "
    "them") {
  // A row pushed before its origin's sync reaches a backup; the order is acknowledged from there
  // (a retry after failover). When the origin is promoted again, its pulls skip that row (its
  // name is taken here) and reads show it only once durable: promotion must wait for it.
  jh::test::SyncGate gate;
  NodeRig rig(3);
  rig.serve();
  gate.hold();
  auto placing = rig.node->placeOrder(request("a"), 0);
  REQUIRE(gate.waitUntilHeld());
  auto promotion = rig.node->promote("fe", 1, {});
  CHECK_FALSE(promotion.poll(rig.io.waitScope));
  CHECK(stored(rig, request("a")) == nullptr);
  gate.release();
  CHECK(promoted(promotion.wait(rig.io.waitScope)));
  CHECK(stored(rig, request("a")) != nullptr);
  placed(placing.wait(rig.io.waitScope));
}
