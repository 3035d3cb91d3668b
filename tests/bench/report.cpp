// scripts/bench.sh's numbers: runs, medians, figures, the failover timeline, the merge of
// docs/benchmarks.md; see report.h. The tables themselves are report-tables.cpp.
#include "tests/bench/report.h"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace jh::bench {

namespace {

void flatten(const rapidjson::Value& object, const std::string& prefix, Run& run) {
  for (auto& m : object.GetObject()) {
    std::string name = prefix + m.name.GetString();
    if (m.value.IsNumber())
      run[name] = m.value.GetDouble();
    else if (m.value.IsObject())
      flatten(m.value, name + ".", run);
    else if (m.value.IsBool() && name == "failed" && m.value.GetBool())
      run[name] = 1;
  }
}

std::string withoutDigits(const std::string& title) {
  std::string out;
  for (char c : title) {
    if (std::isdigit(static_cast<unsigned char>(c)) || c == ',') {
      if (out.empty() || out.back() != '#') out += '#';
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

std::optional<Run> parseRun(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  Run run;
  flatten(d, "", run);
  return run;
}

std::string runJson(const Run& run) {
  std::map<std::string, std::vector<std::pair<std::string, double>>> nested;
  std::string out = "{";
  bool first = true;
  for (auto& [name, value] : run) {
    auto dot = name.find('.');
    if (dot != std::string::npos) {
      nested[name.substr(0, dot)].emplace_back(name.substr(dot + 1), value);
      continue;
    }
    out += fmt::format("{}\"{}\":{}", first ? "" : ",", name, plainNumber(value));
    first = false;
  }
  for (auto& [object, members] : nested) {
    out += fmt::format("{}\"{}\":{{", first ? "" : ",", object);
    for (size_t i = 0; i < members.size(); ++i) {
      out += fmt::format("{}\"{}\":{}", i ? "," : "", members[i].first,
                         plainNumber(members[i].second));
    }
    out += "}";
    first = false;
  }
  return out + "}";
}

std::optional<Run> redisCsvRun(const std::string& csvLine, unsigned clients,
                               unsigned long requests) {
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  std::vector<std::string> fields;
  std::string f;
  bool quoted = false;
  for (char c : csvLine) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      fields.push_back(std::exchange(f, ""));
    else if (c != '\r' && c != '\n')
      f += c;
  }
  fields.push_back(f);
  if (fields.size() < 8) return std::nullopt;
  try {
    return Run{{"clients", clients},
               {"requests", static_cast<double>(requests)},
               {"orders_per_s", std::stod(fields[1])},
               {"p50_ms", std::stod(fields[4])},
               {"p99_ms", std::stod(fields[6])},
               {"max_ms", std::stod(fields[7])}};
  } catch (const std::exception&) {
    return std::nullopt;  // the header line, or something else
  }
}

Run medianRun(std::vector<Run> runs) {
  if (runs.empty()) return {};
  std::stable_sort(runs.begin(), runs.end(), [](const Run& a, const Run& b) {
    return field(a, "orders_per_s") < field(b, "orders_per_s");
  });
  return runs[(runs.size() - 1) / 2];
}

double field(const Run& run, const std::string& name) {
  auto it = run.find(name);
  return it == run.end() ? 0 : it->second;
}

std::string perOrderUs(const Run& run, double cores) {
  double orders = field(run, "ops") > 0 ? field(run, "ops") : field(run, "requests");
  if (orders > 0) return fixed(cores * field(run, "wall_s") * 1e6 / orders, 1);
  double rate = field(run, "orders_per_s");  // a tool that gives only its rate (jh-redis-wait)
  return rate > 0 ? fixed(cores * 1e6 / rate, 1) : "—";
}

std::string perOrderLine(const std::string& label, const Run& run) {
  double rate = field(run, "orders_per_s");
  std::string line =
      fmt::format("{} {} client(s): {} orders/s; µs of CPU (context switches) per order:", label,
                  plainNumber(field(run, "clients")), grouped(rate));
  // Over the whole measured command (jh-report run's wall_s), by the orders it placed.
  double orders = field(run, "ops") > 0 ? field(run, "ops") : field(run, "requests");
  const std::string cpu = "cpu_cores.";
  for (auto& [name, cores] : run) {
    if (name.rfind(cpu, 0) != 0) continue;
    std::string process = name.substr(cpu.size());
    line += fmt::format(" {} {}", process, perOrderUs(run, cores));
    auto s = run.find("switches." + process);
    if (s != run.end() && orders > 0) line += fmt::format(" ({})", fixed(s->second / orders, 1));
  }
  return line;
}

std::string fixed(double value, int decimals) { return fmt::format("{:.{}f}", value, decimals); }

std::string grouped(double value) {
  std::string digits = fmt::format("{:.0f}", std::fabs(value));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (value < 0 && digits != "0" ? "-" : "") + out;
}

std::string ratio(double ours, double reference) {
  return reference > 0 ? fmt::format("{:.2f}", ours / reference) : "—";
}

std::string verdict(bool met) { return met ? "met" : "**not met**"; }

std::vector<TimelineRow> parseTimeline(const std::string& csv) {
  std::vector<TimelineRow> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    TimelineRow r;
    if (std::sscanf(line.c_str(), "%ld,%ld,%lf", &r.ms, &r.ok, &r.worstMs) == 3) rows.push_back(r);
  }
  return rows;
}

std::string sumBuckets(const std::vector<TimelineRow>& rows, long bucketMs) {
  std::vector<TimelineRow> out;
  for (auto& r : rows) {
    long b = r.ms / bucketMs * bucketMs;
    if (out.empty() || out.back().ms != b) out.push_back({b, 0, 0});
    out.back().ok += r.ok;
    out.back().worstMs = std::max(out.back().worstMs, r.worstMs);
  }
  std::string csv = "ms,ok,max_ms\n";
  for (auto& r : out) csv += fmt::format("{},{},{:.3f}\n", r.ms, r.ok, r.worstMs);
  return csv;
}

Gaps findGaps(const std::vector<TimelineRow>& rows, long killOffsetMs) {
  Gaps g;
  bool seen = false;
  long run = 0, start = 0;
  for (size_t i = 0; i + 1 < rows.size(); ++i) {  // the last bucket is partial
    if (rows[i].ok > 0) {
      seen = true;
      run = 0;
      continue;
    }
    if (!seen) continue;
    if (run == 0) start = rows[i].ms;
    ++run;
    if (run > g.anywhereMs) {
      g.anywhereMs = run;
      g.anywhereAtS = start / 1000.0;
    }
    if (start <= killOffsetMs + 50 && rows[i].ms >= killOffsetMs - 50 && run > g.aroundKillMs) {
      g.aroundKillMs = run;
      g.aroundKillAtS = start / 1000.0;
    }
  }
  return g;
}

Document splitSections(const std::string& markdown) {
  Document d;
  std::istringstream in(markdown);
  bool fenced = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) fenced = !fenced;
    if (!fenced && line.rfind("## ", 0) == 0) d.sections.push_back({line.substr(3), ""});
    std::string& into = d.sections.empty() ? d.preamble : d.sections.back().text;
    into += line + "\n";
  }
  return d;
}

std::string mergeReport(const std::string& old, const Document& generated) {
  Document before = splitSections(old);
  std::vector<bool> used(generated.sections.size(), false);
  auto indexOf = [&](const std::string& title) -> std::optional<size_t> {
    for (size_t i = 0; i < generated.sections.size(); ++i) {
      if (withoutDigits(generated.sections[i].title) == withoutDigits(title)) return i;
    }
    return std::nullopt;
  };
  auto ended = [](std::string text) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text + "\n\n";
  };
  std::string out = ended(generated.preamble.empty() ? before.preamble : generated.preamble);
  for (auto& s : before.sections) {
    auto g = indexOf(s.title);
    if (!g) {
      out += ended(s.text);
      continue;
    }
    if (used[*g]) continue;  // a second old copy of a generated section
    for (size_t j = 0; j <= *g; ++j) {
      if (!used[j]) out += ended(generated.sections[j].text);
      used[j] = true;
    }
  }
  for (size_t j = 0; j < generated.sections.size(); ++j) {
    if (!used[j]) out += ended(generated.sections[j].text);
  }
  while (out.size() > 1 && out[out.size() - 2] == '\n') out.pop_back();
  return out;
}

std::string plainNumber(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{:.3f}", v);
}

std::string readWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::vector<Run> readRunsFile(const std::string& path) {
  std::vector<Run> runs;
  std::istringstream in(readWholeFile(path));
  for (std::string line; std::getline(in, line);) {
    if (auto run = parseRun(line)) runs.push_back(std::move(*run));
  }
  return runs;
}

Facts parseFacts(const std::string& text) {
  Facts facts;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos && eq > 0) facts[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return facts;
}

}  // namespace jh::bench
