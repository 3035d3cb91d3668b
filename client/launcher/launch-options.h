// jh-launch's command line: the command (start, stop, status, watch, restart, kill, logs, tail,
// clean, pid, demo, load), its names and options, checked before anything runs. The usage text
// is startup.sh's, since startup.sh hands its arguments on unchanged.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace jh::launch {

struct Options {
  std::string command = "start";
  std::vector<std::string> names;
  std::string mode;  // "" (choose), xterm, tmux or background
  std::optional<std::string> cluster;
  std::string signal = "KILL";
  std::string logLevel;  // --log-level, else $JH_LOG_LEVEL
  std::optional<size_t> lines;
  std::optional<unsigned> count;  // watch: redraw this many times, then stop
  bool attach = true;
  bool json = false;
  bool orders = false;
  bool help = false;
  bool checkOnly = false;  // start: only refuse a running system or a busy port (before a build)
  // The demonstration and its load.
  unsigned clients = 8;
  std::optional<double> pause;  // seconds between steps; default 2 on a terminal, else 0
  bool keep = false;
  std::optional<pid_t> inPane;  // the steps, run in a tmux pane by the demonstration `inPane`
};

struct UsageError {
  std::string message;
};

// Options may come before or after the command, as --opt VALUE or --opt=VALUE.
std::variant<Options, UsageError> parseOptions(const std::vector<std::string>& args,
                                               const std::string& logLevelFromEnv);

// startup.sh's usage text, naming the tmux socket and the stop grace in force.
std::string usageText(const std::string& tmuxSocket, double stopGraceS);

}  // namespace jh::launch
