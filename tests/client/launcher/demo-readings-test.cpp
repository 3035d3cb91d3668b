// What the failover demonstration reads from the front-end's answers and the load's output.
#include <doctest/doctest.h>

#include "client/launcher/demo-readings.h"

namespace jh::launch {

namespace {

const char* STATUS = R"({"primary": "r2", "replicas": [
  {"name": "r1", "state": "SYNCING", "role": "backup", "lag": 120, "fetched": 812},
  {"name": "r2", "state": "READY", "role": "primary", "lag": 0, "fetched": 0},
  {"name": "r3", "state": "DOWN", "role": "down", "lag": 0, "fetched": 0}]})";

const char* SETTLED = R"({"primary": "r1", "replicas": [
  {"name": "r1", "state": "READY", "role": "primary"},
  {"name": "r2", "state": "READY", "role": "backup"}]})";

}  // namespace

TEST_CASE("the primary is read from a status, and nothing from an answer that is not one") {
  CHECK(primaryIn(STATUS) == "r2");
  CHECK(primaryIn("") == "");
  CHECK(primaryIn("Service unavailable.") == "");
}

TEST_CASE("a replica is shown by role and state, with its progress while it catches up") {
  CHECK(replicaView(STATUS, "r1") == "backup, SYNCING (812 rows fetched, 120 to go)");
  CHECK(replicaView(STATUS, "r2") == "primary, READY");
  CHECK(replicaView(STATUS, "r3") == "down");
  CHECK(replicaView(STATUS, "r9") == "");
}

TEST_CASE("the cluster has settled when every replica is READY and the first is primary") {
  CHECK(settledOn(SETTLED, "r1"));
  CHECK_FALSE(settledOn(SETTLED, "r2"));
  CHECK_FALSE(settledOn(STATUS, "r2"));
  CHECK_FALSE(settledOn("{}", ""));
}

TEST_CASE("the failover gap runs from the killed replica seen down to the next promotion") {
  const char* events = R"({"events": [
    {"at_ms": 900, "kind": "replica-down", "replica": "r1"},
    {"at_ms": 1000, "kind": "promoted", "replica": "r1"},
    {"at_ms": 2000, "kind": "replica-down", "replica": "r3"},
    {"at_ms": 2100, "kind": "replica-down", "replica": "r1"},
    {"at_ms": 2542, "kind": "promoted", "replica": "r2"}]})";
  CHECK(failoverGapMs(events, "r1", 1500) == 442);  // earlier events are another story
  CHECK_FALSE(failoverGapMs(events, "r1", 2600).has_value());
  CHECK_FALSE(failoverGapMs(R"({"events": [{"at_ms": 5, "kind": "replica-down",
                                "replica": "r1"}]})",
                            "r1", 0)
                  .has_value());
}

TEST_CASE("the load's seconds are its t= lines, and its summary follows 'Stopped after'") {
  std::string out = "Ordering with 4 clients.\nt=1s    acknowledged  2,420/s\nt=2s    ack";
  CHECK(secondsOfLoad(out) == 2);
  CHECK_FALSE(loadSummary(out).has_value());
  out += "\nStopped after 9.1 s: 12,345 orders acknowledged, 0 failed.\nLatency: p50 1.3 ms\n";
  CHECK(loadSummary(out) == "12,345 orders acknowledged, 0 failed.");
}

}  // namespace jh::launch
