// Every acknowledged order on every replica.
#include "tests/bench/acked-check.h"

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "schema/orders/csv.h"
#include "schema/runtime/grouped-number.h"

namespace jh::bench {

namespace {

constexpr size_t SHOWN = 5;

bool readFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

// Marks in `held` the ids of `index` that the CSV text holds in its order_id column.
void markHeld(std::string_view data, const std::unordered_map<std::string_view, size_t>& index,
              std::vector<bool>& held) {
  CsvReader reader(data);
  std::vector<std::string_view> fields;
  size_t column = SIZE_MAX;
  while (reader.next(fields) == CsvReader::Result::RECORD) {
    if (column == SIZE_MAX) {
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i] == "order_id") column = i;
      }
      if (column == SIZE_MAX) return;  // not an orders file
      continue;
    }
    if (column >= fields.size()) continue;
    auto found = index.find(fields[column]);
    if (found != index.end()) held[found->second] = true;
  }
}

std::string listed(const std::vector<std::string>& ids, uint64_t count) {
  std::string out;
  for (auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  if (count > ids.size()) out += fmt::format(" and {} more", groupedNumber(count - ids.size()));
  return out;
}

}  // namespace

bool AckedCheck::onEveryReplica() const {
  for (auto& r : replicas) {
    if (r.missing > 0) return false;
  }
  return true;
}

AckedCheck checkAcked(const std::vector<NodeConfig>& replicas,
                      const std::vector<std::string>& ids) {
  std::unordered_map<std::string_view, size_t> index;
  std::vector<std::string_view> distinct;
  for (auto& id : ids) {
    if (!id.empty() && index.emplace(id, distinct.size()).second) distinct.push_back(id);
  }
  AckedCheck check;
  check.acknowledged = distinct.size();
  std::vector<uint32_t> holders(distinct.size(), 0);
  for (auto& r : replicas) {
    ReplicaHolding holding{r.name, "", 0, 0, {}};
    std::vector<bool> held(distinct.size(), false);
    std::string data;
    for (const char* name : {"orders.csv", "orders.csv.partial"}) {
      if (!readFile(r.dir + "/" + name, data)) continue;
      holding.files += (holding.files.empty() ? "" : " and ") + std::string(name);
      markHeld(data, index, held);
    }
    if (holding.files.empty()) holding.files = "no orders.csv";
    for (size_t i = 0; i < distinct.size(); ++i) {
      if (held[i]) {
        ++holding.held;
        ++holders[i];
      } else if (holding.missing++ < SHOWN) {
        holding.firstMissing.emplace_back(distinct[i]);
      }
    }
    check.replicas.push_back(std::move(holding));
  }
  for (size_t i = 0; i < distinct.size(); ++i) {
    if (holders[i] == 0 && check.lost++ < SHOWN) check.firstLost.emplace_back(distinct[i]);
    if (holders[i] > 0 && holders[i] < replicas.size()) ++check.notEverywhere;
  }
  return check;
}

AckedCheck checkAckedWithin(const std::vector<NodeConfig>& replicas,
                            const std::vector<std::string>& ids, double waitS) {
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(waitS * 1000));
  for (;;) {
    AckedCheck check = checkAcked(replicas, ids);
    auto now = std::chrono::steady_clock::now();
    check.waitedS = std::chrono::duration<double>(now - start).count();
    if (check.onEveryReplica() || now >= deadline) return check;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string ackedReport(const AckedCheck& c) {
  std::string out;
  size_t width = 0;
  for (auto& r : c.replicas) width = std::max(width, r.name.size());
  for (auto& r : c.replicas) {
    out += fmt::format("{:<{}}  {} of {} acknowledged orders ({})", r.name, width,
                       groupedNumber(r.held), groupedNumber(c.acknowledged), r.files);
    if (r.missing > 0) out += fmt::format("; missing {}", listed(r.firstMissing, r.missing));
    out += "\n";
  }
  if (c.lost > 0) {
    out +=
        fmt::format("lost {} of {}: acknowledged, yet on no replica: {}\n", groupedNumber(c.lost),
                    groupedNumber(c.acknowledged), listed(c.firstLost, c.lost));
  } else if (!c.onEveryReplica()) {
    out +=
        fmt::format("lost 0, but {} {} not on every replica after {:.1f} s.\n",
                    groupedNumber(c.notEverywhere), c.notEverywhere == 1 ? "is" : "are", c.waitedS);
  } else {
    out += fmt::format("lost 0: every one of the {} acknowledged orders is on every replica.\n",
                       groupedNumber(c.acknowledged));
  }
  return out;
}

}  // namespace jh::bench
