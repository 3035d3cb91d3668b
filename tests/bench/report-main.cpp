// jh-report: the numbers of scripts/bench.sh (report.h).
//   jh-report run [--cpu NAME=PID]... [--redis CLIENTS REQUESTS] -- COMMAND [ARG...]
//       runs one measurement and prints its result as one JSON line: COMMAND's own JSON line
//       (jh-bench --json, jh-redis-wait), or with --redis redis-benchmark's --csv result in the
//       same shape, plus "cpu_cores": the CPU each named process used during it, and "load" (the
//       command itself), in cores. When COMMAND gives no result: {"failed": 1, "orders_per_s": 0}.
//       Also "switches": each named process's voluntary context switches during it.
//   jh-report per-order LABEL
//       reads such a line on stdin and prints, for comparing builds, each process's µs of CPU
//       and context switches per order (scripts/cpu-per-order.sh).
//   jh-report write --results DIR --out FILE [--many-cores]
//       writes the report of DIR (its *.jsonl, facts.txt and timeline-1ms.csv) into FILE, keeping
//       FILE's other sections, and DIR/timeline-10ms.csv for the plot.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/report.h"

namespace {

const char* USAGE =
    "usage: jh-report run [--cpu NAME=PID]... [--redis CLIENTS REQUESTS] -- COMMAND [ARG...]\n"
    "       jh-report per-order LABEL < RUN_JSON_LINE\n"
    "       jh-report write --results DIR --out FILE [--many-cores]\n";

// utime + stime of a process in clock ticks; -1 when it is gone.
long cpuTicks(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> f; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stol(f);
    if (i == 15) {
      stime = std::stol(f);
      return utime + stime;
    }
  }
  return -1;
}

// Voluntary context switches of all a process's threads; -1 when it is gone.
long switches(const std::string& pid) {
  std::error_code ec;
  long total = -1;
  for (auto& task : std::filesystem::directory_iterator("/proc/" + pid + "/task", ec)) {
    std::ifstream in(task.path() / "status");
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0)
        total = std::max(total, 0L) + std::stol(line.substr(24));
    }
  }
  return total;
}

int run(int argc, char** argv) {
  std::vector<std::pair<std::string, std::string>> watched;  // name, pid
  bool redis = false;
  unsigned clients = 0;
  unsigned long requests = 0;
  int i = 2;
  for (; i < argc && std::string(argv[i]) != "--"; ++i) {
    std::string a = argv[i];
    if (a == "--cpu" && i + 1 < argc) {
      std::string v = argv[++i];
      auto eq = v.find('=');
      if (eq == std::string::npos) throw std::invalid_argument("--cpu NAME=PID, got " + v);
      watched.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (a == "--redis" && i + 2 < argc) {
      redis = true;
      clients = static_cast<unsigned>(std::stoul(argv[++i]));
      requests = std::stoul(argv[++i]);
    } else {
      throw std::invalid_argument("unknown argument " + a);
    }
  }
  if (i + 1 >= argc) throw std::invalid_argument("no command after --");
  std::vector<char*> command(argv + i + 1, argv + argc);
  command.push_back(nullptr);

  std::vector<long> before, switchesBefore;
  for (auto& w : watched) {
    before.push_back(cpuTicks(w.second));
    switchesBefore.push_back(switches(w.second));
  }
  int out[2];
  if (pipe(out) != 0) throw std::runtime_error("pipe failed");
  auto began = std::chrono::steady_clock::now();
  pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execvp(command[0], command.data());
    std::perror(command[0]);
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) != 0;) {
    if (n > 0)
      text.append(buf, static_cast<size_t>(n));
    else if (errno != EINTR)
      break;
  }
  close(out[0]);
  int status = 0;
  rusage usage{};
  while (wait4(child, &status, 0, &usage) < 0 && errno == EINTR) {}
  double wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();

  std::optional<jh::bench::Run> result;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (redis) {
      if (auto r = jh::bench::redisCsvRun(line, clients, requests)) result = r;
    } else if (!result && line.rfind('{', 0) == 0) {
      result = jh::bench::parseRun(line);
    }
  }
  jh::bench::Run r = result ? *result : jh::bench::Run{{"failed", 1}, {"orders_per_s", 0}};
  double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  for (size_t k = 0; k < watched.size(); ++k) {
    long after = cpuTicks(watched[k].second);
    if (before[k] >= 0 && after >= 0)
      r["cpu_cores." + watched[k].first] = (after - before[k]) / hz / wallS;
    long s = switches(watched[k].second);
    if (switchesBefore[k] >= 0 && s >= 0)
      r["switches." + watched[k].first] = static_cast<double>(s - switchesBefore[k]);
  }
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  r["cpu_cores.load"] = (seconds(usage.ru_utime) + seconds(usage.ru_stime)) / wallS;
  r["wall_s"] = wallS;
  std::cout << jh::bench::runJson(r) << std::endl;
  return 0;
}

int perOrder(int argc, char** argv) {
  if (argc != 3) throw std::invalid_argument("per-order LABEL");
  std::string line;
  std::getline(std::cin, line);
  auto r = jh::bench::parseRun(line);
  if (!r) throw std::invalid_argument("no run on stdin: " + line);
  std::cout << jh::bench::perOrderLine(argv[2], *r) << std::endl;
  return 0;
}

int write(int argc, char** argv) {
  std::string results, out;
  bool manyCores = false;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--results" && i + 1 < argc)
      results = argv[++i];
    else if (a == "--out" && i + 1 < argc)
      out = argv[++i];
    else if (a == "--many-cores")
      manyCores = true;
    else
      throw std::invalid_argument("unknown argument " + a);
  }
  if (results.empty() || out.empty())
    throw std::invalid_argument("--results DIR and --out FILE are needed");
  auto timeline = jh::bench::parseTimeline(jh::bench::readWholeFile(results + "/timeline-1ms.csv"));
  std::ofstream(results + "/timeline-10ms.csv") << jh::bench::sumBuckets(timeline, 10);
  auto facts = jh::bench::parseFacts(jh::bench::readWholeFile(results + "/facts.txt"));
  std::string merged = jh::bench::mergeReport(jh::bench::readWholeFile(out),
                                              jh::bench::renderReport(facts, results, manyCores));
  std::ofstream file(out, std::ios::trunc);
  file << merged;
  if (!file.flush()) throw std::runtime_error("cannot write " + out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string what = argc > 1 ? argv[1] : "";
    if (what == "run") return run(argc, argv);
    if (what == "write") return write(argc, argv);
    if (what == "per-order") return perOrder(argc, argv);
    std::cerr << USAGE;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "jh-report: " << e.what() << "\n" << USAGE;
    return 2;
  }
}
