// The acknowledged orders of a fault-schedule test, read back through jh-client and from the
// replicas' files.
#include "tests/system/order-ledger.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "tests/system/system-checks.h"

namespace jh::test {

namespace {

constexpr size_t MISSES_DESCRIBED = 5;

std::string describe(const AckedOrder& o) {
  return o.orderId + " (" + o.user + ", " + o.item + ", " + o.postCode + ")";
}

// A row as every replica must hold it. The status is left out: reads may mark a row PENDING.
using RowKey = std::tuple<std::string, std::string, std::string, int64_t, std::string, std::string,
                          std::string, uint64_t>;

std::multiset<RowKey> rowsOf(const TestCluster& cluster, const std::string& replica) {
  std::multiset<RowKey> rows;
  for (auto& r : cluster.readOrdersCsv(replica)) {
    rows.emplace(r.orderId, r.userCode, r.item, r.pricePence, r.timeStamp, r.postCode, r.origin,
                 r.seq);
  }
  return rows;
}

std::string describe(const RowKey& k) {
  return std::get<0>(k) + " (" + std::get<1>(k) + ", " + std::get<2>(k) + ", " + std::get<5>(k) +
         ", " + std::get<6>(k) + ":" + std::to_string(std::get<7>(k)) + ")";
}

}  // namespace

bool sameOrder(const OrderRecord& row, const AckedOrder& order) {
  return row.orderId == order.orderId && row.userCode == order.user && row.item == order.item &&
         row.postCode == order.postCode;
}

CommandResult OrderLedger::place(const std::string& user, const std::string& item,
                                 const std::string& postCode, const std::string& id) {
  std::vector<std::string> args = {"--user", user, "--json", "order", item, postCode};
  if (!id.empty()) {
    args.push_back("--id");
    args.push_back(id);
  }
  auto r = cluster_.runClient(args);
  if (r.exitCode == 0) {
    // The stored copy's item and postcode, as the service normalised them.
    acked_.push_back(AckedOrder{jsonField(r.out, "order_id"), user, jsonField(r.out, "item"),
                                jsonField(r.out, "post_code")});
  }
  return r;
}

AckedOrder& OrderLedger::get(const std::string& orderId) {
  for (auto& o : acked_) {
    if (o.orderId == orderId) return o;
  }
  throw std::runtime_error("OrderLedger: " + orderId + " was not acknowledged");
}

size_t OrderLedger::look() {
  size_t missed = 0;
  std::set<std::string> users;
  for (auto& o : acked_) {
    if (o.watched) users.insert(o.user);
  }
  for (auto& user : users) {
    auto r = cluster_.runClient({"--user", user, "--json", "orders"});
    ++reads_;
    auto listed = r.exitCode == 0 ? ordersInJson(r.out) : std::nullopt;
    if (!listed) {
      ++failedReads_;
      continue;
    }
    for (auto& o : acked_) {
      if (!o.watched || o.user != user) continue;
      ++o.looks;
      bool shown = std::any_of(listed->begin(), listed->end(),
                               [&](const OrderRecord& row) { return sameOrder(row, o); });
      if (shown) continue;
      ++o.misses;
      ++missed;
      if (missed_.size() < MISSES_DESCRIBED) {
        missed_.push_back("read " + std::to_string(reads_) + " of " + user + "'s list (" +
                          std::to_string(listed->size()) + " orders) missed " + describe(o));
      }
    }
  }
  return missed;
}

void OrderLedger::lookFor(std::chrono::milliseconds span) {
  using namespace std::chrono;
  auto began = steady_clock::now();
  std::optional<std::pair<long, long>> missedWhile;
  do {
    auto at = duration_cast<milliseconds>(steady_clock::now() - began).count();
    if (look() > 0) {
      if (!missedWhile) missedWhile.emplace(at, at);
      missedWhile->second = at;
    }
  } while (steady_clock::now() < began + span);
  if (missedWhile) missedWhile_.push_back(*missedWhile);
}

size_t OrderLedger::watched() const {
  return std::count_if(acked_.begin(), acked_.end(), [](const AckedOrder& o) { return o.watched; });
}

size_t OrderLedger::visibleThroughout() const {
  return std::count_if(acked_.begin(), acked_.end(),
                       [](const AckedOrder& o) { return o.watched && o.misses == 0; });
}

size_t OrderLedger::holders(const AckedOrder& order) const {
  size_t count = 0;
  for (auto& name : cluster_.replicaNames()) {
    auto rows = cluster_.readOrdersCsv(name);
    if (std::any_of(rows.begin(), rows.end(),
                    [&](const OrderRecord& row) { return sameOrder(row, order); }))
      ++count;
  }
  return count;
}

size_t OrderLedger::onEveryReplica(std::string& missing) const {
  std::map<std::string, std::vector<OrderRecord>> files;
  for (auto& name : cluster_.replicaNames()) files[name] = cluster_.readOrdersCsv(name);
  size_t everywhere = 0;
  std::ostringstream out;
  for (auto& o : acked_) {
    std::vector<std::string> lacking;
    for (auto& [name, rows] : files) {
      if (std::none_of(rows.begin(), rows.end(),
                       [&](const OrderRecord& row) { return sameOrder(row, o); })) {
        lacking.push_back(name);
      }
    }
    if (lacking.empty()) {
      ++everywhere;
      continue;
    }
    out << describe(o) << " is not on";
    for (auto& name : lacking) out << " " << name;
    out << "\n";
  }
  missing = out.str();
  return everywhere;
}

bool OrderLedger::sameRowsEverywhere(std::string& difference) const {
  auto names = cluster_.replicaNames();
  auto first = rowsOf(cluster_, names[0]);
  std::ostringstream out;
  for (size_t i = 1; i < names.size(); ++i) {
    auto rows = rowsOf(cluster_, names[i]);
    if (rows == first) continue;
    std::vector<RowKey> onlyFirst, onlyThis;
    std::set_difference(first.begin(), first.end(), rows.begin(), rows.end(),
                        std::back_inserter(onlyFirst));
    std::set_difference(rows.begin(), rows.end(), first.begin(), first.end(),
                        std::back_inserter(onlyThis));
    for (auto& k : onlyFirst)
      out << "only on " << names[0] << " (not " << names[i] << "): " << describe(k) << "\n";
    for (auto& k : onlyThis)
      out << "only on " << names[i] << " (not " << names[0] << "): " << describe(k) << "\n";
  }
  difference = out.str();
  return difference.empty();
}

std::string OrderLedger::summary() const {
  std::string ignored;
  std::ostringstream out;
  out << "acknowledged " << acked_.size() << ", visible throughout " << visibleThroughout()
      << " of " << watched() << " watched (" << reads_ << " reads, " << failedReads_
      << " failed), on every replica " << onEveryReplica(ignored);
  for (auto& [from, to] : missedWhile_) {
    out << "; reads begun " << from << " to " << to << " ms into a span of looking missed orders";
  }
  return out.str();
}

}  // namespace jh::test
