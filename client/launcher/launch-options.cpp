// jh-launch's command line (launch-options.h).
#include "client/launcher/launch-options.h"

#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

namespace jh::launch {

namespace {

bool isNumber(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Seconds such as "2" or "0.5".
std::optional<double> seconds(const std::string& text) {
  auto dot = text.find('.');
  std::string whole = text.substr(0, dot),
              part = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (!isNumber(whole) || (dot != std::string::npos && !isNumber(part))) return std::nullopt;
  return std::stod(text);
}

bool oneOf(const std::string& value, std::initializer_list<const char*> allowed) {
  return std::any_of(allowed.begin(), allowed.end(), [&](const char* a) { return value == a; });
}

}  // namespace

std::variant<Options, UsageError> parseOptions(const std::vector<std::string>& args,
                                               const std::string& logLevelFromEnv) {
  Options o;
  o.logLevel = logLevelFromEnv;
  std::optional<std::string> command, clients, pause, lines, count, inPane;
  // The options that take a value, and what each needs.
  const std::map<std::string, std::pair<std::optional<std::string>*, const char*>> valued = {
      {"--mode", {nullptr, "xterm, tmux or background"}},
      {"--cluster", {&o.cluster, "a file"}},
      {"--signal", {nullptr, "a signal"}},
      {"-s", {nullptr, "a signal"}},
      {"--log-level", {nullptr, "debug, info, warn or error"}},
      {"-n", {&lines, "a number"}},
      {"--lines", {&lines, "a number"}},
      {"--count", {&count, "a number"}},
      {"--clients", {&clients, "a number"}},
      {"--pause", {&pause, "seconds"}},
      {"--in-pane", {&inPane, "a pid"}},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (auto it = valued.find(arg); it != valued.end()) {
      if (!value) {
        if (i + 1 >= args.size() || args[i + 1].empty()) {
          return UsageError{fmt::format("{} needs {}", arg, it->second.second)};
        }
        value = args[++i];
      }
      if (arg == "--mode")
        o.mode = *value;
      else if (arg == "--signal" || arg == "-s")
        o.signal = *value;
      else if (arg == "--log-level")
        o.logLevel = *value;
      else
        *it->second.first = *value;
    } else if (value) {
      return UsageError{"unknown option " + args[i]};
    } else if (arg == "--no-attach") {
      o.attach = false;
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--orders") {
      o.orders = true;
    } else if (arg == "--keep") {
      o.keep = true;
    } else if (arg == "--check-only") {
      o.checkOnly = true;
    } else if (arg == "-h" || arg == "--help" || arg == "help") {
      o.help = true;
    } else if (arg.starts_with("-")) {
      return UsageError{"unknown option " + arg};
    } else if (!command) {
      command = arg;
    } else {
      o.names.push_back(arg);
    }
  }
  if (command) o.command = *command;
  if (o.help) return o;

  bool demo = o.command == "demo";
  if (demo && o.mode.empty()) o.mode = "background";
  if (!oneOf(o.mode, {"", "xterm", "tmux", "background"})) {
    return UsageError{demo ? "--mode must be background, tmux or xterm"
                           : "--mode must be xterm, tmux or background"};
  }
  if (!oneOf(o.logLevel, {"", "debug", "info", "warn", "error"})) {
    return UsageError{"the log level must be debug, info, warn or error"};
  }
  if (lines) {
    if (!isNumber(*lines)) return UsageError{"-n needs a number of lines"};
    o.lines = std::stoul(*lines);
  }
  if (count) {
    if (!isNumber(*count) || std::stoul(*count) == 0) return UsageError{"--count needs a number"};
    o.count = unsigned(std::stoul(*count));
  }
  if (clients) {
    if (!isNumber(*clients) || std::stoul(*clients) == 0) {
      return UsageError{"--clients needs a number"};
    }
    o.clients = unsigned(std::stoul(*clients));
  }
  if (pause) {
    o.pause = seconds(*pause);
    if (!o.pause) return UsageError{"--pause needs a number of seconds"};
  }
  if (inPane) {
    if (!isNumber(*inPane)) return UsageError{"--in-pane needs a pid"};
    o.inPane = pid_t(std::stol(*inPane));
  }
  if (o.command == "restart" || o.command == "kill" || o.command == "pid") {
    if (o.names.size() > 1) return UsageError{o.command + " takes one NAME"};
  } else if (o.command != "logs" && o.command != "tail" && !o.names.empty()) {
    std::string names;
    for (auto& n : o.names) names += (names.empty() ? "" : " ") + n;
    return UsageError{fmt::format("{} takes no NAME (got {})", o.command, names)};
  }
  return o;
}

std::string usageText(const std::string& tmuxSocket, double stopGraceS) {
  return fmt::format(
      R"(Usage: ./startup.sh [start] [--mode xterm|tmux|background] [--cluster F] [--log-level L]
                    [--no-attach]
       ./startup.sh stop | status [--json] | watch | clean [--orders]
       ./startup.sh restart NAME | pid NAME
       ./startup.sh kill NAME|primary [--signal S]       (default KILL)
       ./startup.sh logs [NAME ...] [-n N] | tail [NAME ...] [-n N]

start    installs missing Debian packages, builds what is stale, starts every replica and
         front-end of the cluster file, then the client: each in an xterm when an X display
         answers, else in tmux (one window each, socket {}), else in the
         background (no client then). Servers log to run/logs/NAME.log in every mode.
stop     TERM, {:g}s of grace, then KILL, to each process start started.
status   name, pid, state, port and the front-end's view of each replica (--json: for scripts).
watch    status every second, until Ctrl-C: watch the primary move.
restart  stops and starts one replica, front-end or the client, in the last start's mode.
kill     signals one process, or the current primary replica.
pid      prints the pid of one process start started, if it runs (exit 1 if not).
logs     the servers' logs (all of them, merged by time, without a NAME), each line as
         "HH:MM:SS.mmm name | LEVEL message"; -n N: the last N lines. tail: following.
clean    removes run/ once nothing runs; --orders also removes the replicas' orders.csv.

Cluster file: --cluster F, else $JH_CLUSTER, else resources/cluster.json (the other commands use
the one of the last start). Log level: --log-level debug|info|warn|error, else $JH_LOG_LEVEL.
Also: JH_RUN_DIR (run folder), JH_BIN_DIR (use these binaries, do not build), JH_TMUX_SOCKET,
JH_STOP_GRACE, NO_COLOR.
)",
      tmuxSocket, stopGraceS);
}

}  // namespace jh::launch
