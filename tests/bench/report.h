// The numbers of scripts/bench.sh, computed here rather than in the script: one measured run as
// a record, medians and ratios, the failover timeline's gaps, and docs/benchmarks.md's tables,
// written into the existing file without touching the sections that it did not generate.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jh::bench {

// One run (of jh-bench, jh-redis-wait or redis-benchmark): its numeric fields by name
// ("orders_per_s", "p99_ms", …); a nested object's members as "object.member"
// ("cpu_cores.primary").
using Run = std::map<std::string, double>;

// One JSON document as a Run (strings and booleans left out, except "failed": 1); nullopt when it
// is not a JSON object.
std::optional<Run> parseRun(const std::string& json);
// The Run as one JSON line (nested names written back as objects).
std::string runJson(const Run& run);
// redis-benchmark's last --csv line ("RPUSH","12345.67","0.1",…) as a Run like jh-bench's.
std::optional<Run> redisCsvRun(const std::string& csvLine, unsigned clients,
                               unsigned long requests);

// The run with the median orders_per_s (the lower of the two middle ones); an empty Run when
// there is none.
Run medianRun(std::vector<Run> runs);
double field(const Run& run, const std::string& name);  // 0 when absent

// The µs of `cores` over a run's measured time (jh-report run's wall_s) by the orders it placed
// (its ops, or a redis-benchmark run's requests; else its orders/s); "—" without any.
std::string perOrderUs(const Run& run, double cores);
// "LABEL 64 client(s): 9,120 orders/s; µs of CPU (context switches) per order: primary 28.1
// (1.9) … load 12.0": each process's cpu_cores and switches of a run, per order.
std::string perOrderLine(const std::string& label, const Run& run);

// Figures as the report writes them.
std::string plainNumber(double value);  // 16 -> "16", 0.25 -> "0.250"
std::string fixed(double value, int decimals);
std::string grouped(double value);                 // 26047 -> "26,047"
std::string ratio(double ours, double reference);  // "0.45", or "—" without a reference
std::string verdict(bool met);                     // "met" or "**not met**"

// The failover run's timeline (jh-bench --timeline-out: "ms,ok,max_ms" rows after a header).
struct TimelineRow {
  long ms = 0;
  long ok = 0;
  double worstMs = 0;
};
std::vector<TimelineRow> parseTimeline(const std::string& csv);
// Sums 1 ms buckets into `bucketMs` ones, as CSV with the same header (for the plot).
std::string sumBuckets(const std::vector<TimelineRow>& rows, long bucketMs);
struct Gaps {
  long aroundKillMs = 0;  // the longest run of empty buckets touching ±50 ms of the kill
  double aroundKillAtS = 0;
  long anywhereMs = 0;  // the longest after the first success, before the last (partial) bucket
  double anywhereAtS = 0;
};
Gaps findGaps(const std::vector<TimelineRow>& rows, long killOffsetMs);

// A Markdown document cut at its "## " headings: the text before the first, then each section
// (its heading line included).
struct Section {
  std::string title;  // the heading without "## "
  std::string text;
};
struct Document {
  std::string preamble;
  std::vector<Section> sections;
};
Document splitSections(const std::string& markdown);
// `generated` written into `old`: each old section whose title matches a generated one (digits
// aside: "1000000 orders on file" matches "100000 orders on file") is replaced in place, the
// others are kept where they are, generated sections the old file lacks follow the generated
// section before them; the preamble is the generated one unless it is empty.
std::string mergeReport(const std::string& old, const Document& generated);

// The runs of a .jsonl file (none when it cannot be read), and a whole file ("" likewise).
std::vector<Run> readRunsFile(const std::string& path);
std::string readWholeFile(const std::string& path);

// scripts/bench.sh's facts: "KEY=VALUE" lines.
using Facts = std::map<std::string, std::string>;
Facts parseFacts(const std::string& text);

// The report of one bench.sh invocation from its results folder (RESULTS/*.jsonl, the facts,
// the failover timeline). With `manyCores`, everything is one section of its own, "## On N
// cores", so that a many-core machine's figures sit beside the development machine's.
Document renderReport(const Facts& facts, const std::string& resultsDir, bool manyCores);

}  // namespace jh::bench
