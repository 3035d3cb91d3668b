// Failover as a user meets it: the primary killed or frozen between two orders, and its return.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>

#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

TEST_CASE(
    "after kill -9 of the primary the next order succeeds in the same client call and reaches both "
    "backups") {
  TestCluster cluster;
  auto first = cluster.runClient({"--user", "dan", "--json", "order", "HAMBURGER", "AB10 1AB"});
  REQUIRE(first.exitCode == 0);

  REQUIRE(cluster.kill("replica.server1", SIGKILL));
  auto began = std::chrono::steady_clock::now();
  auto second = cluster.runClient({"--user", "dan", "--json", "order", "CHIPS", "AB10 1AB"});
  auto tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - began)
                    .count();
  INFO(second.out << second.err);
  REQUIRE(second.exitCode == 0);
  MESSAGE("kill -9 to the next acknowledged order, one jh-client process: " << tookMs << " ms");
  CHECK(jsonField(second.out, "origin") != "replica.server1");
  std::string id = jsonField(second.out, "order_id");
  REQUIRE(waitUntil(
      [&]() {
        return idsOnFile(cluster, "replica.server2").count(id) &&
               idsOnFile(cluster, "replica.server3").count(id);
      },
      10s));

  auto listed = cluster.runClient({"--user", "dan", "--json", "orders"});
  CHECK(idsInOrdersJson(listed.out).size() == 2);
}

TEST_CASE("a stopped primary (SIGSTOP) fails over by the call deadline, timing-dependent") {
  ClusterOptions o;
  o.callTimeoutMs = 300;
  TestCluster cluster(o);
  REQUIRE(cluster.kill("replica.server1", SIGSTOP));
  auto r = cluster.runClient({"--user", "erin", "--json", "order", "CHIPS", "AB10 1AB"});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 0);
  CHECK(jsonField(r.out, "origin") != "replica.server1");  // a backup took it
  REQUIRE(cluster.kill("replica.server1", SIGCONT));
  // Once thawed it is READY again and, holding everything, takes back the primary's role.
  REQUIRE(waitUntil(
      [&]() {
        auto s = cluster.frontendStatus();
        return s && s->primary == "replica.server1";
      },
      10s));
  std::string id = jsonField(r.out, "order_id");
  CHECK(idsOnFile(cluster, "replica.server1").count(id) == 1);
}

TEST_CASE("a restarted replica 1 catches up before it becomes primary again") {
  TestCluster cluster;
  REQUIRE(cluster.kill("replica.server1", SIGKILL));
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto r = cluster.runClient({"--user", "fay", "--json", "order", "CHIPS", "AB10 1AB"});
    REQUIRE(r.exitCode == 0);
    ids.push_back(jsonField(r.out, "order_id"));
  }
  cluster.stop("replica.server1");
  cluster.start("replica.server1");
  REQUIRE(waitUntil(
      [&]() {
        auto s = cluster.frontendStatus();
        return s && s->primary == "replica.server1";
      },
      15s));
  // Served by replica 1 now: everything placed while it was away is there (newest first).
  auto listed = cluster.runClient({"--user", "fay", "--json", "orders"});
  CHECK(idsInOrdersJson(listed.out) == std::vector<std::string>(ids.rbegin(), ids.rend()));
  auto direct = replicaOrders(cluster.address("replica.server1"), "fay");
  REQUIRE(direct);
  CHECK(direct->size() == ids.size());
  std::string log = cluster.logText(TestCluster::FRONTEND);
  CHECK(log.find("Handing over from replica.server2 to replica.server1") != std::string::npos);
  CHECK(log.find("replica.server1 is now the primary (was replica.server2)") != std::string::npos);
}
