// jh-client's command line (DESIGN.md §2): options anywhere, then a command and its arguments.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace jh::client {

// The process's exit codes.
constexpr int EXIT_DONE = 0;
constexpr int EXIT_REJECTED = 1;     // bad item, bad postcode, bad user code, conflicting id…
constexpr int EXIT_USAGE = 2;        // unknown command, missing argument, bad cluster file
constexpr int EXIT_UNAVAILABLE = 3;  // no front-end answered in time, or no replica could

struct CommandLine {
  std::optional<std::string> clusterPath;  // --cluster
  std::optional<std::string> userCode;     // --user, not yet checked
  std::optional<std::string> frontend;     // --frontend: talk to this one only
  std::optional<std::string> orderId;      // --id, for `order` only, not yet checked
  bool json = false;
  bool follow = false;  // --follow, for `events` only
  bool help = false;
  // Empty for the interactive client; else a known command with the right number of
  // arguments: {"order", ITEM, POSTCODE}, {"validate", POSTCODE}, {"motd"}…
  std::vector<std::string> command;
};

struct UsageError {
  std::string message;  // one sentence
};

// Parses the arguments after the program's name. Options may come before or after the command;
// "--" ends them. Refuses an unknown option or command, a missing argument, --id without
// `order`, `orders` or `order` without --user, --follow without `events`, and --json without a
// command. --help wins over
// every other problem.
std::variant<CommandLine, UsageError> parseCommandLine(const std::vector<std::string>& args);

// The --help text.
const char* usageText();

}  // namespace jh::client
