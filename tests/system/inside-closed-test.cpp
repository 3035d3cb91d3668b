// The inside of the system is closed (issue 7, point 4): a replica hands out its Replica
// capability only to callers presenting the cluster secret; clients see only the FrontEnd.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

namespace {
const std::string SECRET = "correct horse battery staple";
}

TEST_CASE(
    "with a cluster secret, orders flow and a caller without it gets nothing from a replica") {
  ClusterOptions o;
  o.secret = SECRET;
  TestCluster cluster(o);
  auto placed = cluster.runClient({"--user", "nan", "--json", "order", "CHIPS", "AB10 1AB"});
  INFO(placed.out << placed.err);
  REQUIRE(placed.exitCode == 0);
  std::string id = jsonField(placed.out, "order_id");
  REQUIRE(waitOnEveryReplica(cluster, {id}));  // replication between replicas presents it too

  std::string replica = cluster.address("replica.server1");  // the primary: it serves reads
  CHECK_FALSE(replicaOrders(replica, "nan").has_value());
  CHECK_FALSE(replicaOrders(replica, "nan", "guess").has_value());
  auto allowed = replicaOrders(replica, "nan", SECRET);
  REQUIRE(allowed.has_value());
  CHECK(allowed->size() == 1);
  CHECK(cluster.isRunning("replica.server1"));
  CHECK(cluster.logText("replica.server1").find("did not present the cluster secret") !=
        std::string::npos);
}

TEST_CASE(
    "a client that dials a replica's port as if it were a front-end is refused, exit code 3") {
  TestCluster cluster;
  // A cluster file whose only front-end is in fact replica 1's port.
  std::string other = cluster.dir() + "/as-frontend.json";
  writeFile(other, "{\"frontends\": [{\"name\": \"fe\", \"address\": \"" +
                       cluster.address("replica.server1") +
                       "\"}], \"replicas\": [{\"name\": \"r\", \"address\": \"127.0.0.1:1\", "
                       "\"dir\": \"r\"}]}\n");
  auto r = runCommand(
      {std::string(JH_BIN_DIR) + "/jh-client", "--cluster", other, "--json", "menu"}, 30s);
  INFO(r.out << r.err);
  CHECK(r.exitCode == 3);
  CHECK(cluster.isRunning("replica.server1"));
  auto fine = cluster.runClient({"--json", "menu"});
  CHECK(fine.exitCode == 0);
}

TEST_CASE("a cluster file that names no secret keeps working, with a warning at start") {
  TestCluster cluster;
  auto r = cluster.runClient({"--user", "oz", "--json", "order", "CHIPS", "AB10 1AB"});
  CHECK(r.exitCode == 0);
  CHECK(cluster.logText("replica.server1").find("names no secret_file") != std::string::npos);
}

TEST_CASE("a secret file that others can read stops a replica at start, naming the file") {
  ClusterOptions o = nothingStarted();
  o.secret = SECRET;
  TestCluster cluster(o);
  REQUIRE(chmod((cluster.dir() + "/cluster.secret").c_str(), 0644) == 0);
  CHECK(exitOfRefusedStart(cluster, "replica.server1") == 1);
  CHECK(cluster.logText("replica.server1").find("chmod 600") != std::string::npos);
}
