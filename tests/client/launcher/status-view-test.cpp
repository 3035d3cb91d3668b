// `startup.sh status`: the launcher's facts joined with a front-end's view, as a table and JSON.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "client/launcher/status-view.h"

namespace jh::launch {

namespace {

const char* VIEW = R"({"frontend": "just.hungry", "primary": "r1", "replicas": [
  {"name": "r1", "state": "READY", "role": "primary", "lag": 0, "order_count": 12, "fetched": 0},
  {"name": "r2", "state": "SYNCING", "role": "backup", "lag": 120, "order_count": 3,
   "fetched": 812},
  {"name": "r3", "state": "DOWN", "role": "down", "lag": 0, "order_count": 0, "fetched": 0}]})";

std::vector<ProcessFacts> facts(std::string r1State = "running") {
  return {{"r1", Kind::REPLICA, 101, r1State, 9001, false},
          {"r2", Kind::REPLICA, 102, "running", 9002, false},
          {"r3", Kind::REPLICA, std::nullopt, "-", 9003, false},
          {"just.hungry", Kind::FRONTEND, 104, "running", 9000, true},
          {"just.hungry.2", Kind::FRONTEND, 105, "running", 9004, false},
          {"client", Kind::CLIENT, std::nullopt, "-", std::nullopt, false}};
}

const ProcessRow& row(const StatusView& view, const std::string& name) {
  for (auto& r : view.rows) {
    if (r.name == name) return r;
  }
  FAIL("no row " << name);
  return view.rows.front();
}

}  // namespace

TEST_CASE("each replica shows the front-end's role, its state when not READY, and its orders") {
  auto view = makeStatus(facts(), VIEW);
  CHECK(view.primary == "r1");
  CHECK(row(view, "r1").role == "primary");
  CHECK(row(view, "r1").orders == 12u);
  CHECK(row(view, "r2").role == "backup, SYNCING");
  CHECK(row(view, "r3").role == "down");
  CHECK_FALSE(row(view, "r3").orders.has_value());
  CHECK(view.notes == std::vector<std::string>{"r2 is catching up: 812 rows fetched, 120 to go."});
}

TEST_CASE("a primary the launcher saw exit is down at once, and there is no primary") {
  auto view = makeStatus(facts("exited"), VIEW);
  CHECK(row(view, "r1").role == "down");
  CHECK(view.primary == "");
  CHECK(view.exitedPrimary == "r1");
  std::string table = statusTable(view, "c.json", "tmux", false);
  CHECK(table.find("no primary: r1 exited; the front-end fails over at its next heartbeat") !=
        std::string::npos);
}

TEST_CASE("a front-end serves when it answered, and is not answering when it runs silent") {
  auto view = makeStatus(facts(), VIEW);
  CHECK(row(view, "just.hungry").role == "serving");
  CHECK(row(view, "just.hungry.2").role == "not answering");
  CHECK(row(view, "client").role == "");
}

TEST_CASE("without a front-end's answer the roles are unknown, and the table says so") {
  auto view = makeStatus(facts(), "");
  CHECK(row(view, "r1").role == "");
  std::string table = statusTable(view, "c.json", "", false);
  CHECK(table.starts_with(
      "cluster c.json, mode not started\n"
      "NAME                  PID  STATE      PORT  ROLE                 ORDERS\n"
      "r1                    101  running    9001  -                         -\n"));
  CHECK(table.ends_with("no front-end answered: the replicas' roles are unknown\n"));
}

TEST_CASE("the table fits 80 columns and colours the primary green and the dead red, on request") {
  auto view = makeStatus(facts(), VIEW);
  std::string plain = statusTable(view, "c.json", "background", false);
  CHECK(plain.find("\033[") == std::string::npos);
  CHECK(plain.find("r1                    101  running    9001  primary                  12\n") !=
        std::string::npos);
  CHECK(plain.ends_with("primary: r1\n"));
  for (size_t at = 0, end; (end = plain.find('\n', at)) != std::string::npos; at = end + 1) {
    CHECK(end - at <= 80);
  }
  std::string coloured = statusTable(view, "c.json", "background", true);
  CHECK(coloured.find("\033[1;32mr1 ") != std::string::npos);
  CHECK(coloured.find("\033[31mr3 ") != std::string::npos);
}

TEST_CASE("the JSON has every process, nulls for what is unknown, and the front-end's own view") {
  auto view = makeStatus(facts(), VIEW);
  rapidjson::Document doc;
  doc.Parse(statusJson(view, "/c.json", "", "/run").c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["mode"].IsNull());
  CHECK(std::string(doc["primary"].GetString()) == "r1");
  CHECK(doc["processes"].Size() == 6);
  auto& r3 = doc["processes"][2];
  CHECK(r3["pid"].IsNull());
  CHECK(std::string(r3["state"].GetString()) == "-");
  CHECK(r3["port"].GetInt() == 9003);
  CHECK(doc["processes"][5]["role"].IsNull());
  CHECK(std::string(doc["frontend_view"]["frontend"].GetString()) == "just.hungry");
  rapidjson::Document none;
  none.Parse(statusJson(makeStatus(facts(), ""), "/c.json", "tmux", "/run").c_str());
  CHECK(none["frontend_view"].IsNull());
  CHECK(none["primary"].IsNull());
}

}  // namespace jh::launch
