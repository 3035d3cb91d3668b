// In-memory order indexes.
#include "replica/order-store.h"

#include <algorithm>
#include <mutex>

#include <kj/debug.h>

namespace jh {

void OrderStore::apply(OrderRecord order) {
  KJ_REQUIRE(order.seq == vector_.get(order.origin) + 1, "gap or repeat in applied orders",
             order.origin, order.seq, vector_.get(order.origin));
  auto row = static_cast<uint32_t>(rows_.size());
  {
    std::unique_lock lock(mutex_);
    rows_.push_back(std::move(order));
    const OrderRecord& o = rows_.back();
    byOrigin_[o.origin].push_back(row);
    vector_.set(o.origin, o.seq);
  }
  const OrderRecord& o = rows_.back();
  auto [it, inserted] = byId_.try_emplace(o.orderId, row);
  if (inserted) {
    byUser_[o.userCode].push_back(row);
    return;
  }
  // A second copy of the same order_id (a failover stored it twice): reads show the earliest.
  uint32_t shown = it->second;
  if (o.precedence() < rows_[shown].precedence()) {
    auto& before = byUser_[rows_[shown].userCode];
    before.erase(std::find(before.begin(), before.end(), shown));
    byUser_[o.userCode].push_back(row);
    it->second = row;
  }
}

const OrderRecord* OrderStore::find(const std::string& orderId) const {
  auto it = byId_.find(orderId);
  return it == byId_.end() ? nullptr : &rows_[it->second];
}

std::vector<const OrderRecord*> OrderStore::ordersOf(const std::string& userCode) const {
  std::vector<const OrderRecord*> out;
  auto it = byUser_.find(userCode);
  if (it == byUser_.end()) return out;
  out.reserve(it->second.size());
  for (uint32_t row : it->second) out.push_back(&rows_[row]);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->precedence() < b->precedence(); });
  return out;
}

std::vector<OrderRecord> OrderStore::collect(const VersionVector& theirs, size_t limit,
                                             bool& more) const {
  std::shared_lock lock(mutex_);
  std::vector<OrderRecord> out;
  more = false;
  for (auto& [origin, rows] : byOrigin_) {
    uint64_t from = theirs.get(origin);  // they hold 1..from
    for (uint64_t seq = from + 1; seq <= rows.size(); ++seq) {
      if (out.size() >= limit) {
        more = true;
        return out;
      }
      out.push_back(rows_[rows[seq - 1]]);
    }
  }
  return out;
}

VersionVector OrderStore::vectorSnapshot() const {
  std::shared_lock lock(mutex_);
  return vector_;
}

}  // namespace jh
