// DESIGN.md §4 proved by killing things: no acknowledged order lost or shown twice, replicas
// converge, a replica that was down catches up, and min_acks is never silently downgraded.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "tests/system/order-ledger.h"
#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

namespace {

struct Bench {
  std::string acked, attempted, out, err;
  std::unique_ptr<ChildProcess> process;

  // `name` tells the files of several benches apart.
  Bench(const TestCluster& cluster, std::vector<std::string> extra,
        const std::string& name = "bench") {
    acked = cluster.dir() + "/" + name + "-acked.txt";
    attempted = cluster.dir() + "/" + name + "-attempted.txt";
    out = cluster.dir() + "/" + name + ".out";
    err = cluster.dir() + "/" + name + ".err";
    std::vector<std::string> argv = {std::string(JH_BIN_DIR) + "/jh-bench",
                                     "--cluster",
                                     cluster.clusterFile(),
                                     "--acked-out",
                                     acked,
                                     "--attempted-out",
                                     attempted,
                                     "--json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<ChildProcess>(argv, "", out, err);
  }

  // Waits for it to finish by itself; its exit status, or -1 when it had to be stopped.
  int finish(std::chrono::milliseconds bound) {
    if (!waitUntil([&]() { return !process->isRunning(); }, bound, 50ms)) {
      process->stop();
      return -1;
    }
    return *process->exitStatus();
  }
};

uint64_t orderCount(const TestCluster& cluster, const std::string& name) {
  auto h = cluster.replicaHealth(name);
  return h ? h->orderCount : 0;
}

// Waits until `name` holds `more` orders beyond what it holds now: orders keep flowing.
bool ordersFlowOn(const TestCluster& cluster, const std::string& name, uint64_t more) {
  uint64_t start = orderCount(cluster, name);
  return waitUntil([&]() { return orderCount(cluster, name) >= start + more; }, 15s);
}

// Whether `frontend` routes to `name` and `name` itself says it is READY (a replica restarted
// a moment ago can still be READY in the front-end's table until the next heartbeat).
bool primaryIs(const TestCluster& cluster, const std::string& name,
               const std::string& frontend = TestCluster::FRONTEND) {
  return waitUntil(
      [&]() {
        auto s = cluster.frontendStatus(frontend);
        auto h = cluster.replicaHealth(name);
        return s && s->primary == name && h && h->state == "READY";
      },
      15s);
}

}  // namespace

TEST_CASE(
    "nemesis: kill -9 and SIGSTOP of the primary, a replica that lost its orders.csv, restarts and "
    "a front-end "
    "killed, under load through two front-ends, lose, hide, duplicate and invent no order") {
  // min_acks 1: every acknowledged order is on two replicas, so none may ever be out of sight
  // (with min_acks 0 an order only a frozen primary holds may be, DESIGN.md §4; schedule 5 of
  // fault-schedules-test.cpp tells that case apart).
  ClusterOptions o;
  o.callTimeoutMs = 500;
  o.heartbeatMs = 50;
  o.frontends = 2;
  o.minAcks = 1;
  TestCluster cluster(o);
  const std::string R1 = "replica.server1", R2 = "replica.server2", R3 = "replica.server3";
  const std::string FE2 = "just.hungry.2";
  std::vector<std::string> load = {"--clients",    "2",   "--duration", "16", "--retry-until-acked",
                                   "--timeout-ms", "3000"};
  auto through = [&](const std::string& frontend, const std::string& prefix) {
    std::vector<std::string> argv = {"--frontend", frontend, "--user-prefix", prefix};
    argv.insert(argv.end(), load.begin(), load.end());
    return argv;
  };
  Bench one(cluster, through(TestCluster::FRONTEND, "one"), "one");
  Bench two(cluster, through(FE2, "two"), "two");
  // A sample of orders placed by the test itself, each looked for in its user's list at every
  // step after its acknowledgement (jh-bench reports its own only at the end).
  OrderLedger ledger(cluster);
  // Each under an id of the test's own, so that one whose call timed out but was stored counts as
  // attempted, not invented.
  std::set<std::string> sampled;
  auto sample = [&]() {
    for (int i = 0; i < 2; ++i) {
      std::string id = "watched-order-" + std::to_string(sampled.size());
      sampled.insert(id);
      ledger.place("watched-" + std::to_string(sampled.size() % 3), "CHIPS", "AB10 1AB", id);
    }
    ledger.lookFor(400ms);
  };
  auto bothSee = [&](const std::string& primary) {
    return primaryIs(cluster, primary) && primaryIs(cluster, primary, FE2);
  };

  REQUIRE(ordersFlowOn(cluster, R1, 100));
  sample();
  REQUIRE(cluster.kill(R1, SIGKILL));  // the primary crashes
  REQUIRE(bothSee(R2));
  REQUIRE(ordersFlowOn(cluster, R2, 100));
  sample();
  cluster.stop(R1);
  cluster.start(R1);  // and comes back, catches up, takes over
  REQUIRE(bothSee(R1));
  sample();
  REQUIRE(cluster.kill(R1, SIGSTOP));  // the primary freezes
  REQUIRE(bothSee(R2));
  REQUIRE(ordersFlowOn(cluster, R2, 100));
  sample();
  REQUIRE(cluster.kill(R1, SIGCONT));  // and thaws: promoted again before it serves
  REQUIRE(bothSee(R1));
  sample();
  REQUIRE(cluster.kill(R3, SIGKILL));  // a backup crashes and loses its disk
  cluster.stop(R3);
  std::filesystem::remove(cluster.ordersPath(R3));
  cluster.start(R3);  // and comes back empty, catching up
  REQUIRE(cluster.waitReplicaReady(R3, 15s));
  REQUIRE(ordersFlowOn(cluster, R1, 100));
  sample();
  REQUIRE(cluster.kill(FE2, SIGKILL));  // a front-end crashes
  cluster.stop(FE2);
  cluster.start(FE2);  // its load resumes once it is back
  REQUIRE(cluster.waitFrontendUp(15s, FE2));
  REQUIRE(primaryIs(cluster, R1, FE2));
  sample();

  for (Bench* bench : {&one, &two}) {
    int status = bench->finish(60s);
    INFO(readFile(bench->out) << readFile(bench->err));
    REQUIRE(status == 0);
  }
  REQUIRE(waitConverged(cluster));
  ledger.look();

  auto acked = readLines(one.acked);
  auto ackedTwo = readLines(two.acked);
  acked.insert(acked.end(), ackedTwo.begin(), ackedTwo.end());
  std::set<std::string> attempted;
  for (Bench* bench : {&one, &two}) {
    for (auto& id : readLines(bench->attempted)) attempted.insert(id);
  }
  attempted.insert(sampled.begin(), sampled.end());
  REQUIRE(acked.size() > 500);

  size_t lost = 0, unexpected = 0, duplicated = 0;
  std::optional<std::vector<std::tuple<std::string, uint64_t, uint64_t, std::string>>> firstRows;
  for (auto& name : cluster.replicaNames()) {
    auto rows = cluster.readOrdersCsv(name);
    std::set<std::string> ids;
    std::vector<std::tuple<std::string, uint64_t, uint64_t, std::string>> keyed;
    for (auto& row : rows) {
      ids.insert(row.orderId);
      keyed.emplace_back(row.origin, row.incarnation, row.seq, row.orderId);
      if (!attempted.count(row.orderId)) ++unexpected;
    }
    for (auto& id : acked) {
      if (!ids.count(id)) ++lost;
    }
    std::sort(keyed.begin(), keyed.end());
    if (!firstRows) firstRows = keyed;
    CHECK_MESSAGE(keyed == *firstRows, name << " holds different rows from replica.server1");
  }
  // Reads, through the client: every acknowledged order listed for its user, none twice.
  std::set<std::string> listed;
  for (const char* prefix : {"one", "two"}) {
    for (int client = 0; client < 2; ++client) {
      auto r = cluster.runClient(
          {"--user", std::string(prefix) + "-" + std::to_string(client), "--json", "orders"});
      REQUIRE(r.exitCode == 0);
      for (auto& id : idsInOrdersJson(r.out)) {
        if (!listed.insert(id).second) ++duplicated;
        if (!attempted.count(id)) ++unexpected;
      }
    }
  }
  for (auto& id : acked) {
    if (!listed.count(id)) ++lost;
  }
  std::string missing;
  MESSAGE("nemesis: acknowledged " << acked.size() << " (+" << ledger.acked().size()
                                   << " watched), attempted " << attempted.size() << ", lost "
                                   << lost << ", duplicated " << duplicated << ", unexpected "
                                   << unexpected << "; watched: " << ledger.summary() << "; "
                                   << readFile(one.out) << readFile(two.out));
  CHECK(lost == 0);
  CHECK(duplicated == 0);
  CHECK(unexpected == 0);
  CHECK(ledger.visibleThroughout() == ledger.watched());
  CHECK(ledger.onEveryReplica(missing) == ledger.acked().size());
  CHECK(cluster.logText(R3).find("now holds every order this replica ever stored") !=
        std::string::npos);
}

TEST_CASE(
    "a backup that was down while thousands of orders were placed catches up and holds them all") {
  TestCluster cluster;
  const std::string R3 = "replica.server3";
  REQUIRE(cluster.kill(R3, SIGKILL));
  cluster.stop(R3);
  Bench bench(cluster, {"--clients", "4", "--max-orders", "750", "--duration", "120"});
  REQUIRE(bench.finish(150s) == 0);
  auto acked = readLines(bench.acked);
  REQUIRE(acked.size() == 3000);

  auto began = std::chrono::steady_clock::now();
  cluster.start(R3);
  REQUIRE(cluster.waitReplicaReady(R3, 30s));
  auto tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - began)
                    .count();
  MESSAGE("catch-up of 3000 missed orders: start to READY in " << tookMs << " ms");
  // READY means caught up: the file holds every order at once, without waiting for pushes.
  auto ids = idsOnFile(cluster, R3);
  size_t missing = 0;
  for (auto& id : acked) missing += ids.count(id) ? 0 : 1;
  CHECK(missing == 0);
  CHECK(cluster.logText(R3).find("caught up with replica.server1") != std::string::npos);
}

TEST_CASE(
    "an order stored by a crashed primary and retried on a backup is read once, the same copy "
    "everywhere") {
  TestCluster cluster;
  const std::string R1 = "replica.server1", R2 = "replica.server2", R3 = "replica.server3";
  // Replica 1 stores the order alone (a SIGSTOPped backup would still receive the push into its
  // socket buffer and apply it when thawed), then crashes before anyone else has it.
  REQUIRE(cluster.kill(R2, SIGKILL));
  REQUIRE(cluster.kill(R3, SIGKILL));
  auto first = cluster.runClient(
      {"--user", "gil", "--json", "order", "HAMBURGER", "AB10 1AB", "--id", "twice-1"});
  INFO(first.out << first.err);
  REQUIRE(first.exitCode == 0);
  REQUIRE(jsonField(first.out, "origin") == R1);
  REQUIRE(cluster.kill(R1, SIGKILL));
  cluster.stop(R1);
  for (auto& r : {R2, R3}) {
    cluster.stop(r);
    cluster.start(r);
  }
  REQUIRE(primaryIs(cluster, R2));
  // The retry of the same attempt lands on replica 2, which has never seen it: a second copy.
  auto retry = cluster.runClient(
      {"--user", "gil", "--json", "order", "HAMBURGER", "AB10 1AB", "--id", "twice-1"});
  INFO(retry.out << retry.err);
  REQUIRE(retry.exitCode == 0);
  CHECK(jsonField(retry.out, "origin") != R1);
  cluster.stop(R1);
  cluster.start(R1);
  REQUIRE(waitConverged(cluster));

  for (auto& name : cluster.replicaNames()) {
    CHECK(idsOnFile(cluster, name).count("twice-1") == 2);  // both copies travel
    REQUIRE(promoteReplica(cluster.address(name)));  // (only a promoted replica serves reads)
    auto shown = replicaOrders(cluster.address(name), "gil");
    REQUIRE(shown);
    REQUIRE(shown->size() == 1);
    CHECK((*shown)[0].origin == R1);  // the earliest copy, on every replica
    CHECK((*shown)[0].timeStamp == jsonField(first.out, "time_stamp"));
  }
  auto listed = cluster.runClient({"--user", "gil", "--json", "orders"});
  CHECK(idsInOrdersJson(listed.out) == std::vector<std::string>{"twice-1"});
  // The status counts orders as users see them, and rows apart.
  REQUIRE(waitUntil(
      [&]() {
        auto s = cluster.frontendStatus();
        if (!s) return false;
        for (auto& r : s->replicas) {
          if (r.orderCount != 1 || r.rowCount != 2) return false;
        }
        return true;
      },
      10s));
  // A third repeat is answered with the copy reads show, whoever is primary.
  auto again = cluster.runClient(
      {"--user", "gil", "--json", "order", "HAMBURGER", "AB10 1AB", "--id", "twice-1"});
  CHECK(jsonField(again.out, "origin") == R1);
  auto conflicting = cluster.runClient(
      {"--user", "gil", "--json", "order", "CHIPS", "AB10 1AB", "--id", "twice-1"});
  CHECK(conflicting.exitCode == 1);
  CHECK(conflicting.out.find("CONFLICTING_ORDER_ID") != std::string::npos);
}

TEST_CASE("min_acks 1 with both backups down refuses orders instead of acknowledging them") {
  ClusterOptions o;
  o.minAcks = 1;
  o.callTimeoutMs = 400;
  TestCluster cluster(o);
  auto ok = cluster.runClient({"--user", "hal", "--json", "order", "CHIPS", "AB10 1AB"});
  REQUIRE(ok.exitCode == 0);
  REQUIRE(cluster.kill("replica.server2", SIGKILL));
  REQUIRE(cluster.kill("replica.server3", SIGKILL));
  auto refused = cluster.runClient(
      {"--user", "hal", "--json", "order", "CHIPS", "AB10 1AB", "--id", "acks-1"});
  INFO(refused.out << refused.err);
  CHECK(refused.exitCode == 3);
  CHECK(refused.out.find("UNAVAILABLE") != std::string::npos);
  // Once a backup is back, repeating the same attempt is acknowledged, as the one stored order.
  cluster.stop("replica.server2");
  cluster.start("replica.server2");
  REQUIRE(cluster.waitReplicaReady("replica.server2", 15s));
  auto retried = cluster.runClient(
      {"--user", "hal", "--json", "order", "CHIPS", "AB10 1AB", "--id", "acks-1"});
  INFO(retried.out << retried.err);
  CHECK(retried.exitCode == 0);
  CHECK(idsOnFile(cluster, "replica.server2").count("acks-1") == 1);
  CHECK(idsOnFile(cluster, "replica.server1").count("acks-1") == 1);
}

TEST_CASE(
    "a primary stopped with SIGTERM under load finishes what it took, exits 0, and no client sees "
    "an error") {
  TestCluster cluster;
  const std::string R1 = "replica.server1";
  Bench bench(cluster, {"--clients", "4", "--duration", "4"});
  REQUIRE(ordersFlowOn(cluster, R1, 100));
  CHECK(cluster.stop(R1, 10s) == 0);  // SIGTERM, and it exits by itself within the grace period
  REQUIRE(bench.finish(30s) == 0);
  std::string report = readFile(cluster.dir() + "/bench.out");
  INFO(report);
  CHECK(report.find("\"errors\":0") != std::string::npos);
  CHECK(cluster.logText(R1).find("refusing new orders") != std::string::npos);
  // Whatever it acknowledged before stopping is on the others too.
  cluster.start(R1);
  REQUIRE(waitConverged(cluster));
  auto acked = readLines(bench.acked);
  for (auto& name : cluster.replicaNames()) {
    auto ids = idsOnFile(cluster, name);
    size_t missing = 0;
    for (auto& id : acked) missing += ids.count(id) ? 0 : 1;
    CHECK_MESSAGE(missing == 0, name);
  }
}

TEST_CASE(
    "a full disk or failed sync on the primary: the order lands on the next replica, and the old "
    "primary recovers") {
  char faultDir[] = "/tmp/jh-fault-XXXXXX";
  REQUIRE(mkdtemp(faultDir) != nullptr);
  std::string faultFile = std::string(faultDir) + "/fault";
  ClusterOptions o;
  o.environment["replica.server1"] = {std::string("LD_PRELOAD=") + JH_FAULTY_DISK_LIB,
                                      "JH_FAULT_FILE=" + faultFile};
  TestCluster cluster(o);
  const std::string R1 = "replica.server1";
  auto first = cluster.runClient({"--user", "pat", "--json", "order", "CHIPS", "AB10 1AB"});
  REQUIRE(first.exitCode == 0);
  REQUIRE(jsonField(first.out, "origin") == R1);
  std::vector<std::string> acked = {jsonField(first.out, "order_id")};

  for (const char* fault : {"enospc", "eio-sync"}) {
    CAPTURE(fault);
    REQUIRE(primaryIs(cluster, R1));
    std::string before = readFile(cluster.ordersPath(R1));
    writeFile(faultFile, fault);
    auto r = cluster.runClient({"--user", "pat", "--json", "order", "CHIPS", "AB10 1AB"});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);  // acknowledged, by someone else
    acked.push_back(jsonField(r.out, "order_id"));
    // Replica 1 sent the row before its own write failed, so the row may bear its name: what
    // matters is that it is durable on the new primary.
    CHECK(idsOnFile(cluster, "replica.server2").count(acked.back()) == 1);
    CHECK(cluster.isRunning(R1));
    auto h = cluster.replicaHealth(R1);
    REQUIRE(h);
    CHECK(h->state == "DEGRADED");
    CHECK(readFile(cluster.ordersPath(R1)) == before);  // nothing half-written
    // It serves no client calls meanwhile (it may miss rows): a front-end promotes it again later.
    CHECK_FALSE(replicaOrders(cluster.address(R1), "pat"));
    auto listed = cluster.runClient({"--user", "pat", "--json", "orders"});
    CHECK(idsInOrdersJson(listed.out).size() == acked.size());  // served by the new primary
    writeFile(faultFile, "none");                               // space returns
    REQUIRE(cluster.waitReplicaReady(R1, 10s));
    REQUIRE(waitConverged(cluster));
  }
  REQUIRE(primaryIs(cluster, R1));
  auto after = cluster.runClient({"--user", "pat", "--json", "order", "CHIPS", "AB10 1AB"});
  CHECK(jsonField(after.out, "origin") == R1);
  acked.push_back(jsonField(after.out, "order_id"));
  REQUIRE(waitOnEveryReplica(cluster, acked));
  CHECK(cluster.logText(R1).find("state DEGRADED") != std::string::npos);
  std::filesystem::remove_all(faultDir);
}
