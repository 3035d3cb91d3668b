// The front-end as users and operators meet it: postcodes.io (DESIGN.md §5) hanging or failing,
// the health table and its heartbeat. When postcodes.io hangs or fails, orders are
// accepted as unverified or refused as the cluster file says, promptly once the breaker is open,
// and other clients' calls never wait for a look-up.
#include <doctest/doctest.h>

#include <signal.h>

#include <memory>

#include "tests/support/harness/loopback-http.h"
#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

namespace {

uint16_t portOf(const std::string& url) {
  return static_cast<uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

// How many /postcodes/ requests reached the imitation.
std::string requestsSeen(const TestCluster& cluster) {
  std::string body = httpExchange(portOf(cluster.postcodesUrl()), "GET", "/__fake/requests").body;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return body;
}

ClusterOptions hangingPostcodes(const std::string& whenUnreachable, uint32_t timeoutMs) {
  ClusterOptions o;
  o.fakePostcodesArgs = {"--mode", "hang"};
  o.postcodeTimeoutMs = timeoutMs;
  o.whenUnreachable = whenUnreachable;
  return o;
}

}  // namespace

TEST_CASE(
    "when postcodes.io hangs and when_unreachable is accept, the order is placed as unverified and "
    "the client says so") {
  TestCluster cluster(hangingPostcodes("accept", 300));
  auto r = cluster.runClient({"--user", "ivy", "--json", "order", "CHIPS", "ab10 1ab"});
  INFO(r.out << r.err);
  REQUIRE(r.exitCode == 0);
  CHECK(jsonField(r.out, "area") == "unverified");
  CHECK(jsonField(r.out, "post_code") == "AB10 1AB");
  auto text = cluster.runClient({"--user", "ivy", "order", "CHIPS", "AB10 1AL"});
  INFO(text.out << text.err);
  CHECK(text.exitCode == 0);
  CHECK((text.out + text.err).find("unverified") != std::string::npos);
}

TEST_CASE(
    "when postcodes.io hangs and when_unreachable is reject, the order is refused as unavailable "
    "and nothing is written") {
  TestCluster cluster(hangingPostcodes("reject", 300));
  auto before = snapshotOrderFiles(cluster);
  auto r = cluster.runClient({"--user", "jo", "--json", "order", "CHIPS", "AB10 1AB"});
  INFO(r.out << r.err);
  CHECK(r.exitCode == 3);
  CHECK(r.out.find("UNAVAILABLE") != std::string::npos);
  CHECK(snapshotOrderFiles(cluster) == before);
}

TEST_CASE("once a failing postcodes.io is skipped, later look-ups send no request to it") {
  TestCluster cluster(hangingPostcodes("accept", 300));
  auto first = cluster.runClient({"--user", "kit", "--json", "order", "CHIPS", "AB10 1AB"});
  REQUIRE(first.exitCode == 0);
  std::string seen = requestsSeen(cluster);
  CHECK(seen == "1");
  auto second = cluster.runClient({"--user", "kit", "--json", "order", "CHIPS", "M1 1AD"});
  REQUIRE(second.exitCode == 0);
  CHECK(jsonField(second.out, "area") == "unverified");
  CHECK(requestsSeen(cluster) == seen);  // the breaker answered, not the hanging server
  auto status = cluster.runClient({"--json", "status"});
  CHECK(status.out.find("failing") != std::string::npos);
}

TEST_CASE(
    "a hung postcode look-up holds up only its own order: menu and orders calls go on meanwhile") {
  TestCluster cluster(hangingPostcodes("accept", 8000));
  std::vector<std::string> argv = {std::string(JH_BIN_DIR) + "/jh-client",
                                   "--cluster",
                                   cluster.clusterFile(),
                                   "--user",
                                   "lee",
                                   "order",
                                   "CHIPS",
                                   "AB10 1AB"};
  ChildProcess slowOrder(argv, "", cluster.dir() + "/slow.out", cluster.dir() + "/slow.err");
  REQUIRE(waitUntil([&]() { return requestsSeen(cluster) == "1"; }, 10s));  // the look-up hangs now
  auto menu = cluster.runClient({"--json", "menu"});
  auto orders = cluster.runClient({"--user", "mo", "--json", "orders"});
  CHECK(menu.exitCode == 0);
  CHECK(orders.exitCode == 0);
  CHECK(slowOrder.isRunning());  // both answered while the hung look-up was still waiting
  slowOrder.stop();
}

TEST_CASE("status shows the primary, every replica's role and a replica whose menu differs") {
  TestCluster cluster(replicasNotStarted());
  writeFile(cluster.replicaDir("replica.server3") + "/motd.txt", "A different message.\n");
  for (auto& name : cluster.replicaNames()) cluster.start(name);
  REQUIRE(waitUntil(
      [&]() {
        auto s = cluster.frontendStatus();
        if (!s || s->primary != "replica.server1") return false;
        for (auto& r : s->replicas)
          if (r.state != "READY") return false;
        return true;
      },
      15s));
  auto r = cluster.runClient({"--json", "status"});
  INFO(r.out);
  REQUIRE(r.exitCode == 0);
  CHECK(jsonField(r.out, "primary") == "replica.server1");
  auto s = cluster.frontendStatus();
  REQUIRE(s);
  REQUIRE(s->replicas.size() == 3);
  CHECK(s->replicas[0].role == "primary");
  CHECK(s->replicas[1].role == "backup");
  CHECK(!s->replicas[1].contentDiffers);
  CHECK(s->replicas[2].contentDiffers);
  cluster.kill("replica.server2", SIGKILL);
  REQUIRE(waitUntil(
      [&]() {
        auto now = cluster.frontendStatus();
        return now && now->replicas[1].role == "down" && now->replicas[1].state == "DOWN";
      },
      10s));
}

TEST_CASE(
    "two replicas holding different rows under the same names are shown DIVERGED, with lag 0, and "
    "logged as an error") {
  TestCluster cluster;
  auto placed = cluster.runClient(
      {"--user", "dee", "--json", "order", "CHIPS", "AB10 1AB", "--id", "same-name"});
  REQUIRE(placed.exitCode == 0);
  REQUIRE(waitConverged(cluster));
  // Replica 3's copy of the row is altered on disk behind the system's back: same name, same
  // vector, other content.
  const std::string R3 = "replica.server3";
  cluster.stop(R3);
  std::string path = cluster.ordersPath(R3);
  std::string text = readFile(path);
  auto at = text.find("CHIPS");
  REQUIRE(at != std::string::npos);
  writeFile(path, text.replace(at, 5, "FRIES"));
  cluster.start(R3);
  REQUIRE(waitUntil(
      [&]() {
        auto s = cluster.frontendStatus();
        return s && s->replicas[2].diverged && s->replicas[0].diverged;
      },
      10s));
  auto s = cluster.frontendStatus();
  CHECK(s->replicas[2].lag == 0);  // the vectors agree: only the digests tell
  CHECK(cluster.logText(TestCluster::FRONTEND).find("ERROR") != std::string::npos);
  CHECK(cluster.logText(TestCluster::FRONTEND).find("DIVERGED") != std::string::npos);
  auto text2 = cluster.runClient({"status"});
  CHECK(text2.out.find("DIVERGED") != std::string::npos);
  auto json = cluster.runClient({"--json", "status"});
  CHECK(json.out.find("\"diverged\":true") != std::string::npos);
}

TEST_CASE(
    "the heartbeat period can be changed while the front-end runs, and a bad one is a usage "
    "error") {
  TestCluster cluster;
  auto set = cluster.runClient({"--json", "heartbeat", "40"});
  INFO(set.out << set.err);
  CHECK(set.exitCode == 0);
  auto status = cluster.runClient({"--json", "status"});
  CHECK(status.out.find("\"heartbeat_ms\":40") != std::string::npos);
  CHECK(cluster.logText(TestCluster::FRONTEND).find("heartbeat period") != std::string::npos);
  for (const char* bad : {"9", "60001", "fast", "-5"}) {
    auto r = cluster.runClient({"heartbeat", bad});
    CHECK(r.exitCode == 2);
  }
  status = cluster.runClient({"--json", "status"});
  CHECK(status.out.find("\"heartbeat_ms\":40") != std::string::npos);
}
