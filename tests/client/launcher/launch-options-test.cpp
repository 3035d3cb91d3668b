// jh-launch's command line: what startup.sh hands on, and what is a usage error.
#include <doctest/doctest.h>

#include "client/launcher/launch-options.h"

namespace jh::launch {

namespace {

Options parsed(std::vector<std::string> args, std::string level = "") {
  auto result = parseOptions(args, level);
  REQUIRE(std::holds_alternative<Options>(result));
  return std::get<Options>(result);
}

std::string usageError(std::vector<std::string> args) {
  auto result = parseOptions(args, "");
  REQUIRE(std::holds_alternative<UsageError>(result));
  return std::get<UsageError>(result).message;
}

}  // namespace

TEST_CASE("no command means start, attached, with the mode chosen later") {
  auto o = parsed({});
  CHECK(o.command == "start");
  CHECK(o.mode == "");
  CHECK(o.attach);
  CHECK_FALSE(o.checkOnly);
}

TEST_CASE("options may come before or after the command, with a space or an equals sign") {
  auto o = parsed(
      {"--mode=tmux", "start", "--cluster", "c.json", "--no-attach", "--log-level", "debug"});
  CHECK(o.mode == "tmux");
  CHECK(o.cluster == "c.json");
  CHECK_FALSE(o.attach);
  CHECK(o.logLevel == "debug");
  auto k = parsed({"kill", "primary", "-s", "STOP"});
  CHECK(k.names == std::vector<std::string>{"primary"});
  CHECK(k.signal == "STOP");
  CHECK(parsed({"logs", "-n", "400"}).lines == 400u);
  CHECK(parsed({"tail", "replica.server1", "--lines=3"}).lines == 3u);
}

TEST_CASE("the log level comes from $JH_LOG_LEVEL unless --log-level says otherwise") {
  CHECK(parsed({}, "warn").logLevel == "warn");
  CHECK(parsed({"--log-level", "info"}, "warn").logLevel == "info");
  CHECK(usageError({"--log-level", "loud"}) == "the log level must be debug, info, warn or error");
}

TEST_CASE("a bad mode, number or option is a usage error that says what is wanted") {
  CHECK(usageError({"--mode", "window"}) == "--mode must be xterm, tmux or background");
  CHECK(usageError({"--mode"}) == "--mode needs xterm, tmux or background");
  CHECK(usageError({"logs", "-n", "many"}) == "-n needs a number of lines");
  CHECK(usageError({"watch", "--count", "0"}) == "--count needs a number");
  CHECK(usageError({"--colour"}) == "unknown option --colour");
  CHECK(usageError({"--colour=yes"}) == "unknown option --colour=yes");
}

TEST_CASE("restart, kill and pid take one name, logs and tail any, the others none") {
  CHECK(usageError({"restart", "a", "b"}) == "restart takes one NAME");
  CHECK(usageError({"status", "replica.server1"}) == "status takes no NAME (got replica.server1)");
  CHECK(parsed({"logs", "a", "b"}).names.size() == 2);
  CHECK(parsed({"restart"}).names.empty());  // the command itself says that it needs one
}

TEST_CASE("help wins over a usage error, as a word or an option") {
  CHECK(parsed({"help"}).help);
  CHECK(parsed({"status", "x", "-h"}).help);
  CHECK(parsed({"--mode", "window", "--help"}).help);
}

TEST_CASE("the demonstration runs in the background unless told, and checks its numbers") {
  auto d = parsed({"demo", "--clients", "4", "--pause", "0.5", "--keep"});
  CHECK(d.mode == "background");
  CHECK(d.clients == 4u);
  CHECK(d.pause == 0.5);
  CHECK(d.keep);
  CHECK_FALSE(parsed({"demo"}).pause.has_value());  // chosen by whether stdout is a terminal
  CHECK(parsed({"demo", "--in-pane", "123"}).inPane == 123);
  CHECK(usageError({"demo", "--clients", "0"}) == "--clients needs a number");
  CHECK(usageError({"demo", "--pause", "soon"}) == "--pause needs a number of seconds");
  CHECK(usageError({"demo", "--mode", "x"}) == "--mode must be background, tmux or xterm");
}

TEST_CASE("the usage text names the socket and the grace in force") {
  std::string usage = usageText("run/tmux.sock", 5);
  CHECK(usage.find("socket run/tmux.sock") != std::string::npos);
  CHECK(usage.find("TERM, 5s of grace") != std::string::npos);
}

}  // namespace jh::launch
