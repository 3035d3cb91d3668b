// jh-client's argument parsing: what is a usage error and what is not.
#include <doctest/doctest.h>

#include "client/command-line.h"

namespace jh::client {

namespace {

CommandLine parsed(std::vector<std::string> args) {
  auto result = parseCommandLine(args);
  REQUIRE(std::holds_alternative<CommandLine>(result));
  return std::get<CommandLine>(result);
}

std::string usageError(std::vector<std::string> args) {
  auto result = parseCommandLine(args);
  REQUIRE(std::holds_alternative<UsageError>(result));
  return std::get<UsageError>(result).message;
}

}  // namespace

TEST_CASE("options may come before or after the command") {
  auto cl = parsed({"order", "--user", "ann", "Margherita pizza", "sw1a1aa", "--id=a-1", "--json",
                    "--cluster", "c.json", "--frontend", "fe2"});
  CHECK(cl.command == std::vector<std::string>{"order", "Margherita pizza", "sw1a1aa"});
  CHECK(cl.userCode == "ann");
  CHECK(cl.orderId == "a-1");
  CHECK(cl.json);
  CHECK(cl.clusterPath == "c.json");
  CHECK(cl.frontend == "fe2");
}

TEST_CASE("after -- an item may start with a dash") {
  auto cl = parsed({"--user", "ann", "order", "--", "-odd-", "SW1A 1AA"});
  CHECK(cl.command == std::vector<std::string>{"order", "-odd-", "SW1A 1AA"});
}

TEST_CASE("no command means the interactive client") {
  auto cl = parsed({});
  CHECK(cl.command.empty());
  CHECK_FALSE(cl.json);
}

TEST_CASE("an unknown command or option is a usage error that names it") {
  CHECK(usageError({"fly"}) == "Unknown command 'fly'.");
  CHECK(usageError({"--colour", "menu"}) == "Unknown option '--colour'.");
}

TEST_CASE("a command with missing or extra arguments is a usage error") {
  CHECK(usageError({"--user", "ann", "order", "pizza"}) ==
        "The command 'order' takes ITEM POSTCODE.");
  CHECK(usageError({"validate"}) == "The command 'validate' takes POSTCODE.");
  CHECK(usageError({"menu", "extra"}) == "The command 'menu' takes no arguments.");
  CHECK(usageError({"--user"}) == "The option --user needs a value.");
}

TEST_CASE("orders and order without --user are usage errors") {
  CHECK(usageError({"orders"}) == "The command 'orders' needs --user CODE.");
  CHECK(usageError({"order", "pizza", "SW1A 1AA"}) == "The command 'order' needs --user CODE.");
}

TEST_CASE("--id goes only with order, and --json only with a command") {
  CHECK(usageError({"--id", "x", "menu"}) == "The option --id goes only with the command 'order'.");
  CHECK(usageError({"--json"}) == "The option --json needs a command.");
}

TEST_CASE("events takes no argument, and --follow (or -f) goes only with it") {
  CHECK(parsed({"events", "--follow"}).follow);
  CHECK(parsed({"-f", "--json", "events"}).follow);
  CHECK_FALSE(parsed({"events"}).follow);
  CHECK(usageError({"events", "now"}) == "The command 'events' takes no arguments.");
  CHECK(usageError({"status", "--follow"}) ==
        "The option --follow goes only with the command 'events'.");
  CHECK(usageError({"--follow"}) == "The option --follow goes only with the command 'events'.");
}

TEST_CASE("--help wins over a usage error") {
  auto cl = parsed({"fly", "--help"});
  CHECK(cl.help);
}

}  // namespace jh::client
