// The launcher's commands (commands.h), except the demonstration's (demo.cpp).
#include "client/launcher/commands.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "client/launcher/log-view.h"
#include "client/launcher/mode-choice.h"
#include "client/launcher/process-control.h"
#include "client/launcher/process-table.h"
#include "client/launcher/say.h"
#include "client/launcher/status-view.h"
#include "client/launcher/system.h"

namespace fs = std::filesystem;

namespace jh::launch {

namespace {

// In background mode there is no window for the client: says how to run it by hand.
void sayClientCommand(const System& system) {
  std::string clusterOption;
  if (system.clusterPath != system.run.root + "/resources/cluster.json") {
    clusterOption = " --cluster " + rel(system.clusterPath);
  }
  say("the client has no window in background mode; run it in a terminal with:");
  say(fmt::format("  {}/jh-client{}", rel(system.binDir), clusterOption));
}

bool binDirFromEnvironment() {
  const char* dir = std::getenv("JH_BIN_DIR");
  return dir != nullptr && *dir != '\0';
}

// Ctrl-C or TERM ends a command that runs until stopped (watch, tail) with status 0.
void endQuietlyOnSignal(bool newline) {
  static bool printNewline;
  printNewline = newline;
  auto end = [](int) {
    if (printNewline) (void)!write(1, "\n", 1);
    _exit(0);
  };
  for (int s : {SIGINT, SIGTERM, SIGHUP}) signal(s, end);
}

// Attaches a person at a terminal to the tmux windows, the client's first.
void attachToTmux(const System& system, bool attach) {
  const RunFolder& run = system.run;
  if (!attach || !isatty(0) || !isatty(1) || std::getenv("TMUX") != nullptr) {
    say("to watch the windows: " + run.tmuxAttachCommand());
    return;
  }
  capture(run.tmux({"select-window", "-t", firstLine(run.paneFile(CLIENT))}), 5000);
  say("attaching to tmux: Ctrl-b n/p moves between windows, Ctrl-b d detaches");
  runToEnd(run.tmux({"attach", "-t", TMUX_SESSION}), {.in = 0});
  if (run.tmuxHasSession()) {
    say("detached; the system runs on. Back to the windows: " + run.tmuxAttachCommand());
  }
}

}  // namespace

int startCommand(const Options& o) {
  System system;
  system.loadCluster(o.cluster, false);
  system.loadBinDir(false);
  fs::create_directories(system.run.pids);
  fs::create_directories(system.run.logs);
  checkFree(system);  // before the build, which can take minutes: startup.sh runs --check-only
  if (o.checkOnly) return 0;
  ensureSecret(system);
  if (binDirFromEnvironment()) {
    say(fmt::format("using the binaries in {} (JH_BIN_DIR is set: not building)",
                    rel(system.binDir)));
  }
  for (auto program : {"jh-replica", "jh-frontend", "jh-client"}) {
    if (!isExecutable(system.bin(program))) {
      die(fmt::format("{} is missing: the build did not make it", system.bin(program)));
    }
  }
  ModeChoice mode = chooseMode(o.mode, probeDisplay());
  if (mode.mode.empty()) die(mode.error);
  say(fmt::format("mode: {} ({})", mode.mode, mode.why));
  RunFolder& run = system.run;
  run.record("mode", mode.mode);
  run.record("cluster", system.clusterPath);
  run.record("log-level", o.logLevel);
  run.record("bin", fs::weakly_canonical(system.binDir).string());
  auto frontends = system.frontends();
  say(fmt::format("cluster file: {} ({} replicas, {} front-end{})", rel(system.clusterPath),
                  system.replicas().size(), frontends.size(), frontends.size() == 1 ? "" : "s"));
  for (auto& name : system.servers()) startNode(system, name, mode.mode, o.logLevel);
  bool ok = waitListening(system, system.servers());
  if (ok) say("every server listens on its port");
  for (auto& fe : frontends) {
    std::string http = system.httpAddress(fe);
    if (!http.empty())
      say(fmt::format("{} serves the web page at http://{}/ (live view: #live)", fe, http));
  }
  if (mode.mode == "background")
    sayClientCommand(system);
  else
    startNode(system, CLIENT, mode.mode, o.logLevel);
  say("next: ./startup.sh status, watch, logs, kill primary, restart NAME, stop");
  if (!ok) die("some servers did not come up: see above (./startup.sh stop ends the rest)");
  if (mode.mode == "tmux") attachToTmux(system, o.attach);
  return 0;
}

int stopCommand(const Options& o) {
  System system;
  const RunFolder& run = system.run;
  std::vector<std::string> names, xterms;
  for (auto& name : run.pidNames()) (name.ends_with(".xterm") ? xterms : names).push_back(name);
  say(names.empty() ? "stopping nothing (no pid files in " + run.pids + ")"
                    : fmt::format("stopping {}", fmt::join(names, " ")));
  bool ok = stopNames(system, names);
  // The xterm windows (kept open by -hold) and the tmux session are ours too.
  ok = stopNames(system, xterms, false) && ok;
  if (onPath("tmux") && run.tmuxHasSession()) {
    if (capture(run.tmux({"kill-server"}), 5000).status == 0) {
      say(fmt::format("  closed the tmux windows ({})", rel(run.tmuxSocket)));
    }
  }
  std::error_code error;
  for (auto& entry : fs::directory_iterator(run.pids, error)) {
    if (entry.path().extension() == ".pane") fs::remove(entry.path(), error);
  }
  for (auto& entry : fs::directory_iterator(run.dir, error)) {
    if (entry.path().filename().string().starts_with("tmux-go.")) fs::remove(entry.path(), error);
  }
  fs::remove(run.dir + "/mode", error);
  // Name what still holds a port of the cluster: without a pid file here it is not known to be
  // ours, so it is left alone.
  if (o.cluster || fs::is_regular_file(run.recorded("cluster"), error)) {
    system.loadCluster(o.cluster, true);
    for (auto& n : system.servers()) {
      auto port = system.port(n);
      if (port && portListening(*port)) {
        warn(fmt::format("port {} of {} is still in use by {} (no pid file of ours: left alone)",
                         *port, n, portOwner(*port)));
      }
    }
  }
  if (!ok) die("some processes survived: see above");
  say("stopped");
  return 0;
}

int statusCommand(const Options& o) {
  System system;
  system.loadCluster(o.cluster, true);
  system.loadBinDir(true);
  StatusView view = collectStatus(system);
  std::string mode = system.run.recorded("mode");
  if (o.json) {
    fmt::print("{}", statusJson(view, system.clusterPath, mode, system.run.dir));
    return 0;
  }
  fmt::print("{}", statusTable(view, rel(system.clusterPath), mode, useColour()));
  if (mode == "tmux") fmt::print("windows: {}\n", system.run.tmuxAttachCommand());
  return 0;
}

int watchCommand(const Options& o) {
  System system;
  system.loadCluster(o.cluster, true);
  system.loadBinDir(true);
  endQuietlyOnSignal(true);
  bool colour = useColour(), terminal = isatty(1);
  for (unsigned i = 1; !o.count || i <= *o.count; ++i) {
    StatusView view = collectStatus(system);
    std::time_t now = std::time(nullptr);
    char clock[16];
    std::strftime(clock, sizeof clock, "%H:%M:%S", std::localtime(&now));
    // Drawn whole each time, so that it does not flicker.
    std::string screen = fmt::format(
        "Just Hungry at {}, every second (Ctrl-C to stop)\n{}", clock,
        statusTable(view, rel(system.clusterPath), system.run.recorded("mode"), colour));
    fmt::print("{}{}", terminal ? "\033[H\033[2J" : "", screen + (terminal ? "" : "\n"));
    std::fflush(stdout);
    if (o.count && i == *o.count) break;
    sleepMs(1000);
  }
  return 0;
}

int restartCommand(const Options& o) {
  if (o.names.empty()) usageError("restart needs a NAME");
  const std::string& name = o.names[0];
  System system;
  system.loadCluster(o.cluster, true);
  system.loadBinDir(true);
  const RunFolder& run = system.run;
  if (system.kind(name) == Kind::NONE) {
    die("restart takes a replica, a front-end or the client: " + system.knownNames());
  }
  std::string mode = run.recorded("mode");
  if (mode.empty()) {
    die("the system is not started (no " + run.dir + "/mode): run ./startup.sh first");
  }
  if (!o.mode.empty() && o.mode != mode) {
    die(fmt::format("the system runs in {} mode; --mode {} does not apply", mode, o.mode));
  }
  if (name == CLIENT && mode == "background") {
    sayClientCommand(system);
    return 1;
  }
  std::string logLevel = o.logLevel.empty() ? run.recorded("log-level") : o.logLevel;
  fs::create_directories(run.pids);
  fs::create_directories(run.logs);
  say(fmt::format("restarting {} ({} mode)", name, mode));
  if (!stopNames(system, {name})) die(name + " could not be stopped");
  if (mode == "xterm") stopNames(system, {name + ".xterm"}, false);
  auto port = system.port(name);
  if (port && !pollUntil(5, [&] { return !portListening(*port); })) {
    die(fmt::format("port {} of {} is still in use by {}", *port, name, portOwner(*port)));
  }
  startNode(system, name, mode, logLevel);
  if (port && !waitListening(system, {name})) die(name + " did not come back: see above");
  auto pid = system.runningPid(name);
  say(fmt::format("{} is back (pid {})", name, pid ? std::to_string(*pid) : "?"));
  return 0;
}

int killCommand(const Options& o) {
  if (o.names.empty()) usageError("kill needs a NAME or 'primary'");
  System system;
  system.loadCluster(o.cluster, true);
  system.loadBinDir(true);
  auto signal = signalNumber(o.signal);
  if (!signal) die("unknown signal '" + o.signal + "'");
  say(killNode(system, o.names[0], *signal));
  return 0;
}

int logsCommand(const Options& o, bool follow) {
  System system;
  system.loadCluster(o.cluster, true);
  LogStyle style{useColour(), 0, nameColours(system.servers())};
  auto names = o.names.empty() ? system.servers() : o.names;
  std::vector<std::string> files, named;
  for (auto& n : names) {
    Kind kind = system.kind(n);
    if (kind != Kind::REPLICA && kind != Kind::FRONTEND) {
      die(fmt::format("no log for '{}': the servers are {}", n, fmt::join(system.servers(), " ")));
    }
    style.width = std::max(style.width, n.size());
    std::string file = system.run.logFile(n);
    if (fs::is_regular_file(file)) {
      files.push_back(file);
      named.push_back(n);
    } else if (!o.names.empty()) {
      die(fmt::format("{} has no log yet ({})", n, rel(file)));
    }
  }
  if (files.empty())
    die(fmt::format("no logs yet in {}: start the system first", rel(system.run.logs)));
  if (follow) {
    endQuietlyOnSignal(false);
    followLogs(files, named, style, o.lines.value_or(10));
  }
  std::vector<std::vector<LogFormatter::Line>> logs;
  for (size_t i = 0; i < files.size(); ++i) logs.push_back(formatFile(files[i], named[i], style));
  auto lines = mergeByTime(std::move(logs));
  size_t from = o.lines && *o.lines < lines.size() ? lines.size() - *o.lines : 0;
  for (size_t i = from; i < lines.size(); ++i) fmt::print("{}\n", lines[i]);
  return 0;
}

int cleanCommand(const Options& o) {
  System system;
  const RunFolder& run = system.run;
  std::vector<std::string> running;
  for (auto& name : run.pidNames()) {
    if (system.runningPid(name)) running.push_back(name);
  }
  if (!running.empty()) {
    die(fmt::format("still running: {}; ./startup.sh stop first", fmt::join(running, " ")));
  }
  if (onPath("tmux") && run.tmuxHasSession()) {
    die("the tmux windows are still open; ./startup.sh stop first");
  }
  std::error_code error;
  if (o.orders) {
    system.loadCluster(o.cluster, true);
    for (auto& r : system.cluster.replicas) {
      bool removed = false;
      for (auto& entry : fs::directory_iterator(r.dir, error)) {
        std::string file = entry.path().filename().string();
        if (file == "orders.csv" || file.starts_with("orders.csv.")) {
          removed = fs::remove(entry.path(), error) || removed;
        }
      }
      if (removed) say(fmt::format("removed the orders of {} ({}/orders.csv)", r.name, rel(r.dir)));
    }
  }
  if (fs::is_directory(run.dir, error)) {
    fs::remove_all(run.dir, error);
    say("removed " + rel(run.dir));
  } else {
    say(fmt::format("nothing to clean: {} does not exist", rel(run.dir)));
  }
  return 0;
}

int pidCommand(const Options& o) {
  if (o.names.empty()) usageError("pid needs a NAME");
  auto pid = System().runningPid(o.names[0]);
  if (!pid) return 1;
  fmt::print("{}\n", *pid);
  return 0;
}

}  // namespace jh::launch
