// `jh-client events`: the feed as a timeline (times to the millisecond, intervals, one line an
// event), its JSON, and --follow against a fake front-end whose feed grows, restarts, or stops
// answering for a while.
#include <sstream>

#include <doctest/doctest.h>

#include "client/event-timeline.h"
#include "client/one-shot.h"
#include "tests/client/client-rig.h"
#include "tests/schema/parse-json.h"

namespace jh::client::test {

using jh::test::parseJson;

namespace {

// 2023-11-14T22:13:20.123Z
constexpr int64_t T0 = 1700000000123;

TimelineEvent event(uint64_t id, int64_t atMs, rpc::EventKind kind, std::string message,
                    std::string replica = "", uint64_t count = 0) {
  return TimelineEvent{id, atMs, kind, std::move(replica), count, std::move(message)};
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Runs the event loop until `done()` holds, or fails the test after about two seconds.
template <typename Done>
void runUntil(ClientRig& rig, Done done) {
  for (int i = 0; i < 200 && !done(); ++i) {
    rig.io.provider->getTimer().afterDelay(10 * kj::MILLISECONDS).wait(rig.io.waitScope);
  }
  REQUIRE(done());
}

// Fails every events() call while `down` is set, as an unreachable front-end does.
class Unreachable final : public FrontEndApi {
 public:
  explicit Unreachable(FrontEndApi& inner) : inner_(inner) {}
  bool down = false;

  kj::Promise<Reply<std::string>> motd() override { return inner_.motd(); }
  kj::Promise<Reply<std::vector<MenuEntry>>> menu() override { return inner_.menu(); }
  kj::Promise<Reply<std::vector<OrderRecord>>> orders(std::string user) override {
    return inner_.orders(user);
  }
  kj::Promise<Reply<OrderRecord>> placeOrder(OrderRequest request) override {
    return inner_.placeOrder(request);
  }
  kj::Promise<Reply<PostcodeInfo>> validatePostcode(std::string p) override {
    return inner_.validatePostcode(p);
  }
  kj::Promise<ClusterStatus> status() override { return inner_.status(); }
  kj::Promise<void> setHeartbeat(uint32_t ms) override { return inner_.setHeartbeat(ms); }
  kj::Promise<std::vector<TimelineEvent>> events(uint64_t after) override {
    if (down) return KJ_EXCEPTION(DISCONNECTED, "no front-end answered after 3 attempts");
    return inner_.events(after);
  }

 private:
  FrontEndApi& inner_;
};

}  // namespace

TEST_CASE(
    "each event is a line: its UTC time to the millisecond, the time since the one before, "
    "and its message") {
  std::string text = timelineText(
      {event(1, T0, rpc::EventKind::STARTED, "just.hungry started."),
       event(2, T0 + 7, rpc::EventKind::PROMOTED, "replica.server1 is now the primary."),
       event(3, T0 + 7 + 2311, rpc::EventKind::REPLICA_DOWN, "replica.server1 is down."),
       event(4, T0 + 7 + 2311 + 125000, rpc::EventKind::REPLICA_UP,
             "replica.server1 answers again.")},
      Style(false));
  CHECK(linesOf(text) ==
        std::vector<std::string>{"22:13:20.123              just.hungry started.",
                                 "22:13:20.130       +7 ms  replica.server1 is now the primary.",
                                 "22:13:22.441   +2,311 ms  replica.server1 is down.",
                                 "22:15:27.441      +125 s  replica.server1 answers again."});
  CHECK(timelineText({}, Style(false)) == "The front-end has recorded no events yet.\n");
}

TEST_CASE(
    "on a terminal a long message is broken at spaces under its start, elsewhere an event "
    "stays one line") {
  auto promoted = event(2, T0 + 9, rpc::EventKind::PROMOTED,
                        "replica.server2 is now the primary (was replica.server1): it synced with "
                        "replica.server3 and fetched 0 rows.");
  CHECK(linesOf(timelineLine(promoted, T0, Style(false), 80)) ==
        std::vector<std::string>{
            "22:13:20.132       +9 ms  replica.server2 is now the primary (was",
            "                          replica.server1): it synced with replica.server3 and",
            "                          fetched 0 rows."});
  CHECK(linesOf(timelineLine(promoted, T0, Style(false))).size() == 1);
  Style colour(true);
  std::string painted = timelineLine(promoted, T0, colour, 80);
  CHECK(painted.find(colour.good("fetched 0 rows.")) != std::string::npos);
}

TEST_CASE("in colour a replica going down is red and a promotion green") {
  Style colour(true);
  CHECK(timelineLine(event(1, T0, rpc::EventKind::REPLICA_DOWN, "down."), std::nullopt, colour)
            .find(colour.bad("down.")) != std::string::npos);
  CHECK(timelineLine(event(1, T0, rpc::EventKind::PROMOTED, "up."), std::nullopt, colour)
            .find(colour.good("up.")) != std::string::npos);
}

TEST_CASE(
    "jh-client events prints the front-end's feed as a timeline, and with --json as one "
    "document naming each kind as the web page does") {
  ClientRig rig;
  rig.fake.feed = {event(1, T0, rpc::EventKind::STARTED, "just.hungry started."),
                   event(2, T0 + 40, rpc::EventKind::REPLICA_READY,
                         "replica.server2 has caught up: 812 rows.", "replica.server2", 812)};
  CHECK(rig.run({"events"}) == EXIT_DONE);
  CHECK(linesOf(rig.out.str()) ==
        std::vector<std::string>{
            "22:13:20.123              just.hungry started.",
            "22:13:20.163      +40 ms  replica.server2 has caught up: 812 rows."});
  CHECK(rig.fake.feedAfter == std::vector<uint64_t>{0});

  rig.out.str("");
  CHECK(rig.run({"--json", "events"}) == EXIT_DONE);
  auto doc = parseJson(rig.out.str());
  REQUIRE(doc["events"].Size() == 2);
  auto& ready = doc["events"][1];
  CHECK(ready["id"].GetUint64() == 2);
  CHECK(ready["at_ms"].GetInt64() == T0 + 40);
  CHECK(std::string(ready["kind"].GetString()) == "replica-ready");
  CHECK(std::string(ready["replica"].GetString()) == "replica.server2");
  CHECK(ready["count"].GetUint64() == 812);
  CHECK(std::string(ready["message"].GetString()) == "replica.server2 has caught up: 812 rows.");
}

TEST_CASE(
    "events --follow prints each event once as the feed grows, asking only for what is "
    "after the last one, until stopped") {
  ClientRig rig;
  rig.fake.feed = {
      event(1, T0, rpc::EventKind::STARTED, "just.hungry started."),
      event(2, T0 + 5, rpc::EventKind::PROMOTED, "replica.server1 is now the primary.")};
  Reporter reporter(rig.out, rig.err, false);
  auto stop = kj::newPromiseAndFulfiller<void>();
  auto following = followEvents(rig.client, rig.io.provider->getTimer(), reporter,
                                kj::mv(stop.promise), 5 * kj::MILLISECONDS);
  runUntil(rig, [&]() { return linesOf(rig.out.str()).size() == 2; });
  rig.fake.feed.push_back(
      event(3, T0 + 1005, rpc::EventKind::REPLICA_DOWN, "replica.server1 is down."));
  rig.fake.feed.push_back(
      event(4, T0 + 1011, rpc::EventKind::PROMOTED, "replica.server2 is now the primary."));
  runUntil(rig, [&]() { return linesOf(rig.out.str()).size() == 4; });
  // The next poll asks for what comes after the last event printed.
  runUntil(rig, [&]() { return !rig.fake.feedAfter.empty() && rig.fake.feedAfter.back() == 4; });
  stop.fulfiller->fulfill();
  CHECK(following.wait(rig.io.waitScope) == EXIT_DONE);

  CHECK(linesOf(rig.out.str()) ==
        std::vector<std::string>{"22:13:20.123              just.hungry started.",
                                 "22:13:20.128       +5 ms  replica.server1 is now the primary.",
                                 "22:13:21.128   +1,000 ms  replica.server1 is down.",
                                 "22:13:21.134       +6 ms  replica.server2 is now the primary."});
  CHECK(rig.fake.feedAfter.front() == 0);
  CHECK(rig.fake.feedAfter.back() == 4);
  CHECK(std::count(rig.fake.feedAfter.begin(), rig.fake.feedAfter.end(), 2) >= 1);
  CHECK(rig.err.str().empty());
}

TEST_CASE("events --follow --json prints one JSON document a line, one for each event") {
  ClientRig rig;
  rig.fake.feed = {event(1, T0, rpc::EventKind::STARTED, "just.hungry started."),
                   event(2, T0 + 5, rpc::EventKind::HAND_OVER, "Handing over.", "replica.server1")};
  Reporter reporter(rig.out, rig.err, true);
  auto stop = kj::newPromiseAndFulfiller<void>();
  auto following = followEvents(rig.client, rig.io.provider->getTimer(), reporter,
                                kj::mv(stop.promise), 5 * kj::MILLISECONDS);
  runUntil(rig, [&]() { return linesOf(rig.out.str()).size() == 2; });
  stop.fulfiller->fulfill();
  following.wait(rig.io.waitScope);
  auto lines = linesOf(rig.out.str());
  REQUIRE(lines.size() == 2);
  CHECK(std::string(parseJson(lines[0])["kind"].GetString()) == "started");
  CHECK(std::string(parseJson(lines[1])["kind"].GetString()) == "hand-over");
  CHECK(std::string(parseJson(lines[1])["replica"].GetString()) == "replica.server1");
}

TEST_CASE(
    "events --follow over a connection made again prints no event twice, and after the "
    "front-end restarted (its events numbered afresh) prints the new run's events") {
  ClientRig rig;
  rig.fake.feed = {
      event(1, T0, rpc::EventKind::STARTED, "just.hungry started."),
      event(2, T0 + 5, rpc::EventKind::PROMOTED, "replica.server1 is now the primary."),
      event(3, T0 + 9, rpc::EventKind::REPLICA_READY, "replica.server3 has caught up.")};
  Reporter reporter(rig.out, rig.err, false);
  auto stop = kj::newPromiseAndFulfiller<void>();
  auto following = followEvents(rig.client, rig.io.provider->getTimer(), reporter,
                                kj::mv(stop.promise), 5 * kj::MILLISECONDS);
  runUntil(rig, [&]() { return linesOf(rig.out.str()).size() == 3; });

  // The same feed over a new connection: read from its start, nothing shown again.
  rig.server.dropConnections();
  rig.fake.feed.push_back(
      event(4, T0 + 20, rpc::EventKind::REPLICA_DOWN, "replica.server2 is down."));
  runUntil(rig, [&]() { return linesOf(rig.out.str()).size() >= 4; });

  // A restarted front-end: ids from 1 again, below the last one printed.
  rig.fake.feed = {
      event(1, T0 + 60000, rpc::EventKind::STARTED, "just.hungry started again."),
      event(2, T0 + 60010, rpc::EventKind::PROMOTED, "replica.server1 is the primary again.")};
  rig.server.dropConnections();
  runUntil(rig, [&]() { return linesOf(rig.out.str()).size() >= 6; });
  stop.fulfiller->fulfill();
  following.wait(rig.io.waitScope);

  auto lines = linesOf(rig.out.str());
  CAPTURE(rig.out.str());
  REQUIRE(lines.size() == 6);
  CHECK(lines[3] == "22:13:20.143      +11 ms  replica.server2 is down.");
  CHECK(lines[4] == "22:14:20.123  +59,980 ms  just.hungry started again.");
  CHECK(lines[5] == "22:14:20.133      +10 ms  replica.server1 is the primary again.");
}

TEST_CASE(
    "events --follow says once that the front-end does not answer, keeps asking, and "
    "carries on when it answers again") {
  ClientRig rig;
  Unreachable api(rig.client);
  rig.fake.feed = {event(1, T0, rpc::EventKind::STARTED, "just.hungry started.")};
  Reporter reporter(rig.out, rig.err, false);
  auto stop = kj::newPromiseAndFulfiller<void>();
  auto following = followEvents(api, rig.io.provider->getTimer(), reporter, kj::mv(stop.promise),
                                5 * kj::MILLISECONDS);
  runUntil(rig, [&]() { return linesOf(rig.out.str()).size() == 1; });
  api.down = true;
  runUntil(rig, [&]() { return !rig.err.str().empty(); });
  // Several more polls fail while it is down, and are said only once.
  for (int i = 0; i < 5; ++i)
    rig.io.provider->getTimer().afterDelay(10 * kj::MILLISECONDS).wait(rig.io.waitScope);
  rig.fake.feed.push_back(
      event(2, T0 + 3000, rpc::EventKind::PROMOTED, "replica.server2 is now the primary."));
  api.down = false;
  runUntil(rig, [&]() { return linesOf(rig.out.str()).size() == 2; });
  stop.fulfiller->fulfill();
  following.wait(rig.io.waitScope);

  CHECK(linesOf(rig.err.str()) ==
        std::vector<std::string>{
            "The service is unavailable: no front-end answered after 3 attempts. Still asking.",
            "The front-end answers again."});
  CHECK(linesOf(rig.out.str())[1] ==
        "22:13:23.123   +3,000 ms  replica.server2 is now the primary.");
}

}  // namespace jh::client::test
