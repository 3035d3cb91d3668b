// The servers' logs as "HH:MM:SS.mmm name | LEVEL message", merged by time.
#include <doctest/doctest.h>

#include "client/launcher/log-view.h"

namespace jh::launch {

TEST_CASE("a server's line shows its time of day, its name once, its level and message") {
  LogStyle style{false, 17, {}};
  LogFormatter f("replica.server1", style);
  auto line =
      f.format("2026-11-21T22:31:05.123Z INFO  replica.server1 | listening on 127.0.0.1:9001");
  CHECK(line.key == "2026-11-21T22:31:05.123Z");
  CHECK(line.text == "22:31:05.123 replica.server1   | INFO  listening on 127.0.0.1:9001");
}

TEST_CASE("lines without a time of their own take the time of the line before") {
  LogStyle style{false, 1, {}};
  LogFormatter f("a", style);
  CHECK(f.format("Segmentation fault").text == "--:--:--.--- a | Segmentation fault");
  f.format("2026-11-21T22:31:05.123Z WARN  a | slow");
  auto crash = f.format("terminate called");
  CHECK(crash.text == "22:31:05.123 a | terminate called");
  CHECK(crash.key == "2026-11-21T22:31:05.123Z");
}

TEST_CASE("the launcher's start markers carry their own time, .000 when written without ms") {
  LogStyle style{false, 1, {}};
  LogFormatter f("a", style);
  auto marker = f.format("----- 2026-11-21T22:31:04.500Z startup.sh (tmux): /b/jh-replica");
  CHECK(marker.key == "2026-11-21T22:31:04.500Z");
  CHECK(marker.text ==
        "22:31:04.500 a | ----- 2026-11-21T22:31:04.500Z startup.sh (tmux): /b/jh-replica");
  CHECK(f.format("----- 2026-11-21T22:31:04Z startup.sh (tmux): x").key ==
        "2026-11-21T22:31:04.000Z");
}

TEST_CASE("colour marks the level, the time and the name only when asked for") {
  LogStyle style{true, 1, nameColours({"a", "b"})};
  LogFormatter f("b", style);
  auto line = f.format("2026-11-21T22:31:05.123Z ERROR b | disk full").text;
  CHECK(line ==
        "\033[2m22:31:05.123\033[0m \033[32mb\033[0m | \033[1;31mERROR\033[0m "
        "\033[1;31mdisk full\033[0m");
}

TEST_CASE("several logs merge by time, lines of one instant keeping their order") {
  LogStyle style{false, 1, {}};
  LogFormatter a("a", style), b("b", style);
  std::vector<LogFormatter::Line> first = {a.format("2026-11-21T22:31:05.100Z INFO  a | one"),
                                           a.format("2026-11-21T22:31:05.300Z INFO  a | three")};
  std::vector<LogFormatter::Line> second = {b.format("2026-11-21T22:31:05.200Z INFO  b | two"),
                                            b.format("2026-11-21T22:31:05.300Z INFO  b | four")};
  auto merged = mergeByTime({first, second});
  REQUIRE(merged.size() == 4);
  CHECK(merged[0].ends_with("one"));
  CHECK(merged[1].ends_with("two"));
  CHECK(merged[2].ends_with("three"));
  CHECK(merged[3].ends_with("four"));
}

}  // namespace jh::launch
