// jh-bench --live's lines and the lost-order check, in-process: what the failover
// demonstration's load pane and its last step print.
#include <filesystem>

#include <doctest/doctest.h>

#include "tests/bench/acked-check.h"
#include "tests/bench/live-report.h"
#include "tests/schema/temp-dir.h"

namespace jh::bench {

namespace {

const char* HEADER =
    "order_id,user_code,item,price,time_stamp,post_code,area,status,origin,incarnation,seq\r\n";

std::string row(const std::string& id, uint64_t seq) {
  return id +
         ",demo-1,HAMBURGER,7.85,2026-12-04T19:50:03.101Z,AB10 1AB,Aberdeen "
         "City,CONFIRMED,replica.server1,7," +
         std::to_string(seq) + "\r\n";
}

std::vector<NodeConfig> threeReplicas(const jh::test::TempDir& dir) {
  std::vector<NodeConfig> replicas;
  for (int i = 1; i <= 3; ++i) {
    replicas.push_back(
        {"replica.server" + std::to_string(i), "127.0.0.1:1", dir.file("r" + std::to_string(i))});
  }
  return replicas;
}

}  // namespace

TEST_CASE("a live line gives what happened in the second that just ended, and the running total") {
  Tally before{8308, 0, 0};
  Tally now{9120, 0, 3};
  CHECK(liveLine(12, now, before) ==
        "t=12s   acknowledged    812/s  failed   0/s  retried   3/s  total 9,120");
  CHECK(liveLine(1, Tally{1500, 2, 0}, Tally{}) ==
        "t=1s    acknowledged  1,500/s  failed   2/s  retried   0/s  total 1,500");
  // An hour at 100,000 orders a second still fits a pane of 80 columns.
  CHECK(liveLine(3600, Tally{360000000, 999, 999}, Tally{359900000, 0, 0}).size() <= 79);
}

TEST_CASE(
    "the closing summary counts the orders and says which were attempted but never "
    "acknowledged") {
  CHECK(liveSummary(23.44, Tally{9120, 0, 3}, 0) ==
        "Stopped after 23.4 s: 9,120 orders acknowledged, 0 failed, 3 retried.");
  CHECK(liveSummary(1, Tally{1, 2, 0}, 4) ==
        "Stopped after 1.0 s: 1 order acknowledged, 2 failed, 0 retried. 4 attempted but never "
        "acknowledged "
        "(refused, or under way when it stopped): not counted.");
}

TEST_CASE(
    "the check finds every acknowledged order on every replica by its order_id, whatever "
    "else the files hold, and says lost 0") {
  jh::test::TempDir dir;
  for (auto name : {"r1/orders.csv", "r2/orders.csv", "r3/orders.csv.partial"}) {
    std::filesystem::create_directories(dir.file(std::string(name).substr(0, 2)));
    // Other orders, the acknowledged ones in another order, and a torn final record.
    dir.write(name,
              std::string(HEADER) + row("other-1", 1) + row("a-2", 2) + row("a-1", 3) + "a-3,demo");
  }
  auto check = checkAcked(threeReplicas(dir), {"a-1", "a-2", "a-2"});
  CHECK(check.acknowledged == 2);
  CHECK(check.onEveryReplica());
  CHECK(check.lost == 0);
  CHECK(ackedReport(check) ==
        "replica.server1  2 of 2 acknowledged orders (orders.csv)\n"
        "replica.server2  2 of 2 acknowledged orders (orders.csv)\n"
        "replica.server3  2 of 2 acknowledged orders (orders.csv.partial)\n"
        "lost 0: every one of the 2 acknowledged orders is on every replica.\n");
}

TEST_CASE("the check names what a replica lacks, and what no replica holds as lost") {
  jh::test::TempDir dir;
  std::filesystem::create_directories(dir.file("r1"));
  std::filesystem::create_directories(dir.file("r2"));
  dir.write("r1/orders.csv", std::string(HEADER) + row("a-1", 1) + row("a-2", 2));
  dir.write("r2/orders.csv", std::string(HEADER) + row("a-1", 1));
  auto check = checkAcked(threeReplicas(dir), {"a-1", "a-2", "a-3"});
  CHECK_FALSE(check.onEveryReplica());
  CHECK(check.lost == 1);
  CHECK(check.notEverywhere == 2);
  CHECK(ackedReport(check) ==
        "replica.server1  2 of 3 acknowledged orders (orders.csv); missing a-3\n"
        "replica.server2  1 of 3 acknowledged orders (orders.csv); missing a-2, a-3\n"
        "replica.server3  0 of 3 acknowledged orders (no orders.csv); missing a-1, a-2, a-3\n"
        "lost 1 of 3: acknowledged, yet on no replica: a-3\n");

  dir.write("r1/orders.csv", std::string(HEADER) + row("a-1", 1) + row("a-2", 2) + row("a-3", 3));
  check = checkAckedWithin(threeReplicas(dir), {"a-1", "a-2", "a-3"}, 0);
  CHECK(check.lost == 0);
  CHECK(ackedReport(check).find("lost 0, but 3 are not on every replica after 0.0 s.\n") !=
        std::string::npos);
}

}  // namespace jh::bench
