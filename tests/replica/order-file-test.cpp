// orders.csv: begun with its header (as orders.csv.partial when it was missing, until the replica
// holds its history again), appended durably with group commit, reloaded after a restart, a torn
// tail cut off, any other damage refused naming the line, and files from before incarnations read.
#include <doctest/doctest.h>

#include <cerrno>
#include <optional>
#include <string>
#include <vector>

#include <kj/async-io.h>

#include "replica/order-file.h"
#include "schema/config/cluster-config.h"
#include "schema/orders/csv.h"
#include "tests/replica/sync-gate.h"
#include "tests/schema/sample-order.h"
#include "tests/schema/temp-dir.h"

using jh::OrderFile;
using jh::OrderRecord;
using jh::test::csvRow;
using jh::test::sampleOrder;
using jh::test::SyncGate;
using jh::test::TempDir;

namespace {

std::string headerRow() {
  std::string row;
  jh::appendCsvRecord(row, jh::orderCsvHeader());
  return row;
}

// Orders seq 1..n of `origin`, ids "<origin>-<seq>", with an area that needs no quoting.
std::vector<OrderRecord> ordersFrom(const std::string& origin, uint64_t n) {
  std::vector<OrderRecord> out;
  for (uint64_t seq = 1; seq <= n; ++seq) {
    OrderRecord o = sampleOrder(origin + "-" + std::to_string(seq), origin, seq);
    o.area = "unverified";
    out.push_back(o);
  }
  return out;
}

std::string rows(const std::vector<OrderRecord>& orders) {
  std::string text;
  for (auto& o : orders) text += csvRow(o);
  return text;
}

// What opening the file loads (the file is closed again at once).
std::vector<OrderRecord> reopen(const std::string& path) {
  std::vector<OrderRecord> loaded;
  OrderFile file(path, loaded);
  return loaded;
}

// The message of the ConfigError that opening `path` throws, or "" if it opens.
std::string openError(const std::string& path) {
  try {
    reopen(path);
  } catch (const jh::ConfigError& e) { return e.what(); }
  return "";
}

// How the promise failed, or nullopt if it succeeded.
std::optional<kj::Exception::Type> failureOf(kj::Promise<void> promise, kj::WaitScope& ws) {
  return promise
      .then([]() -> std::optional<kj::Exception::Type> { return std::nullopt; },
            [](kj::Exception&& e) -> std::optional<kj::Exception::Type> { return e.getType(); })
      .wait(ws);
}

}  // namespace

TEST_CASE("an empty orders file gets the header and holds the replica's history") {
  TempDir dir;
  dir.write("orders.csv", "");
  std::vector<OrderRecord> loaded;
  OrderFile file(dir.file("orders.csv"), loaded);
  CHECK(loaded.empty());
  CHECK(file.holdsHistory());
  CHECK(dir.read("orders.csv") == headerRow());
  CHECK(
      headerRow() ==
      "order_id,user_code,item,price,time_stamp,post_code,area,status,origin,incarnation,seq\r\n");
}

TEST_CASE(
    "a missing orders file is begun as orders.csv.partial, reloaded from there, and renamed by "
    "keepHistory") {
  auto io = kj::setupAsyncIo();
  TempDir dir;
  auto orders = ordersFrom("r1", 2);
  {
    std::vector<OrderRecord> loaded;
    OrderFile file(dir.file("orders.csv"), loaded, io.lowLevelProvider.get());
    CHECK_FALSE(file.holdsHistory());
    CHECK(file.path() == dir.file("orders.csv.partial"));
    file.append(csvRow(orders[0])).wait(io.waitScope);
    CHECK(dir.read("orders.csv.partial") == headerRow() + csvRow(orders[0]));
    CHECK_THROWS(dir.read("orders.csv"));
  }
  {
    std::vector<OrderRecord> loaded;
    OrderFile file(dir.file("orders.csv"), loaded,
                   io.lowLevelProvider.get());  // a restart before it synced with every peer
    CHECK(loaded == std::vector<OrderRecord>{orders[0]});
    CHECK_FALSE(file.holdsHistory());
    file.keepHistory();
    CHECK(file.holdsHistory());
    CHECK(file.path() == dir.file("orders.csv"));
    file.append(csvRow(orders[1])).wait(io.waitScope);  // the open file was renamed, not copied
    CHECK_THROWS(dir.read("orders.csv.partial"));
  }
  std::vector<OrderRecord> loaded;
  OrderFile file(dir.file("orders.csv"), loaded);
  CHECK(file.holdsHistory());
  CHECK(loaded == orders);
}

TEST_CASE(
    "a file written before incarnations is read as incarnation 0, kept as it is, and appended to") {
  auto io = kj::setupAsyncIo();
  TempDir dir;
  // Exactly what the previous version wrote: ten columns, no incarnation.
  std::string before =
      "order_id,user_code,item,price,time_stamp,post_code,area,status,origin,seq\r\n"
      "a1,ann,Tea,1.85,2026-11-21T22:31:05.123Z,SW1A 1AA,\"Westminster, "
      "London\",CONFIRMED,replica.server1,1\r\n"
      "a2,bob,Cake,2.50,2026-11-21T22:31:06.000Z,SW1A "
      "1AA,unverified,CONFIRMED,replica.server1,2\r\n"
      "b1,ann,Tea,1.85,2026-11-21T22:31:07.000Z,SW1A "
      "1AA,unverified,CONFIRMED,replica.server2,1\r\n";
  dir.write("orders.csv", before);
  OrderRecord next = sampleOrder("c1", "replica.server1", 1, 1733412345678901);
  {
    std::vector<OrderRecord> loaded;
    OrderFile file(dir.file("orders.csv"), loaded, io.lowLevelProvider.get());
    REQUIRE(loaded.size() == 3);
    CHECK(loaded[0].orderId == "a1");
    CHECK(loaded[0].area == "Westminster, London");
    CHECK(loaded[0].pricePence == 185);
    for (auto& o : loaded) CHECK(o.incarnation == 0);
    CHECK(loaded[1].seq == 2);
    CHECK(loaded[2].origin == "replica.server2");
    CHECK(dir.read("orders.csv") == before);  // not rewritten
    file.append(csvRow(next)).wait(io.waitScope);
  }
  CHECK(dir.read("orders.csv") == before + csvRow(next));
  auto again = reopen(dir.file("orders.csv"));
  REQUIRE(again.size() == 4);
  CHECK(again[3] == next);
  // In a file with today's header every row has the incarnation column.
  dir.write("new.csv",
            headerRow() + "a1,ann,Tea,1.85,2026-11-21T22:31:05.123Z,SW1A 1AA,x,CONFIRMED,r1,1\r\n");
  CHECK(openError(dir.file("new.csv")).find("expected 11 fields, found 10") != std::string::npos);
}

TEST_CASE("appended orders are on disk when the append resolves and load again after reopening") {
  auto io = kj::setupAsyncIo();
  TempDir dir;
  auto orders = ordersFrom("r1", 3);
  orders[1].userCode = "ann,\"o'hara\"";
  orders[2].item = "Two\r\nline dish";
  dir.write("orders.csv", "");
  {
    std::vector<OrderRecord> loaded;
    OrderFile file(dir.file("orders.csv"), loaded, io.lowLevelProvider.get());
    file.append(csvRow(orders[0])).wait(io.waitScope);
    CHECK(dir.read("orders.csv") == headerRow() + csvRow(orders[0]));
    file.append(csvRow(orders[1]) + csvRow(orders[2])).wait(io.waitScope);
    CHECK(file.syncs() == 2);
  }
  CHECK(reopen(dir.file("orders.csv")) == orders);
  CHECK(dir.read("orders.csv") == headerRow() + rows(orders));
}

TEST_CASE("a torn final record is cut off at open, so the next append makes a valid file") {
  auto io = kj::setupAsyncIo();
  TempDir dir;
  auto orders = ordersFrom("r1", 3);
  std::string good = headerRow() + rows({orders[0], orders[1]});
  std::string third = csvRow(orders[2]);
  for (size_t cut : {size_t{1}, third.size() / 2, third.size() - 2, third.size() - 1}) {
    CAPTURE(cut);
    dir.write("orders.csv", good + third.substr(0, cut));
    {
      std::vector<OrderRecord> loaded;
      OrderFile file(dir.file("orders.csv"), loaded, io.lowLevelProvider.get());
      CHECK(loaded == std::vector<OrderRecord>{orders[0], orders[1]});
      CHECK(dir.read("orders.csv") == good);
      file.append(third).wait(io.waitScope);
    }
    CHECK(reopen(dir.file("orders.csv")) == orders);
    CHECK(dir.read("orders.csv") == good + third);
  }
}

TEST_CASE("a torn record ending inside a quoted field is cut off at open") {
  auto io = kj::setupAsyncIo();
  TempDir dir;
  auto orders = ordersFrom("r1", 2);
  orders[1].item = "Fish, chips\r\nand peas";
  std::string good = headerRow() + csvRow(orders[0]);
  std::string second = csvRow(orders[1]);
  size_t insideQuote = second.find("chips\r\n") + 7;
  dir.write("orders.csv", good + second.substr(0, insideQuote));
  {
    std::vector<OrderRecord> loaded;
    OrderFile file(dir.file("orders.csv"), loaded, io.lowLevelProvider.get());
    CHECK(loaded == std::vector<OrderRecord>{orders[0]});
    CHECK(dir.read("orders.csv") == good);
    file.append(second).wait(io.waitScope);
  }
  CHECK(reopen(dir.file("orders.csv")) == orders);
}

TEST_CASE("a file torn inside its header, or empty, is restarted with the header") {
  TempDir dir;
  for (std::string start : {std::string("order_id,user_co"), std::string()}) {
    dir.write("orders.csv", start);
    CHECK(reopen(dir.file("orders.csv")).empty());
    CHECK(dir.read("orders.csv") == headerRow());
  }
}

TEST_CASE("a wrong header is an error naming line 1 and the file is left alone") {
  TempDir dir;
  std::string text = "order_id,user,item\r\n";
  dir.write("orders.csv", text);
  CHECK(openError(dir.file("orders.csv")).find("orders.csv:1:") != std::string::npos);
  CHECK(dir.read("orders.csv") == text);
}

TEST_CASE("a corrupt line in the middle is an error naming its line, counting multi-line records") {
  TempDir dir;
  auto orders = ordersFrom("r1", 3);
  orders[0].item = "Two\nline dish";             // line 2-3
  orders[1].userCode = "ann\r\nwith\r\nbreaks";  // lines 4-6
  std::string before = headerRow() + csvRow(orders[0]) + csvRow(orders[1]);
  std::string after = csvRow(orders[2]);  // line 8
  OrderRecord badPrice = sampleOrder("bad", "r9", 1);
  std::string badPriceRow = csvRow(badPrice);
  badPriceRow.replace(badPriceRow.find("11.85"), 5, "7.8.5");
  // (A blank line is not damage: it is what a disk probe cut short leaves; it is skipped.)
  for (std::string bad : {std::string("just,three,fields\r\n"), badPriceRow,
                          std::string("a,b\"c,d\r\n"), std::string("\"x\"y,1\r\n")}) {
    CAPTURE(bad);
    dir.write("orders.csv", before + bad + after);
    std::string message = openError(dir.file("orders.csv"));
    CAPTURE(message);
    CHECK(message.find(dir.file("orders.csv") + ":7:") != std::string::npos);
    CHECK(dir.read("orders.csv") == before + bad + after);
  }
}

TEST_CASE("a seq gap or repeat within one origin is an error naming the line") {
  TempDir dir;
  auto r1 = ordersFrom("r1", 3);
  auto r2 = ordersFrom("r2", 2);
  dir.write("orders.csv", headerRow() + rows({r1[0], r2[0], r1[1], r2[1], r1[2]}));
  CHECK(reopen(dir.file("orders.csv")).size() == 5);  // interleaved origins are fine

  dir.write("orders.csv", headerRow() + rows({r1[0], r2[0], r1[2]}));
  CHECK(openError(dir.file("orders.csv")).find("orders.csv:4:") != std::string::npos);
  dir.write("orders.csv", headerRow() + rows({r1[0], r1[1], r2[0], r1[1]}));
  CHECK(openError(dir.file("orders.csv")).find("orders.csv:5:") != std::string::npos);
  dir.write("orders.csv", headerRow() + rows({r2[1]}));
  CHECK(openError(dir.file("orders.csv")).find("orders.csv:2:") != std::string::npos);
}

TEST_CASE(
    "an unterminated quote in the middle is an error, not a torn tail that drops later orders") {
  TempDir dir;
  auto orders = ordersFrom("r1", 3);
  std::string text =
      headerRow() + csvRow(orders[0]) + "\"broken,row\r\n" + rows({orders[1], orders[2]});
  dir.write("orders.csv", text);
  std::string message = openError(dir.file("orders.csv"));
  CAPTURE(message);
  CHECK(message.find("orders.csv:3:") != std::string::npos);
  CHECK(dir.read("orders.csv") == text);
}

TEST_CASE("a thousand appends queued during one sync all land in order and share one more sync") {
  auto io = kj::setupAsyncIo();
  TempDir dir;
  SyncGate gate;
  auto orders = ordersFrom("r1", 1000);
  std::vector<size_t> completed;
  {
    std::vector<OrderRecord> loaded;
    OrderFile file(dir.file("orders.csv"), loaded, io.lowLevelProvider.get());
    gate.hold();
    kj::Vector<kj::Promise<void>> appends;
    appends.add(file.append(csvRow(orders[0])).then([&completed] { completed.push_back(0); }));
    REQUIRE(gate.waitUntilHeld());  // the writer is inside the first sync
    for (size_t i = 1; i < orders.size(); ++i) {
      appends.add(file.append(csvRow(orders[i])).then([&completed, i] { completed.push_back(i); }));
    }
    gate.release();
    kj::joinPromises(appends.releaseAsArray()).wait(io.waitScope);
    CHECK(file.syncs() == 2);
  }
  REQUIRE(completed.size() == orders.size());
  bool inOrder = true;
  for (size_t i = 0; i < completed.size(); ++i) inOrder = inOrder && completed[i] == i;
  CHECK(inOrder);
  CHECK(reopen(dir.file("orders.csv")) == orders);
}

TEST_CASE(
    "a failed sync fails that append and those queued behind it, cuts the file back, and "
    "refuses appends until resume") {
  auto io = kj::setupAsyncIo();
  TempDir dir;
  SyncGate gate;
  auto orders = ordersFrom("r1", 3);
  dir.write("orders.csv", "");
  std::vector<OrderRecord> loaded;
  OrderFile file(dir.file("orders.csv"), loaded, io.lowLevelProvider.get());
  file.append(csvRow(orders[0])).wait(io.waitScope);

  gate.hold();
  auto failing = file.append(csvRow(orders[1]));
  REQUIRE(gate.waitUntilHeld());
  auto queuedBehind = file.append(csvRow(orders[2]));
  gate.failNext(EIO);
  gate.release();
  CHECK(failureOf(kj::mv(failing), io.waitScope) == kj::Exception::Type::FAILED);
  CHECK(failureOf(kj::mv(queuedBehind), io.waitScope) == kj::Exception::Type::FAILED);
  CHECK(dir.read("orders.csv") == headerRow() + csvRow(orders[0]));

  CHECK(failureOf(file.append(csvRow(orders[1])), io.waitScope) == kj::Exception::Type::FAILED);
  CHECK(dir.read("orders.csv") == headerRow() + csvRow(orders[0]));

  file.resume();
  file.append(csvRow(orders[1])).wait(io.waitScope);
  CHECK(reopen(dir.file("orders.csv")) == std::vector<OrderRecord>{orders[0], orders[1]});
}
