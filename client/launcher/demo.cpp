// The failover demonstration under continuous load (scripts/demo-failover.sh): starts the system
// and clients that keep ordering, kills the primary with kill -9, waits for a new primary,
// restarts the killed replica until it has taken over again, stops the load and checks every
// acknowledged order on every replica ("lost 0"). In the background its steps are interleaved
// with the load's lines and the front-end's timeline; in tmux they run in one window of panes,
// the steps in the first (this program again, with --in-pane), which waits for Enter at the end.
// Also the load on its own (scripts/demo-load.sh).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "client/launcher/commands.h"
#include "client/launcher/demo-readings.h"
#include "client/launcher/process-control.h"
#include "client/launcher/process-table.h"
#include "client/launcher/say.h"
#include "client/launcher/system.h"

namespace fs = std::filesystem;

namespace jh::launch {

namespace {

constexpr int STEPS = 6;

std::string clockNow() {
  std::time_t now = std::time(nullptr);
  char text[16];
  std::strftime(text, sizeof text, "%H%M%S", std::localtime(&now));
  return text;
}

int64_t nowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::atomic<bool> interrupted{false};

// jh-bench as the demonstration's load: `clients` users named `users`-0…, each retrying an order
// with the same id until acknowledged, a line a second, the acknowledged ids in `ackedOut`.
Argv loadArgv(const System& system, unsigned clients, const std::string& ackedOut,
              const std::string& users) {
  return {system.bin("jh-bench"),
          "--cluster",
          system.clusterPath,
          "--clients",
          std::to_string(clients),
          "--duration",
          "86400",
          "--retry-until-acked",
          "--live",
          "--acked-out",
          ackedOut,
          "--user-prefix",
          users};
}

// Runs `argv` and prints each line of its output with `prefix` (its errors too, with
// `mergeErrors`); returns its exit status.
int runPrefixed(const Argv& argv, const std::string& prefix, bool mergeErrors = false) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) die("cannot make a pipe");
  pid_t pid = spawn(argv, {.out = fds[1], .err = mergeErrors ? fds[1] : 2}, false);
  close(fds[1]);
  FILE* out = fdopen(fds[0], "r");
  char* line = nullptr;
  size_t size = 0;
  ssize_t n;
  while ((n = getline(&line, &size, out)) > 0) {
    std::string_view text(line, size_t(n));
    if (text.back() == '\n') text.remove_suffix(1);
    say(prefix + std::string(text));
  }
  std::free(line);
  std::fclose(out);
  return waitFor(pid);
}

class Demonstration {
 public:
  explicit Demonstration(const Options& o)
      : o_(o), colour_(useColour()), inPane_(o.inPane.has_value()), started_(inPane_),
        step_(inPane_ ? 1 : 0), pause_(o.pause.value_or(isatty(1) ? 2 : 0)) {}

  int run() {
    int rc = 0;
    try {
      rc = inPane_ ? runSteps() : runWhole();
    } catch (const LaunchError& e) {
      warn(e.what());
      rc = e.status;
    } catch (const std::exception& e) {
      // Unexpected (a folder it cannot write): what was started is stopped all the same.
      warn(e.what());
      rc = 1;
    }
    return finish(rc);
  }

 private:
  Options o_;
  System system_;
  bool colour_;
  bool inPane_;
  bool started_;  // whatever started is stopped at the end
  int step_;
  double pause_;
  bool detached_ = false;
  std::string demo_;  // this run's load and timeline output, their pids, the acknowledged ids
  std::string firstReplica_;
  std::vector<std::thread> prefixers_;

  void step(const std::string& what) {
    if (++step_ > 1) sleepMs(int(pause_ * 1000));
    say("\n" + paint(colour_, "1", fmt::format("Step {}/{}: {}", step_, STEPS, what)));
  }
  void note(const std::string& text) { say("  " + text); }
  void good(const std::string& text) { say("  " + paint(colour_, "32", text)); }

  // `jh-client ARGS` against the cluster: its output ("" when it did not answer in 15 s).
  std::string client(const Argv& args) {
    Argv argv{system_.bin("jh-client"), "--cluster", system_.clusterPath};
    argv.insert(argv.end(), args.begin(), args.end());
    return capture(argv, 15000).out;
  }
  std::string status() { return client({"--json", "status"}); }
  std::string loadOutput() { return readFile(demo_ + "/load.out"); }

  // Waits until the load has printed one more per-second line than it had: a second of orders.
  void anotherSecond() {
    size_t had = secondsOfLoad(loadOutput());
    if (!pollUntil(10, [&] { return secondsOfLoad(loadOutput()) > had; })) {
      std::string out = loadOutput();
      size_t from = out.size();
      for (int n = 0; n < 4 && from > 0 && from != std::string::npos; ++n) {
        from = out.rfind('\n', from - 1);
      }
      die("the load printed nothing for 10 s: " + out.substr(from == std::string::npos ? 0 : from));
    }
  }

  // The load and the timeline, as run-one.sh commands (a pid file each; the load's output kept).
  Argv loadCommand() {
    Argv argv{system_.run.root + "/scripts/run-one.sh", "--log", demo_ + "/load.out",
              demo_ + "/load.pid"};
    Argv load = loadArgv(system_, o_.clients, demo_ + "/acked.txt", "demo-" + clockNow());
    argv.insert(argv.end(), load.begin(), load.end());
    return argv;
  }
  Argv timelineCommand() {
    return {system_.run.root + "/scripts/run-one.sh",
            demo_ + "/events.pid",
            system_.bin("jh-client"),
            "--cluster",
            system_.clusterPath,
            "events",
            "--follow"};
  }

  // Ends the load or the timeline ("load", "events") by its pid: jh-bench writes its summary then.
  void endPart(const std::string& part, int signal) {
    auto pid = pidIn(demo_ + "/" + part + ".pid");
    if (!pid) return;
    if (pidAlive(*pid) && procCmdline(*pid).find("jh-") != std::string::npos) kill(*pid, signal);
    pollUntil(15, [&] { return !pidAlive(*pid); });
  }

  void startPrefixed(Argv argv, std::string prefix) {
    prefixers_.emplace_back(
        [argv = std::move(argv), prefix = std::move(prefix)] { runPrefixed(argv, prefix, true); });
  }

  std::string startup() { return system_.run.root + "/startup.sh"; }

  void prepare() {
    system_.run.dir = fs::weakly_canonical(system_.run.dir).string();
    demo_ = system_.run.dir + "/demo";
    system_.loadCluster(o_.cluster, false);
    system_.loadBinDir(true);
    firstReplica_ = system_.replicas().front();
    say(paint(colour_, "1", "Just Hungry: the failover demonstration"));
    note("One front-end routes orders to the primary replica; the backups hold copies.");
    note(fmt::format(
        "We kill the primary with kill -9 while {} clients keep ordering, and bring it back.",
        o_.clients));
  }

  int runSteps() {
    prepare();
    note(fmt::format("Step 1/{} started the system: every replica is READY; the primary is {}.",
                     STEPS, firstReplica_));
    demoSteps();
    return 0;
  }

  // Steps 2 to 6, the same in every mode; in tmux mode they run in the window's first pane.
  void demoSteps() {
    step(
        fmt::format("orders keep coming: {} clients, each retrying an order with the same id "
                    "until acknowledged",
                    o_.clients));
    anotherSecond();
    good("Orders are acknowledged every second: the load's lines, t=1s, t=2s…");

    step("kill -9 the primary while orders keep coming");
    std::string killed = primaryIn(status());
    if (killed.empty()) die("the front-end names no primary");
    int64_t began = nowMs();
    note(killNode(system_, "primary", SIGKILL));
    std::string now;
    if (!pollUntil(15, [&] { return !(now = primaryIn(status())).empty() && now != killed; })) {
      die("no new primary 15 s after the kill");
    }
    auto gap = failoverGapMs(client({"--json", "events"}), killed, began);
    good(fmt::format(
        "{} took over{}.", now,
        gap ? fmt::format(" {} ms after the front-end saw {} down", *gap, killed) : ""));
    anotherSecond();

    step(fmt::format("restart {}: it catches up, then takes over again", killed));
    if (runToEnd({startup(), "restart", killed}, {.out = devNull()}) != 0) {
      die("./startup.sh restart " + killed + " failed");
    }
    began = nowMs();
    std::string last;
    bool back = pollUntil(30, [&] {
      std::string seen = replicaView(status(), killed);
      if (!seen.empty() && seen != last) note(killed + ": " + seen);
      if (!seen.empty()) last = seen;
      return seen == "primary, READY";
    });
    if (!back) die(fmt::format("{} is '{}' after 30 s, not the primary", killed, last));
    good(fmt::format("{} caught up and took over again, {} ms after its restart.", killed,
                     nowMs() - began));
    anotherSecond();

    step("stop the load");
    endPart("load", SIGINT);
    std::optional<std::string> summary;
    if (!pollUntil(5, [&] { return (summary = loadSummary(loadOutput())).has_value(); })) {
      die("the load did not say what it did");
    }
    good("The load stopped: " + *summary);

    step("check every acknowledged order on every replica");
    int rc = runPrefixed({system_.bin("jh-bench"), "--cluster", system_.clusterPath,
                          "--check-acked", demo_ + "/acked.txt", "--wait", "15"},
                         "  ");
    if (!inPane_) {
      note("The front-end's timeline of this run:");
      runPrefixed(
          {"timeout", "15", system_.bin("jh-client"), "--cluster", system_.clusterPath, "events"},
          "  ");
    }
    if (rc != 0) die("an acknowledged order is missing: see above");
    say("\n" +
        paint(colour_, "1;32",
              "The demonstration succeeded: lost 0, while the primary was killed under load."));
  }

  static int devNull() {
    static int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    return fd;
  }

  int runWhole() {
    prepare();
    step(fmt::format("start the system ({})", o_.mode));
    for (auto& name : system_.run.pidNames()) {
      if (system_.runningPid(name))
        die("the system is already running: stop it first (./startup.sh stop)");
    }
    int rc = runPrefixed(
        {startup(), "start", "--mode", o_.mode, "--cluster", system_.clusterPath, "--no-attach"},
        "    ", true);
    started_ = true;
    if (rc != 0) die("./startup.sh could not start the system: see above");
    system_.loadBinDir(true);
    if (!isExecutable(system_.bin("jh-bench"))) {
      die(system_.bin("jh-bench") + " is missing: cmake --build build --target jh-bench");
    }
    note(fmt::format("Waiting until every replica is READY and {} is primary...", firstReplica_));
    if (!pollUntil(30, [&] { return settledOn(status(), firstReplica_); })) {
      die("the replicas did not settle within 30 s: " + client({"status"}));
    }
    good(fmt::format("Every replica is READY; the primary is {}.", firstReplica_));
    fs::remove_all(demo_);
    fs::create_directories(demo_);
    if (o_.mode == "tmux") return runInTmux();
    startPrefixed(loadCommand(), "    load | ");
    startPrefixed(timelineCommand(), " cluster | ");
    demoSteps();
    return 0;
  }

  // One window of four panes: the steps, the load, the timeline and ./startup.sh watch.
  int runInTmux() {
    const RunFolder& run = system_.run;
    auto paneCommand = [&](const Argv& argv) {
      return "exec env " + shellQuote({"JH_RUN_DIR=" + run.dir}) + " " + shellQuote(argv);
    };
    auto tmux = [&](const Argv& args) {
      std::string out = capture(run.tmux(args), 5000).out;
      return out.substr(0, out.find('\n'));
    };
    Argv steps{run.root + "/scripts/demo-failover.sh",
               "--in-pane",
               std::to_string(getpid()),
               "--cluster",
               system_.clusterPath,
               "--clients",
               std::to_string(o_.clients),
               "--pause",
               fmt::format("{:g}", pause_)};
    if (o_.keep) steps.push_back("--keep");
    // Left: the steps above the timeline; right: the load above the status.
    std::string stepsPane = tmux({"new-window", "-d", "-t", std::string(TMUX_SESSION) + ":", "-n",
                                  "demo", "-P", "-F", "#{pane_id}", paneCommand(steps)});
    std::string load = tmux({"split-window", "-h", "-d", "-t", stepsPane, "-P", "-F", "#{pane_id}",
                             paneCommand(loadCommand())});
    std::string timeline = tmux({"split-window", "-v", "-d", "-t", stepsPane, "-P", "-F",
                                 "#{pane_id}", paneCommand(timelineCommand())});
    std::string watch = tmux({"split-window", "-v", "-d", "-t", load, "-P", "-F", "#{pane_id}",
                              paneCommand({startup(), "watch"})});
    tmux({"set-option",
          "-w",
          "-t",
          stepsPane,
          "remain-on-exit",
          "on",
          ";",
          "set-option",
          "-w",
          "-t",
          stepsPane,
          "pane-border-status",
          "top",
          ";",
          "set-option",
          "-w",
          "-t",
          stepsPane,
          "pane-border-format",
          " #{pane_title} ",
          ";",
          "select-pane",
          "-t",
          stepsPane,
          "-T",
          "the steps",
          ";",
          "select-pane",
          "-t",
          load,
          "-T",
          "the load: orders each second",
          ";",
          "select-pane",
          "-t",
          timeline,
          "-T",
          "the timeline: jh-client events --follow",
          ";",
          "select-pane",
          "-t",
          watch,
          "-T",
          "./startup.sh watch",
          ";",
          "select-pane",
          "-t",
          stepsPane,
          ";",
          "select-window",
          "-t",
          stepsPane});
    std::string result = demo_ + "/result";
    if (isatty(0) && isatty(1) && std::getenv("TMUX") == nullptr) {
      note(
          "Attaching to tmux: the demonstration runs in the window 'demo'; Ctrl-b d leaves it "
          "running.");
      runToEnd(run.tmux({"attach", "-t", TMUX_SESSION}), {.in = 0});
    } else {
      note("The demonstration runs in tmux, window 'demo': " + run.tmuxAttachCommand() +
           "; Enter there ends it.");
      pollUntil(86400, [&] { return !firstLine(result).empty() || !run.tmuxHasSession(); });
    }
    if (firstLine(result).empty()) {
      started_ = false;
      if (!run.tmuxHasSession()) die("the tmux session ended before the demonstration did");
      detached_ = true;
      note("Detached: the demonstration runs on (" + run.tmuxAttachCommand() +
           "); Enter in its window ends it.");
      return 0;
    }
    int rc = 1;
    std::sscanf(firstLine(result).c_str(), "%d %d", &rc, &step_);
    if (rc == 0) good("The demonstration succeeded: lost 0 (its steps are in the tmux window).");
    return rc;
  }

  int finish(int rc) {
    setStopFlag(nullptr);  // what was started is stopped, whatever signal came
    if (!inPane_ && !detached_ && !demo_.empty()) {
      endPart("load", SIGTERM);
      endPart("events", SIGTERM);
    }
    for (auto& t : prefixers_) t.join();
    if (rc != 0 && step_ > 0) {
      std::fflush(stdout);
      fmt::print(
          stderr, "\n{}\n",
          paint(colour_, "1;31", fmt::format("The demonstration FAILED at step {}.", step_)));
      if (inPane_ || started_) {
        fmt::print(stderr, "  The end of the servers' logs:\n");
        std::fflush(stderr);
        runToEnd({startup(), "logs", "-n", "15"}, {.out = 2, .err = devNull()});
      }
    }
    if (inPane_) {
      fmt::print("\nPress Enter to {}. ",
                 o_.keep ? "leave; the system keeps running" : "stop the system");
      std::fflush(stdout);
      std::string line;
      std::getline(std::cin, line);
      writeFile(demo_ + "/result", fmt::format("{} {}\n", rc, step_));
      // The outer demonstration, attached or waiting, stops the system; if the person left it, do
      // it here (in a session of its own: the stop closes this pane's).
      if (pidAlive(*o_.inPane)) {
        capture(system_.run.tmux({"detach-client", "-s", TMUX_SESSION}), 5000);
      } else if (!o_.keep) {
        spawn({startup(), "stop"}, {.out = devNull(), .err = devNull()}, true);
      }
    } else if (started_ && !o_.keep) {
      say("");
      note("Stopping the system (--keep leaves it running).");
      if (runToEnd({startup(), "stop"}, {.out = devNull(), .err = devNull()}) != 0) {
        warn("./startup.sh stop failed: run it again");
      }
    } else if (started_) {
      note("The system keeps running: ./startup.sh status, ./startup.sh stop");
    }
    return rc;
  }
};

}  // namespace

int demoCommand(const Options& options) {
  // Ctrl-C or TERM ends the demonstration at its next wait, which then stops what it started.
  auto stop = [](int) { interrupted = true; };
  for (int s : {SIGINT, SIGTERM, SIGHUP}) signal(s, stop);
  setStopFlag(&interrupted);
  return Demonstration(options).run();
}

int loadCommand(const Options& o) {
  System system;
  system.loadCluster(o.cluster, true);
  system.loadBinDir(true);
  std::string bench = system.bin("jh-bench");
  if (!isExecutable(bench)) die(bench + " is not built: ./startup.sh builds it");
  std::string users = "load-" + clockNow();
  std::string acked = system.run.dir + "/load/" + users + ".acked";
  fs::create_directories(system.run.dir + "/load");
  say(fmt::format(
      "{} clients ordering as users {}-0… (Ctrl-C stops them); acknowledged ids go to {}",
      o.clients, users, rel(acked)));
  // Ctrl-C reaches jh-bench too, which stops after the calls under way and writes its summary;
  // then the check runs.
  signal(SIGINT, SIG_IGN);
  runToEnd(loadArgv(system, o.clients, acked, users), {.in = 0});
  return runToEnd({bench, "--cluster", system.clusterPath, "--check-acked", acked});
}

}  // namespace jh::launch
