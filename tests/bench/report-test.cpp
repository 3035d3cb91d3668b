// jh-report's numbers and its writing of docs/benchmarks.md, in-process: medians, ratios, the
// failover timeline's gaps, redis-benchmark's CSV, and the merge that keeps others' sections.
#include <doctest/doctest.h>

#include "tests/bench/report.h"
#include "tests/schema/temp-dir.h"

namespace jh::bench {

TEST_CASE("a jh-bench JSON line becomes a run, nested CPU figures included, and is written back") {
  auto run = parseRun(
      R"({"mode":"order","clients":16,"orders_per_s":812.5,"cpu_cores":{"primary":0.25}})");
  REQUIRE(run);
  CHECK(field(*run, "orders_per_s") == 812.5);
  CHECK(field(*run, "cpu_cores.primary") == 0.25);
  CHECK(field(*run, "mode") == 0);  // strings are left out
  CHECK(runJson(*run) == R"({"clients":16,"orders_per_s":812.500,"cpu_cores":{"primary":0.250}})");
  CHECK_FALSE(parseRun("not json"));
  CHECK_FALSE(parseRun("[1, 2]"));
}

TEST_CASE("the median run is the middle one by orders/s, the lower middle of an even count") {
  std::vector<Run> runs = {{{"orders_per_s", 300}, {"p99_ms", 3}},
                           {{"orders_per_s", 100}, {"p99_ms", 1}},
                           {{"orders_per_s", 200}, {"p99_ms", 2}}};
  CHECK(field(medianRun(runs), "p99_ms") == 2);
  runs.push_back({{"orders_per_s", 400}, {"p99_ms", 4}});
  CHECK(field(medianRun(runs), "p99_ms") == 2);
  CHECK(medianRun({}).empty());
}

TEST_CASE("CPU per order is each process's cores over the measured time, by the orders placed") {
  Run run = {{"clients", 64},        {"orders_per_s", 2000},     {"ops", 10000},
             {"wall_s", 5},          {"cpu_cores.primary", 0.5}, {"switches.primary", 19000},
             {"cpu_cores.load", 0.2}};
  CHECK(perOrderLine("ours  ", run) ==
        "ours   64 client(s): 2,000 orders/s; µs of CPU (context switches) per order: load 100.0 "
        "primary 250.0 (1.9)");
}

TEST_CASE("ratios, verdicts and grouped numbers read as the report prints them") {
  CHECK(ratio(2818, 6296) == "0.45");
  CHECK(ratio(5, 0) == "—");
  CHECK(verdict(true) == "met");
  CHECK(verdict(false) == "**not met**");
  CHECK(grouped(26047.4) == "26,047");
  CHECK(grouped(999) == "999");
  CHECK(grouped(1000000) == "1,000,000");
  CHECK(fixed(0.31049, 3) == "0.310");
}

TEST_CASE("redis-benchmark's CSV result becomes a run like jh-bench's, its header does not") {
  auto run = redisCsvRun(R"("RPUSH","6296.28","2.5","0.1","0.151","0.3","0.431","12.2")", 1, 31000);
  REQUIRE(run);
  CHECK(field(*run, "orders_per_s") == doctest::Approx(6296.28));
  CHECK(field(*run, "p50_ms") == doctest::Approx(0.151));
  CHECK(field(*run, "p99_ms") == doctest::Approx(0.431));
  CHECK(field(*run, "max_ms") == doctest::Approx(12.2));
  CHECK(field(*run, "clients") == 1);
  CHECK_FALSE(redisCsvRun(R"("test","rps","avg_latency_ms","min","p50","p95","p99","max")", 1, 1));
  CHECK_FALSE(redisCsvRun("", 1, 1));
}

TEST_CASE(
    "the failover gap is the longest empty run near the kill, and the longest anywhere after the "
    "first success") {
  std::string csv = "ms,ok,max_ms\n";
  for (long ms = 0; ms < 200; ++ms) {
    bool empty = ms < 5 || (ms >= 40 && ms < 52) ||
                 (ms >= 120 && ms < 127);  // before any; 12 ms; 7 ms at the kill
    csv += std::to_string(ms) + "," + (empty ? "0" : "3") + ",1.5\n";
  }
  auto rows = parseTimeline(csv);
  REQUIRE(rows.size() == 200);
  Gaps g = findGaps(rows, 122);  // only the run from 120 ms touches 72..172 ms
  CHECK(g.aroundKillMs == 7);
  CHECK(g.aroundKillAtS == doctest::Approx(0.120));
  CHECK(g.anywhereMs == 12);
  CHECK(g.anywhereAtS == doctest::Approx(0.040));
  CHECK(findGaps(rows, 60).aroundKillMs == 12);
  CHECK(findGaps(rows, 1000).aroundKillMs == 0);
}

TEST_CASE("1 ms buckets sum into 10 ms ones, keeping the worst latency") {
  auto rows = parseTimeline("ms,ok,max_ms\n0,2,1.0\n1,3,4.5\n9,1,0.5\n10,7,2.0\n");
  CHECK(sumBuckets(rows, 10) == "ms,ok,max_ms\n0,6,4.500\n10,7,2.000\n");
}

TEST_CASE("the merge replaces the generated sections in place and keeps everyone else's") {
  std::string old =
      "# Benchmarks\n\nold preamble\n\n## Targets (DESIGN.md §9)\n\nold targets\n\n"
      "## Where the time goes\n\nby hand\n\n```sh\n## not a heading inside a fence\n```\n\n"
      "## 1000000 orders on file: getOrders, start-up, memory\n\nold big\n\n"
      "## The HTTP door beside the RPC door\n\nsomeone else's\n\n## How to run\n\nold how\n";
  Document generated{"# Benchmarks\n\nnew preamble\n",
                     {{"Targets (DESIGN.md §9)", "## Targets (DESIGN.md §9)\n\nnew targets\n"},
                      {"CPU per process", "## CPU per process\n\nnew cpu\n"},
                      {"100000 orders on file: getOrders, start-up, memory",
                       "## 100000 orders on file: getOrders, start-up, memory\n\nnew big\n"},
                      {"How to run", "## How to run\n\nnew how\n"}}};
  std::string merged = mergeReport(old, generated);
  CHECK(merged ==
        "# Benchmarks\n\nnew preamble\n\n## Targets (DESIGN.md §9)\n\nnew targets\n\n"
        "## Where the time goes\n\nby hand\n\n```sh\n## not a heading inside a fence\n```\n\n"
        "## CPU per process\n\nnew cpu\n\n"
        "## 100000 orders on file: getOrders, start-up, memory\n\nnew big\n\n"
        "## The HTTP door beside the RPC door\n\nsomeone else's\n\n## How to run\n\nnew how\n");
}

TEST_CASE("a many-core report is one section of its own and leaves the rest of the file alone") {
  jh::test::TempDir dir;
  dir.write("ours-0-256.jsonl", "{\"orders_per_s\":30000,\"p99_ms\":9}\n");
  dir.write("redis-256.jsonl", "{\"orders_per_s\":60000,\"p99_ms\":5}\n");
  Document many =
      renderReport(parseFacts("cores=16\nclients=1 256\nbig_orders=1000\n"), dir.path(), true);
  REQUIRE(many.sections.size() == 1);
  CHECK(many.sections[0].title == "On 16 cores");
  CHECK(many.sections[0].text.find("### Orders/s, min_acks 0, against Redis RPUSH") !=
        std::string::npos);
  CHECK(many.sections[0].text.find("| 256 | 30,000 |") != std::string::npos);
  CHECK(many.sections[0].text.find(
            "| orders/s ≥ 1.0× Redis RPUSH, 256 client(s) | 0.50× | **not met** |") !=
        std::string::npos);
  CHECK(many.sections[0].text.find("multi-core mode") == std::string::npos);  // no io-threads runs
  dir.write("redis-io-256.jsonl", "{\"orders_per_s\":120000,\"p50_ms\":1,\"p99_ms\":4}\n");
  many = renderReport(parseFacts("cores=16\nclients=1 256\nbig_orders=1000\n"), dir.path(), true);
  CHECK(many.sections[0].text.find("| 256 | 30,000 | 120,000 | 1.000 | 4.000 | **0.25** |") !=
        std::string::npos);
  std::string old = "# Benchmarks\n\ntwo cores\n\n## Failover\n\nkept\n";
  std::string merged = mergeReport(old, many);
  CHECK(merged.rfind("# Benchmarks\n\ntwo cores\n\n## Failover\n\nkept\n\n## On 16 cores\n", 0) ==
        0);
}

}  // namespace jh::bench
