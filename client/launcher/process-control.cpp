// Starting, stopping and signalling the system's processes (process-control.h).
#include "client/launcher/process-control.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "client/launcher/answer-json.h"
#include "client/launcher/process-table.h"
#include "client/launcher/say.h"
#include "client/launcher/subprocess.h"
#include "schema/orders/order.h"

namespace fs = std::filesystem;

namespace jh::launch {

namespace {

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The pane of a tmux window that runs `line`: NAME's own window again (a restart keeps its
// earlier output above), else a new window, else the session itself.
std::string tmuxPane(const System& system, const std::string& name, const std::string& line) {
  const RunFolder& run = system.run;
  std::string pane = firstLine(run.paneFile(name));
  if (!pane.empty() &&
      capture(run.tmux({"respawn-pane", "-k", "-t", pane, line}), 5000).status == 0)
    return pane;
  if (run.tmuxHasSession()) {
    return trimmed(capture(run.tmux({"new-window", "-d", "-t", std::string(TMUX_SESSION) + ":",
                                     "-n", name, "-P", "-F", "#{pane_id}", line}),
                           5000)
                       .out);
  }
  pane = trimmed(capture(run.tmux({"new-session", "-d", "-s", TMUX_SESSION, "-n", name, "-x", "160",
                                   "-y", "48", "-P", "-F", "#{pane_id}", line}),
                         5000)
                     .out);
  // Room for every window's name in the status line of an 80-column terminal; the hint only
  // where there is room to spare.
  capture(run.tmux({"set-option",
                    "-t",
                    TMUX_SESSION,
                    "status-left",
                    "",
                    ";",
                    "set-option",
                    "-gw",
                    "window-status-format",
                    "#I:#W",
                    ";",
                    "set-option",
                    "-gw",
                    "window-status-current-format",
                    "#[reverse]#I:#W#[noreverse]",
                    ";",
                    "set-option",
                    "-t",
                    TMUX_SESSION,
                    "status-right-length",
                    "40",
                    ";",
                    "set-option",
                    "-t",
                    TMUX_SESSION,
                    "status-right",
                    "#{?#{e|>:#{client_width},110}, Ctrl-b n/p: next/previous window ,}"}),
          5000);
  return pane;
}

}  // namespace

void startNode(const System& system, const std::string& name, const std::string& mode,
               const std::string& logLevel) {
  const RunFolder& run = system.run;
  std::string pidFile = run.pidFile(name), log = run.logFile(name);
  bool isClient = system.kind(name) == Kind::CLIENT;
  Argv command = system.command(name, logLevel);
  fs::remove(pidFile);
  Argv runOne{run.root + "/scripts/run-one.sh"};
  if (!isClient) {
    // Logs are appended to across runs: mark where this one begins.
    std::ofstream(log, std::ios::app) << fmt::format(
        "----- {} startup.sh ({}): {}\n", utcTimestampNow(), mode, fmt::join(command, " "));
    if (mode != "background") runOne.insert(runOne.end(), {"--log", log});
  }
  std::string where;
  if (mode == "background") {
    runOne.push_back(pidFile);
    runOne.insert(runOne.end(), command.begin(), command.end());
    spawn(runOne, {.outFile = log}, true);
    where = "in the background";
  } else if (mode == "tmux") {
    std::string go = run.dir + "/tmux-go." + name;
    fs::remove(go);
    runOne.insert(runOne.end(), {"--wait-for", go, pidFile});
    runOne.insert(runOne.end(), command.begin(), command.end());
    std::string pane = tmuxPane(system, name, "exec " + shellQuote(runOne));
    writeFile(run.paneFile(name), pane + "\n");
    // Keep the window after a crash, so that its last words stay readable.
    capture(run.tmux({"set-option", "-w", "-t", pane, "remain-on-exit", "on"}), 5000);
    writeFile(go, "");
    where =
        "in tmux window " +
        trimmed(
            capture(run.tmux({"display-message", "-p", "-t", pane, "#{window_index}"}), 5000).out);
  } else {
    Argv xterm{"xterm", "-title", name, "-hold", "-e"};
    xterm.insert(xterm.end(), runOne.begin(), runOne.end());
    xterm.push_back(pidFile);
    xterm.insert(xterm.end(), command.begin(), command.end());
    pid_t pid = spawn(xterm, {.outFile = run.logFile(name + ".xterm")}, true);
    writeFile(run.pidFile(name + ".xterm"), std::to_string(pid) + "\n");
    where = fmt::format("in an xterm (pid {})", pid);
  }
  say(isClient ? fmt::format("  {:<17} {}", name, where)
               : fmt::format("  {:<17} {}, log {}", name, where, rel(log)));
  bool started = pollUntil(10, [&] { return !firstLine(pidFile).empty(); });
  if (!started) warn(name + " did not start (no pid file after 10 s)");
  fs::remove(run.dir + "/tmux-go." + name);
}

bool waitListening(const System& system, const std::vector<std::string>& names) {
  std::vector<std::string> waiting, dead;
  pollUntil(20, [&] {
    waiting.clear();
    dead.clear();
    for (auto& n : names) {
      if (!system.runningPid(n))
        dead.push_back(n);
      else if (!portListening(system.port(n).value_or(0)))
        waiting.push_back(n);
    }
    return waiting.empty();
  });
  for (auto& n : dead) {
    std::string log = system.run.logFile(n);
    warn(fmt::format("{} exited at start; the end of {}:", n, rel(log)));
    auto lines = capture({"tail", "-n", "15", log}, 5000).out;
    std::string indented;
    for (size_t at = 0; at < lines.size();) {
      size_t end = lines.find('\n', at);
      if (end == std::string::npos) end = lines.size();
      indented += "    " + lines.substr(at, end - at) + "\n";
      at = end + 1;
    }
    fmt::print(stderr, "{}", indented);
  }
  for (auto& n : waiting) {
    warn(fmt::format("{} is running but not listening on port {} yet", n, *system.port(n)));
  }
  return dead.empty();
}

void checkFree(const System& system) {
  std::vector<std::string> running;
  bool problems = false;
  for (auto& name : system.run.pidNames()) {
    if (system.runningPid(name)) {
      running.push_back(name);
      continue;
    }
    auto pid = system.run.recordedPid(name);
    say(fmt::format("removing the stale pid file {} (pid {} is not running, or not ours)",
                    rel(system.run.pidFile(name)), pid ? std::to_string(*pid) : "?"));
    fs::remove(system.run.pidFile(name));
  }
  if (!running.empty()) {
    warn(fmt::format("already running: {}", fmt::join(running, " ")));
    warn("see ./startup.sh status; end them with ./startup.sh stop");
    problems = true;
  }
  for (auto& n : system.servers()) {
    if (std::find(running.begin(), running.end(), n) != running.end()) continue;  // its own port
    for (auto port : {system.port(n), system.httpPort(n)}) {
      if (port && portListening(*port)) {
        warn(fmt::format("port {} of {} is in use by {}", *port, n, portOwner(*port)));
        problems = true;
      }
    }
  }
  if (problems) die("not starting");
}

bool stopNames(const System& system, const std::vector<std::string>& names, bool report) {
  auto tell = [&](const std::string& line) {
    if (report) say(line);
  };
  std::vector<std::pair<std::string, pid_t>> stopping;
  for (auto& name : names) {
    auto pid = system.runningPid(name);
    if (!pid) {
      if (system.run.recordedPid(name)) {
        tell(fmt::format("  {}: not running (removed its pid file)", name));
        fs::remove(system.run.pidFile(name));
      }
      continue;
    }
    stopping.emplace_back(name, *pid);
    if (kill(*pid, SIGTERM) == 0) kill(*pid, SIGCONT);
  }
  double grace = system.run.stopGraceS;
  pollUntil(grace, [&] {
    return std::none_of(stopping.begin(), stopping.end(),
                        [](auto& s) { return pidAlive(s.second); });
  });
  bool allStopped = true;
  for (auto& [name, pid] : stopping) {
    std::string how = "TERM";
    if (pidAlive(pid)) {
      kill(pid, SIGKILL);
      how = fmt::format("KILL after {:g}s", grace);
      pollUntil(1, [&, pid = pid] { return !pidAlive(pid); });
    }
    if (pidAlive(pid)) {
      warn(fmt::format("{} (pid {}) survived SIGKILL: {}", name, pid, procCmdline(pid)));
      allStopped = false;
    } else {
      tell(fmt::format("  stopped {} (pid {}, {})", name, pid, how));
      fs::remove(system.run.pidFile(name));
    }
  }
  return allStopped;
}

Primary findPrimary(const System& system) {
  if (isExecutable(system.bin("jh-client"))) {
    auto answer = capture(
        {system.bin("jh-client"), "--cluster", system.clusterPath, "--json", "status"}, 5000);
    std::string named = textAt(parseAnswer(answer.out), "primary");
    if (system.kind(named) == Kind::REPLICA) return {named, true};
  }
  for (auto& r : system.replicas()) {
    if (system.runningPid(r)) return {r, false};
  }
  die("no primary: the front-end names none and no replica of ours is running");
}

std::string killNode(const System& system, const std::string& given, int signal) {
  std::string name = given, how;
  if (name == "primary") {
    auto primary = findPrimary(system);
    name = primary.name;
    how = primary.named
              ? " (the primary, as the front-end says)"
              : " (the first running replica: the front-end did not say which is primary)";
  }
  if (system.kind(name) == Kind::NONE) {
    die(fmt::format("unknown name '{}' (known: {})", name, system.knownNames()));
  }
  auto pid = system.runningPid(name);
  if (!pid) {
    die(fmt::format("{} is not running (no live pid in {})", name, system.run.pidFile(name)));
  }
  std::string sig = signalName(signal);
  if (kill(*pid, signal) != 0) die(fmt::format("kill -{} {} failed", sig, *pid));
  // Told only once it took effect, so that what runs next (status) sees it.
  if (signal == SIGKILL && !pollUntil(5, [&] { return !pidAlive(*pid); })) {
    die(fmt::format("sent SIGKILL to {}, pid {}, but it still runs", name, *pid));
  }
  if (signal == SIGSTOP && !pollUntil(5, [&] { return procState(*pid) == 'T'; })) {
    die(fmt::format("sent SIGSTOP to {}, pid {}, but it runs on", name, *pid));
  }
  return fmt::format("sent SIG{} to {}, pid {}{}", sig, name, *pid, how);
}

std::string base64(const std::string& bytes) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t group = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) group |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) group |= uint8_t(bytes[i + 2]);
    for (size_t k = 0; k < 4; ++k) {
      out += i + k <= bytes.size() ? digits[(group >> (18 - 6 * k)) & 63] : '=';
    }
  }
  return out;
}

void ensureSecret(const System& system) {
  const std::string& path = system.cluster.secretFile;
  std::error_code error;
  if (path.empty() || fs::exists(path, error)) return;
  fs::create_directories(fs::path(path).parent_path(), error);
  std::string bytes(32, '\0');
  std::ifstream("/dev/urandom", std::ios::binary).read(bytes.data(), 32);
  mode_t old = umask(077);
  writeFile(path, base64(bytes) + "\n");
  umask(old);
  say(fmt::format("created the cluster secret {} (owner-only)", rel(path)));
}

}  // namespace jh::launch
