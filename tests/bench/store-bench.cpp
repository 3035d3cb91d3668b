// jh-store-bench: applies N orders, one at a time, to a replica's in-memory OrderStore (as the
// replica's event loop does for each durable row) and reports the longest single apply, the
// longest gap between two applies and the memory per order: whether the store ever stops the
// world to grow (docs/benchmarks.md, "No stop-the-world pauses").
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "replica/order-store.h"
#include "tests/bench/bulk-order.h"

namespace {

constexpr const char* USAGE = R"(usage: jh-store-bench [--orders N] [--users K] [--json]
       (applies N orders, default 20000000, of K users, default 64, to an OrderStore; prints the
        longest apply (max_ms), the longest gap between two applies, the ten longest with the
        row count at which they happened, the longest in CPU time, and resident memory per order)
)";

// Resident and peak resident bytes of this process, from /proc/self/status.
std::pair<uint64_t, uint64_t> residentBytes() {
  FILE* f = fopen("/proc/self/status", "r");
  uint64_t rss = 0, hwm = 0;
  if (!f) return {0, 0};
  char line[256];
  while (fgets(line, sizeof line, f)) {
    unsigned long long kb = 0;
    if (sscanf(line, "VmRSS: %llu kB", &kb) == 1) rss = kb * 1024;
    if (sscanf(line, "VmHWM: %llu kB", &kb) == 1) hwm = kb * 1024;
  }
  fclose(f);
  return {rss, hwm};
}

// This thread's CPU time: unlike the wall clock, it leaves out the time another process held the
// core (the machines measured are shared), and counts the page faults of the thread's own work.
double threadCpuMs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double msBetween(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t count = 20000000, users = 64;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--orders" && i + 1 < argc) {
      count = std::stoull(argv[++i]);
    } else if (a == "--users" && i + 1 < argc) {
      users = std::max<uint64_t>(1, std::stoull(argv[++i]));
    } else if (a == "--json") {
      json = true;
    } else {
      fputs(USAGE, stderr);
      return 2;
    }
  }

  jh::OrderRecord o = jh::bench::bulkOrder("replica.server1");
  o.incarnation = 1;
  std::vector<std::string> userCodes;
  for (uint64_t u = 0; u < users; ++u) userCodes.push_back(fmt::format("bench-{}", u));

  auto [rssBefore, hwmBefore] = residentBytes();
  (void)hwmBefore;
  jh::OrderStore store;
  using Clock = std::chrono::steady_clock;
  struct Slow {
    double ms;
    uint64_t at;
  };
  std::vector<Slow> slowest;  // the ten longest applies
  double maxGap = 0, total = 0, maxCpu = 0;
  uint64_t maxCpuAt = 0;
  uint64_t over1 = 0, over10 = 0;
  auto start = Clock::now();
  auto lastEnd = start;
  for (uint64_t i = 1; i <= count; ++i) {
    // A UUID-shaped order id (36 characters, as jh-bench sends) and a time stamp that grows.
    o.orderId = fmt::format("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                            static_cast<uint32_t>(i * 2654435761u), i & 0xffff, (i >> 16) & 0xfff,
                            (i >> 28) & 0xfff, i * 0x9e3779b97f4aull & 0xffffffffffffull);
    o.userCode = userCodes[i % users];
    uint64_t ms = i / 4;
    o.timeStamp = fmt::format("2026-12-05T{:02}:{:02}:{:02}.{:03}Z", ms / 3600000 % 24,
                              ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
    o.seq = i;
    auto before = Clock::now();
    double cpuBefore = threadCpuMs();
    store.apply(o);
    double cpu = threadCpuMs() - cpuBefore;
    auto after = Clock::now();
    double took = msBetween(before, after);
    if (cpu > maxCpu) {
      maxCpu = cpu;
      maxCpuAt = i;
    }
    maxGap = std::max(maxGap, msBetween(lastEnd, after));
    lastEnd = after;
    total += took;
    over1 += took > 1;
    over10 += took > 10;
    if (slowest.size() < 10 || took > slowest.back().ms) {
      if (slowest.size() == 10) slowest.pop_back();
      slowest.push_back({took, i});
      std::sort(slowest.begin(), slowest.end(),
                [](const Slow& a, const Slow& b) { return a.ms > b.ms; });
    }
  }
  double seconds = msBetween(start, Clock::now()) / 1000;
  auto [rssAfter, hwmAfter] = residentBytes();
  double perOrder = static_cast<double>(rssAfter - rssBefore) / static_cast<double>(count);
  double peakPerOrder = static_cast<double>(hwmAfter - rssBefore) / static_cast<double>(count);
  if (store.rows() != count) {
    fmt::print(stderr, "jh-store-bench: the store holds {} rows, not {}\n", store.rows(), count);
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);  // how often another process took the core: wall-clock outliers
  std::string top;
  for (auto& s : slowest) top += fmt::format("{}{:.3f}@{}", top.empty() ? "" : " ", s.ms, s.at);
  if (json) {
    fmt::print(
        "{{\"orders\":{},\"users\":{},\"seconds\":{:.2f},\"mean_us\":{:.3f},\"max_ms\":{:.3f},"
        "\"longest_gap_ms\":{:.3f},\"max_cpu_ms\":{:.3f},\"max_cpu_at\":{},\"over_1ms\":{},\"over_"
        "10ms\":{},\"bytes_per_order\":{:.1f},"
        "\"peak_bytes_per_order\":{:.1f},\"preempted\":{},\"slowest\":\"{}\"}}\n",
        count, users, seconds, total * 1000 / static_cast<double>(count), slowest.front().ms,
        maxGap, maxCpu, maxCpuAt, over1, over10, perOrder, peakPerOrder, usage.ru_nivcsw, top);
  } else {
    fmt::print("{} orders of {} users in {:.2f} s ({:.3f} us per apply)\n", count, users, seconds,
               total * 1000 / static_cast<double>(count));
    fmt::print(
        "longest apply {:.3f} ms, longest gap {:.3f} ms; {} applies over 1 ms, {} over 10 ms\n",
        slowest.front().ms, maxGap, over1, over10);
    fmt::print("slowest (ms@rows): {}\n", top);
    fmt::print("longest apply in this thread's CPU time {:.3f} ms, at row {}\n", maxCpu, maxCpuAt);
    fmt::print("resident {:.1f} bytes/order at the end, peak {:.1f}; preempted {} times\n",
               perOrder, peakPerOrder, usage.ru_nivcsw);
  }
  return 0;
}
