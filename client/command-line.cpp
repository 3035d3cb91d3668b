// Parsing of jh-client's arguments.
#include "client/command-line.h"

#include <map>

#include <fmt/format.h>

namespace jh::client {

namespace {

// Each command and how many arguments it takes.
const std::map<std::string, size_t>& commandArity() {
  static const std::map<std::string, size_t> arity = {
      {"motd", 0},     {"menu", 0},   {"orders", 0},    {"order", 2},
      {"validate", 1}, {"status", 0}, {"heartbeat", 1}, {"events", 0}};
  return arity;
}

const char* argumentNames(const std::string& command) {
  if (command == "order") return "ITEM POSTCODE";
  if (command == "validate") return "POSTCODE";
  if (command == "heartbeat") return "MS";
  return "no arguments";
}

}  // namespace

std::variant<CommandLine, UsageError> parseCommandLine(const std::vector<std::string>& args) {
  CommandLine cl;
  std::optional<std::string> error;
  auto fail = [&error](std::string message) {
    if (!error) error = std::move(message);
  };
  bool optionsEnded = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (optionsEnded || arg.size() < 2 || arg[0] != '-') {
      cl.command.push_back(arg);
      continue;
    }
    if (arg == "--") {
      optionsEnded = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      cl.help = true;
      continue;
    }
    if (arg == "--json") {
      cl.json = true;
      continue;
    }
    if (arg == "--follow" || arg == "-f") {
      cl.follow = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    std::optional<std::string>* target = name == "--cluster"    ? &cl.clusterPath
                                         : name == "--user"     ? &cl.userCode
                                         : name == "--frontend" ? &cl.frontend
                                         : name == "--id"       ? &cl.orderId
                                                                : nullptr;
    if (target == nullptr) {
      fail(fmt::format("Unknown option '{}'.", arg));
      continue;
    }
    if (!value) {
      if (i + 1 == args.size()) {
        fail(fmt::format("The option {} needs a value.", name));
        continue;
      }
      value = args[++i];
    }
    *target = std::move(*value);
  }

  if (!cl.command.empty()) {
    const std::string& command = cl.command[0];
    auto it = commandArity().find(command);
    if (it == commandArity().end()) {
      fail(fmt::format("Unknown command '{}'.", command));
    } else if (cl.command.size() != it->second + 1) {
      fail(fmt::format("The command '{}' takes {}.", command, argumentNames(command)));
    } else if ((command == "order" || command == "orders") && !cl.userCode) {
      fail(fmt::format("The command '{}' needs --user CODE.", command));
    } else if (command == "heartbeat") {
      const std::string& ms = cl.command[1];
      bool digits =
          !ms.empty() && ms.size() <= 5 && ms.find_first_not_of("0123456789") == std::string::npos;
      if (!digits || std::stoul(ms) < 10 || std::stoul(ms) > 60000) {
        fail("The heartbeat period is a number of milliseconds from 10 to 60000.");
      }
    }
  }
  if (cl.orderId && (cl.command.empty() || cl.command[0] != "order")) {
    fail("The option --id goes only with the command 'order'.");
  }
  if (cl.follow && (cl.command.empty() || cl.command[0] != "events")) {
    fail("The option --follow goes only with the command 'events'.");
  }
  if (cl.json && cl.command.empty()) fail("The option --json needs a command.");

  if (cl.help) return cl;
  if (error) return UsageError{*error};
  return cl;
}

const char* usageText() {
  return R"(Usage: jh-client [--cluster FILE] [--user CODE] [--json] [--frontend NAME] [COMMAND ...]

Orders food from Just Hungry. Without a command, asks for your user code and
shows the menu, your orders and the service's status on screen.

Commands:
  motd                          show the message of the day
  menu                          show the menu and prices
  orders                        show your orders (needs --user)
  order ITEM POSTCODE [--id ID] order ITEM (a dish's name, or its number on the
                                menu) to POSTCODE (needs --user); ID makes a
                                repeated command place the order only once
  validate POSTCODE             check a postcode and show its delivery area
  status                        show the front-end's view of the replicas
  heartbeat MS                  make the front-end check the replicas every MS
                                milliseconds (10 to 60000), while it runs
  events [--follow]             what the cluster did, one line an event: its time
                                (UTC, to the millisecond), the time since the one
                                before, and what happened; --follow (-f) prints
                                new events as they come, until Ctrl-C

Options:
  --cluster FILE   the cluster file (default: $JH_CLUSTER, else resources/cluster.json)
  --user CODE      your user code: 1 to 64 printable characters
  --json           print one JSON document on standard output (events
                   --follow: one a line, for each event)
  --frontend NAME  talk only to this front-end of the cluster file
  --help           show this help

Exit codes: 0 done, 1 rejected, 2 usage error, 3 service unavailable.
)";
}

}  // namespace jh::client
