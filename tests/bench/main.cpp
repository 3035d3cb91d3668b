// jh-bench: load against a running cluster's front-end; prints orders/s, latency percentiles and
// errors, and can write the acknowledged and attempted order ids and a timeline of successes.
// With --live it prints a line a second (the failover demonstration's load); --check-acked
// checks afterwards that every acknowledged order is on every replica.
#include <signal.h>

#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "schema/config/cluster-config.h"
#include "schema/orders/csv.h"
#include "schema/orders/order.h"
#include "tests/bench/acked-check.h"
#include "tests/bench/bulk-order.h"
#include "tests/bench/live-report.h"
#include "tests/bench/load-generator.h"

namespace {

constexpr const char* USAGE =
    R"(usage: jh-bench [--cluster F] [--frontend NAME] --clients N --duration SECONDS
                [--mode order|orders|menu] [--door rpc|http] [--threads T] [--max-orders N] [--user-prefix P]
                [--item ITEM] [--postcode PC] [--retry-until-acked] [--timeout-ms MS]
                [--acked-out FILE] [--attempted-out FILE] [--timeline-out FILE] [--bucket-ms MS]
                [--live] [--json]
                (Ctrl-C or TERM ends the run early, with its summary and files; --live prints
                 orders acknowledged, failed and retried each second, and the summary in
                 sentences; --json's document is the same with or without it)
       jh-bench --check-acked FILE [--cluster F] [--wait SECONDS]
                (whether every order id in FILE, as --acked-out wrote them, is in every
                 replica's orders.csv; waits up to SECONDS, default 10, for the replicas to
                 converge; prints "lost 0" or the ids lost; exit 0 only when every replica
                 holds every one)
       jh-bench --write-orders FILE --orders N [--users K] [--origin NAME]
                (writes a valid orders.csv of N orders spread over K users, for start-up and
                 read measurements; users are named bench-0 .. bench-(K-1))
)";

// Writes a valid orders.csv: header, then N orders of one origin with seq 1..N.
int writeOrders(const std::string& path, uint64_t count, uint64_t users,
                const std::string& origin) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::string buffer;
  jh::appendCsvRecord(buffer, jh::orderCsvHeader());
  jh::OrderRecord o = jh::bench::bulkOrder(origin);
  for (uint64_t i = 1; i <= count; ++i) {
    o.orderId = fmt::format("bulk-{:08}", i);
    o.userCode = fmt::format("bench-{}", i % users);
    o.timeStamp =
        fmt::format("2026-01-01T00:{:02}:{:02}.{:03}Z", i / 60000 % 60, i / 1000 % 60, i % 1000);
    o.seq = i;
    jh::appendOrderCsv(buffer, o);
    if (buffer.size() > (1 << 20)) {
      out << buffer;
      buffer.clear();
    }
  }
  out << buffer;
  out.close();
  return out ? 0 : 1;
}

void writeLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path);
  for (auto& l : lines) out << l << '\n';
}

std::atomic<bool> stopRequested{false};

// Ctrl-C or TERM: the clients finish the call under way and the run ends as at its deadline.
void requestStop(int) { stopRequested.store(true); }

void stopOnSignals() {
  struct sigaction action {};
  action.sa_handler = requestStop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

jh::bench::Tally tally(const jh::bench::LiveCounts& c) {
  return {c.acknowledged.load(), c.failed.load(), c.retried.load()};
}

// Prints a live line at the end of every second of the run, until `done` is set.
class LivePrinter {
 public:
  explicit LivePrinter(const jh::bench::LiveCounts& counts)
      : counts_(counts), thread_([this]() { run(); }) {}
  ~LivePrinter() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  void run() {
    auto start = std::chrono::steady_clock::now();
    jh::bench::Tally before;
    std::unique_lock lock(mutex_);
    for (uint64_t second = 1;; ++second) {
      if (wake_.wait_until(lock, start + std::chrono::seconds(second), [this]() { return done_; }))
        return;
      jh::bench::Tally now = tally(counts_);
      std::printf("%s\n", jh::bench::liveLine(second, now, before).c_str());
      std::fflush(stdout);
      before = now;
    }
  }

  const jh::bench::LiveCounts& counts_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;  // last: it starts once the rest is built
};

int checkAckedFile(int argc, char** argv) {
  std::optional<std::string> cluster;
  std::string file;
  double waitS = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--check-acked")
      file = argv[i + 1];
    else if (a == "--cluster")
      cluster = argv[i + 1];
    else if (a == "--wait")
      waitS = std::stod(argv[i + 1]);
    else {
      std::cerr << USAGE;
      return 2;
    }
  }
  std::ifstream in(file);
  if (file.empty() || argc % 2 == 0 || !in) {
    std::cerr << (in || file.empty() ? std::string() : "jh-bench: cannot read " + file + "\n")
              << USAGE;
    return 2;
  }
  std::vector<std::string> ids;
  for (std::string line; std::getline(in, line);) ids.push_back(line);
  try {
    auto config = jh::loadClusterConfig(jh::chooseClusterPath(cluster, argv[0]));
    auto check = jh::bench::checkAckedWithin(config.replicas, ids, waitS);
    std::cout << jh::bench::ackedReport(check) << std::flush;
    return check.onEveryReplica() ? 0 : 1;
  } catch (const jh::ConfigError& e) {
    std::cerr << "jh-bench: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--write-orders") {
    std::string path, origin = "replica.server1";
    uint64_t count = 0, users = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
      std::string a = argv[i];
      if (a == "--write-orders")
        path = argv[i + 1];
      else if (a == "--orders")
        count = std::stoull(argv[i + 1]);
      else if (a == "--users")
        users = std::stoull(argv[i + 1]);
      else if (a == "--origin")
        origin = argv[i + 1];
      else {
        std::cerr << USAGE;
        return 2;
      }
    }
    if (path.empty() || count == 0 || users == 0) {
      std::cerr << USAGE;
      return 2;
    }
    return writeOrders(path, count, users, origin);
  }
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--check-acked") return checkAckedFile(argc, argv);
  }
  jh::bench::LoadOptions o;
  std::optional<std::string> cluster;
  std::string frontend, ackedOut, attemptedOut, timelineOut;
  bool json = false, live = false;
  bool haveClients = false, haveDuration = false;
  uint32_t bucketMs = 50;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      auto next = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        return argv[++i];
      };
      if (a == "--cluster")
        cluster = next();
      else if (a == "--frontend")
        frontend = next();
      else if (a == "--clients") {
        o.clients = std::stoul(next());
        haveClients = true;
      } else if (a == "--duration") {
        o.durationS = std::stod(next());
        haveDuration = true;
      } else if (a == "--threads")
        o.threads = std::stoul(next());
      else if (a == "--max-orders")
        o.maxOrders = std::stoull(next());
      else if (a == "--user-prefix")
        o.userPrefix = next();
      else if (a == "--item")
        o.item = next();
      else if (a == "--postcode")
        o.postcode = next();
      else if (a == "--timeout-ms")
        o.callTimeoutMs = std::stoul(next());
      else if (a == "--retry-until-acked")
        o.retryUntilAcked = true;
      else if (a == "--acked-out")
        ackedOut = next();
      else if (a == "--attempted-out")
        attemptedOut = next();
      else if (a == "--timeline-out")
        timelineOut = next();
      else if (a == "--bucket-ms")
        bucketMs = std::stoul(next());
      else if (a == "--json")
        json = true;
      else if (a == "--door") {
        std::string d = next();
        if (d == "rpc")
          o.door = jh::bench::Door::RPC;
        else if (d == "http")
          o.door = jh::bench::Door::HTTP;
        else
          throw std::invalid_argument("unknown door " + d);
      } else if (a == "--live")
        live = true;
      else if (a == "--mode") {
        std::string m = next();
        if (m == "order")
          o.mode = jh::bench::Mode::ORDER;
        else if (m == "orders")
          o.mode = jh::bench::Mode::ORDERS;
        else if (m == "menu")
          o.mode = jh::bench::Mode::MENU;
        else
          throw std::invalid_argument("unknown mode " + m);
      } else
        throw std::invalid_argument("unknown option " + a);
    }
    if (!haveClients || !haveDuration || o.clients == 0 || o.durationS <= 0 || bucketMs == 0) {
      throw std::invalid_argument("--clients N (> 0) and --duration SECONDS (> 0) are required");
    }
  } catch (const std::exception& e) {
    std::cerr << "jh-bench: " << e.what() << "\n" << USAGE;
    return 2;
  }

  try {
    auto config = jh::loadClusterConfig(jh::chooseClusterPath(cluster, argv[0]));
    const jh::NodeConfig* fe = frontend.empty()
                                   ? (config.frontends.empty() ? nullptr : &config.frontends[0])
                                   : config.findFrontend(frontend);
    if (!fe) {
      std::cerr << "jh-bench: " << config.path << ": no such front-end\n";
      return 2;
    }
    o.frontendAddress = o.door == jh::bench::Door::HTTP ? fe->http : fe->address;
    if (o.frontendAddress.empty()) {
      std::cerr << "jh-bench: " << config.path << ": " << fe->name << " has no http address\n";
      return 2;
    }
  } catch (const jh::ConfigError& e) {
    std::cerr << "jh-bench: " << e.what() << "\n";
    return 2;
  }

  stopOnSignals();
  o.stop = &stopRequested;
  jh::bench::LiveCounts counts;
  o.live = &counts;
  jh::bench::LoadResult result;
  {
    std::optional<LivePrinter> printer;
    if (live) printer.emplace(counts);
    result = jh::bench::runLoad(o);
  }
  auto s = jh::bench::summarise(result);
  if (!ackedOut.empty()) writeLines(ackedOut, result.acked);
  if (!attemptedOut.empty()) writeLines(attemptedOut, result.attempted);
  if (!timelineOut.empty()) {
    // One row per bucket: its start, successes in it, and the worst latency among them.
    std::ofstream out(timelineOut);
    out << "t_ms,ok,max_latency_ms\n";
    int64_t bucketUs = int64_t(bucketMs) * 1000;
    int64_t last = static_cast<int64_t>(result.elapsedS * 1e6) / bucketUs;
    size_t k = 0;
    for (int64_t b = 0; b <= last; ++b) {
      uint64_t ok = 0;
      uint32_t worst = 0;
      while (k < result.successes.size() && result.successes[k].atUs / bucketUs == b) {
        ++ok;
        worst = std::max(worst, result.successes[k].latencyUs);
        ++k;
      }
      out << b * bucketMs << ',' << ok << ',' << fmt::format("{:.3f}", worst / 1000.0) << '\n';
    }
  }
  const char* mode = o.mode == jh::bench::Mode::ORDER    ? "order"
                     : o.mode == jh::bench::Mode::ORDERS ? "orders"
                                                         : "menu";
  if (json) {
    fmt::print(
        "{{\"mode\":\"{}\",\"door\":\"{}\",\"clients\":{},\"duration_s\":{:.3f},\"ops\":{},"
        "\"orders_per_s\":{:.1f},"
        "\"p50_ms\":{:.3f},\"p99_ms\":{:.3f},\"p999_ms\":{:.3f},\"max_ms\":{:.3f},"
        "\"longest_gap_ms\":{:.3f},\"errors\":{},\"attempted\":{},\"acknowledged\":{}}}\n",
        mode, o.door == jh::bench::Door::HTTP ? "http" : "rpc", o.clients, result.elapsedS,
        result.successes.size(), s.opsPerS, s.p50Ms, s.p99Ms, s.p999Ms, s.maxMs, s.longestGapMs,
        result.errors, result.attempted.size(), result.acked.size());
  } else if (live) {
    std::set<std::string> acked(result.acked.begin(), result.acked.end());
    uint64_t unanswered = 0;
    for (auto& id : result.attempted) unanswered += acked.count(id) == 0;
    fmt::print(
        "{}\nLatency: p50 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms.\n"
        "The longest time without an acknowledgement: {:.1f} ms.\n",
        jh::bench::liveSummary(result.elapsedS, tally(counts), unanswered), s.p50Ms, s.p99Ms,
        s.maxMs, s.longestGapMs);
    if (!ackedOut.empty()) fmt::print("The acknowledged order ids are in {}.\n", ackedOut);
  } else {
    fmt::print(
        "{} ({}) x {} clients for {:.1f} s: {} ok, {:.0f}/s, p50 {:.3f} ms, p99 {:.3f} ms, "
        "p99.9 {:.3f} ms, max {:.3f} ms, longest gap {:.1f} ms, {} errors\n",
        mode, o.door == jh::bench::Door::HTTP ? "http" : "rpc", o.clients, result.elapsedS,
        result.successes.size(), s.opsPerS, s.p50Ms, s.p99Ms, s.p999Ms, s.maxMs, s.longestGapMs,
        result.errors);
  }
  return result.successes.empty() ? 3 : 0;
}
