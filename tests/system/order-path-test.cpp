// An order end to end: client, front-end, postcodes imitation, primary, backups. Bad input is
// refused with exit code 1 and writes nothing; broken resource files stop a replica by name.
#include <doctest/doctest.h>

#include <set>

#include "tests/system/system-checks.h"

using namespace jh::test;
using namespace std::chrono_literals;

namespace {

const std::string ODD_USER = "ann,\"o'hara\"";

}  // namespace

TEST_CASE("an order placed through the client reaches all three replicas' orders.csv") {
  TestCluster cluster;
  auto r = cluster.runClient({"--user", "alice", "--json", "order", "HAMBURGER", "ab10 1ab"});
  INFO(r.out << r.err);
  REQUIRE(r.exitCode == 0);
  std::string id = jsonField(r.out, "order_id");
  REQUIRE(!id.empty());
  CHECK(jsonField(r.out, "price") == "7.85");
  CHECK(jsonField(r.out, "post_code") == "AB10 1AB");
  CHECK(jsonField(r.out, "area") == "Aberdeen City");
  CHECK(!jsonField(r.out, "origin").empty());
  REQUIRE(waitOnEveryReplica(cluster, {id}));
  for (auto& name : cluster.replicaNames()) {
    auto rows = cluster.readOrdersCsv(name);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].userCode == "alice");
    CHECK(rows[0].pricePence == 785);
    CHECK(rows[0].seq == 1);
  }
}

TEST_CASE("a user code with a comma and quotes round-trips through orders.csv and the client") {
  TestCluster cluster;
  auto placed =
      cluster.runClient({"--user", ODD_USER, "--json", "order", "FISH FINGERS", "M1 1AD"});
  INFO(placed.out << placed.err);
  REQUIRE(placed.exitCode == 0);
  std::string id = jsonField(placed.out, "order_id");
  REQUIRE(waitOnEveryReplica(cluster, {id}));
  for (auto& name : cluster.replicaNames()) {
    auto rows = cluster.readOrdersCsv(name);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].userCode == ODD_USER);
    CHECK(rows[0].area == "Manchester");
  }
  std::string file = readFile(cluster.replicaDir("replica.server2") + "/orders.csv");
  CHECK(file.find("\"ann,\"\"o'hara\"\"\"") != std::string::npos);  // RFC 4180 quoting on disk

  auto listed = cluster.runClient({"--user", ODD_USER, "--json", "orders"});
  REQUIRE(listed.exitCode == 0);
  CHECK(idsInOrdersJson(listed.out) == std::vector<std::string>{id});
  auto other = cluster.runClient({"--user", "ann", "--json", "orders"});
  REQUIRE(other.exitCode == 0);
  CHECK(idsInOrdersJson(other.out).empty());
}

TEST_CASE("every bad input is refused with exit code 1 and nothing is written") {
  TestCluster cluster;
  auto before = snapshotOrderFiles(cluster);
  struct Case {
    std::vector<std::string> args;
    std::string code;
  };
  std::vector<Case> cases = {
      {{"--user", "bob", "order", "LOBSTER", "AB10 1AB"}, "UNKNOWN_ITEM"},
      {{"--user", "bob", "order", "HAMBURGER", "FOO"}, "INVALID_POSTCODE"},
      {{"--user", "bob", "order", "HAMBURGER", "../etc"}, "INVALID_POSTCODE"},
      {{"--user", "bob", "order", "HAMBURGER", "ZZ9 9ZZ"}, "POSTCODE_NOT_FOUND"},
      {{"--user", "bob", "order", "HAMBURGER", "AB1 0AA"}, "POSTCODE_NOT_FOUND"},  // terminated
      {{"--user", "", "order", "HAMBURGER", "AB10 1AB"}, "INVALID_USER_CODE"},
      {{"--user", std::string(65, 'x'), "order", "HAMBURGER", "AB10 1AB"}, "INVALID_USER_CODE"},
      {{"--user",
        "bo\x01"
        "b",
        "order", "HAMBURGER", "AB10 1AB"},
       "INVALID_USER_CODE"},
      {{"--user", "bo\x1b[31mb", "order", "HAMBURGER", "AB10 1AB"}, "INVALID_USER_CODE"},
  };
  for (auto& c : cases) {
    auto args = c.args;
    args.insert(args.begin(), "--json");
    auto r = cluster.runClient(args);
    INFO("args: " << args.back() << " / " << args[2] << " -> " << r.out << r.err);
    CHECK(r.exitCode == 1);
    CHECK(r.out.find(c.code) != std::string::npos);
  }
  // A 64-character user code is the longest accepted, so the limit is where it should be.
  auto longest =
      cluster.runClient({"--user", std::string(64, 'x'), "--json", "order", "CHIPS", "AB10 1AB"});
  INFO(longest.out << longest.err);
  CHECK(longest.exitCode == 0);
  std::string id = jsonField(longest.out, "order_id");
  REQUIRE(waitOnEveryReplica(cluster, {id}));
  for (auto& name : cluster.replicaNames()) {
    auto rows = cluster.readOrdersCsv(name);
    REQUIRE(rows.size() == 1);  // only the good order was written
    CHECK(rows[0].orderId == id);
  }
}

TEST_CASE("a malformed postcode is refused without any request reaching postcodes.io") {
  TestCluster cluster;
  auto count = [&]() {
    auto r = runCommand({"curl", "-s", cluster.postcodesUrl() + "/__fake/requests"}, 5s);
    return r.out;
  };
  std::string before = count();
  REQUIRE(!before.empty());
  auto r = cluster.runClient({"--user", "carol", "order", "HAMBURGER", "not a postcode"});
  CHECK(r.exitCode == 1);
  CHECK(count() == before);
}

TEST_CASE(
    "postcodes are judged as postcodes.io judges them: pasted white space is ordered, a space "
    "inside a code refused unasked") {
  TestCluster cluster;
  auto requests = [&]() {
    return runCommand({"curl", "-s", cluster.postcodesUrl() + "/__fake/requests"}, 5s).out;
  };
  // A no-break space from a web page, a line end, a byte-order mark, an ideographic space.
  for (std::string accepted : {"AB10\xC2\xA0"
                               "1AB",
                               "AB10 1AB\r\n",
                               "\xEF\xBB\xBF"
                               "ab10 1ab",
                               "AB10\xE3\x80\x80"
                               "1AB"}) {
    auto r = cluster.runClient({"--user", "dora", "--json", "order", "CHIPS", accepted});
    INFO(r.out << r.err);
    CHECK(r.exitCode == 0);
    CHECK(jsonField(r.out, "post_code") == "AB10 1AB");
    CHECK(jsonField(r.out, "area") == "Aberdeen City");
  }
  std::string before = requests();
  REQUIRE(!before.empty());
  // "AB1 01AB" with its space removed would be an order to AB10, another district.
  for (std::string refused : {"A B10 1AB", "AB1 01AB", "AB101 AB", "AB10 1 AB", "A99A 9AA"}) {
    auto r = cluster.runClient({"--user", "dora", "--json", "order", "CHIPS", refused});
    INFO(refused << " -> " << r.out << r.err);
    CHECK(r.exitCode == 1);
    CHECK(r.out.find("INVALID_POSTCODE") != std::string::npos);
  }
  CHECK(requests() == before);
}

TEST_CASE("a bad price in menu.csv stops a replica at start, naming the file and line") {
  TestCluster cluster(nothingStarted());
  std::string dir = cluster.replicaDir("replica.server1");
  writeFile(dir + "/menu.csv", "item,price\nHAMBURGER,7.85\nCHIPS,7.8.5\n");
  CHECK(exitOfRefusedStart(cluster, "replica.server1") == 1);
  CHECK(cluster.logText("replica.server1").find("menu.csv:3") != std::string::npos);
}

TEST_CASE("a corrupt line in orders.csv stops a replica naming orders.csv and the line") {
  TestCluster cluster(nothingStarted());
  std::string dir = cluster.replicaDir("replica.server1");
  writeFile(dir + "/orders.csv",
            "order_id,user_code,item,price,time_stamp,post_code,area,status,origin,seq\r\n"
            "a1,ann,HAMBURGER,7.85,2026-11-21T10:00:00.000Z,AB10 1AB,Aberdeen "
            "City,CONFIRMED,replica.server1,1\r\n"
            "a2,ann,HAMBURGER,seven,2026-11-21T10:00:01.000Z,AB10 1AB,Aberdeen "
            "City,CONFIRMED,replica.server1,2\r\n"
            "a3,ann,HAMBURGER,7.85,2026-11-21T10:00:02.000Z,AB10 1AB,Aberdeen "
            "City,CONFIRMED,replica.server1,3\r\n");
  CHECK(exitOfRefusedStart(cluster, "replica.server1") == 1);
  CHECK(cluster.logText("replica.server1").find("orders.csv:3") != std::string::npos);
  // Nothing was cut or rewritten: the damage is left for a person to look at.
  CHECK(readFile(dir + "/orders.csv").find("a3,ann") != std::string::npos);
}

TEST_CASE(
    "a torn final line in orders.csv, written before incarnations, is cut off and the replica "
    "serves the rest") {
  TestCluster cluster(replicasNotStarted(1));
  std::string dir = cluster.replicaDir("replica.server1");
  writeFile(dir + "/orders.csv",
            "order_id,user_code,item,price,time_stamp,post_code,area,status,origin,seq\r\n"
            "a1,ann,HAMBURGER,7.85,2026-11-21T10:00:00.000Z,AB10 1AB,Aberdeen "
            "City,CONFIRMED,replica.server1,1\r\n"
            "a2,ann,\"HAMBURGER, with");
  cluster.start("replica.server1");
  REQUIRE(cluster.waitReplicaReady("replica.server1"));
  REQUIRE(cluster.waitFrontendUp());
  CHECK(cluster.logText("replica.server1").find("record cut short at line 3") != std::string::npos);
  auto listed = cluster.runClient({"--user", "ann", "--json", "orders"});
  CHECK(idsInOrdersJson(listed.out) == std::vector<std::string>{"a1"});
  auto placed =
      cluster.runClient({"--user", "ann", "--json", "order", "CHIPS", "AB10 1AB", "--id", "a2"});
  INFO(placed.out << placed.err);
  CHECK(placed.exitCode == 0);
  CHECK(jsonField(placed.out, "item") == "CHIPS");
  auto rows = cluster.readOrdersCsv("replica.server1");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].incarnation == 0);
  CHECK(rows[1].orderId == "a2");
  CHECK(rows[1].incarnation > 0);  // this start's own incarnation, numbered from 1
  CHECK(rows[1].seq == 1);
}

TEST_CASE(
    "a user with 200,000 orders gets the whole list page by page, and the replica serves everyone "
    "else") {
  TestCluster cluster(replicasNotStarted(1));
  // About 46 MiB on the wire in one reply: more than any message may be. Pages of at most
  // MAX_ORDERS_PAGE orders carry it.
  std::string csv =
      "order_id,user_code,item,price,time_stamp,post_code,area,status,origin,incarnation,seq\r\n";
  const int many = 200000;
  for (int i = 1; i <= many; ++i) {
    csv += "b" + std::to_string(i) +
           ",big,HAMBURGER,7.85,2026-11-21T10:00:00.000Z,AB10 1AB,Aberdeen "
           "City,CONFIRMED,replica.server1,1," +
           std::to_string(i) + "\r\n";
  }
  csv +=
      "a1,ann,CHIPS,2.50,2026-11-21T10:00:01.000Z,AB10 1AB,Aberdeen "
      "City,CONFIRMED,replica.server1,1," +
      std::to_string(many + 1) + "\r\n";
  writeFile(cluster.replicaDir("replica.server1") + "/orders.csv", csv);
  cluster.start("replica.server1");
  REQUIRE(cluster.waitReplicaReady("replica.server1"));
  REQUIRE(cluster.waitFrontendUp());

  auto big = cluster.runClient({"--user", "big", "--json", "orders"}, 60s);
  INFO(big.out.substr(0, 300) << big.err.substr(0, 300));
  CHECK(big.exitCode == 0);
  auto ids = idsInOrdersJson(big.out);
  CHECK(ids.size() == static_cast<size_t>(many));
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() ==
        static_cast<size_t>(many));  // none twice
  REQUIRE_FALSE(ids.empty());
  CHECK(ids.front() == "b" + std::to_string(many));  // newest first: the same stamp, the later seq
  CHECK(ids.back() == "b1");
  auto ann = cluster.runClient({"--user", "ann", "--json", "orders"});
  CHECK(idsInOrdersJson(ann.out) == std::vector<std::string>{"a1"});
  auto placed = cluster.runClient(
      {"--user", "big", "--json", "order", "CHIPS", "AB10 1AB", "--id", "b-next"});
  INFO(placed.out << placed.err);
  CHECK(placed.exitCode == 0);
}
