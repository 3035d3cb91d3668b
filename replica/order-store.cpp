// In-memory order indexes.
#include "replica/order-store.h"

#include <algorithm>
#include <mutex>

#include <kj/debug.h>

namespace jh {

void OrderStore::apply(const OrderView& order) {
  std::string origin(order.origin);
  KJ_REQUIRE(order.seq == vector_.get(origin) + 1, "gap or repeat in applied orders", origin,
             order.seq, vector_.get(origin));
  auto row = static_cast<uint32_t>(rows_.size());
  StoredOrder stored(order, text_);
  {
    std::unique_lock lock(mutex_);
    rows_.push_back(stored);
    byOrigin_[origin].push_back(row);
    vector_.set(origin, order.seq);
  }
  index(row);
}

void OrderStore::reserve(size_t n) { byId_.reserve(byId_.size() + n); }

void OrderStore::applyLoaded(const OrderView& order) {
  if (!loadingOrigin_ || *loadingOrigin_ != order.origin) {
    auto it = byOrigin_.try_emplace(std::string(order.origin)).first;
    loadingOrigin_ = &it->first;
    loadingRows_ = &it->second;
  }
  // byOrigin_[origin][seq - 1] is the row of (origin, seq), so the size is what is held.
  KJ_REQUIRE(order.seq == loadingRows_->size() + 1, "gap or repeat in loaded orders", *loadingOrigin_,
             order.seq, loadingRows_->size());
  auto row = static_cast<uint32_t>(rows_.size());
  rows_.emplace_back(order, text_);
  loadingRows_->push_back(row);
  Hashes h = hashesOf(row);
  byId_.prefetch(h.id);
  byUser_.prefetch(h.user);
  loadingAhead_.emplace_back(row, h);
  if (loadingAhead_.size() > LOAD_AHEAD) {
    index(loadingAhead_.front().first, loadingAhead_.front().second);
    loadingAhead_.pop_front();
  }
}

void OrderStore::finishLoading() {
  for (auto& [row, h] : loadingAhead_) index(row, h);
  loadingAhead_.clear();
  std::unique_lock lock(mutex_);
  for (auto& [origin, rows] : byOrigin_) vector_.set(origin, rows.size());
  loadingOrigin_ = nullptr;
  loadingRows_ = nullptr;
}

OrderStore::Hashes OrderStore::hashesOf(uint32_t row) const {
  const StoredOrder& o = rows_[row];
  return Hashes{byId_.hashOf(o.orderId()), byUser_.hashOf(o.userCode())};
}

void OrderStore::index(uint32_t row, Hashes h) {
  auto [shown, inserted] = byId_.tryEmplace(row, h.id);
  if (inserted) {
    rowsOfUser(row, h.user).push_back(row);
    return;
  }
  // A second copy of the same order_id (a failover stored it twice): reads show the earliest.
  if (rows_[row].precedence() < rows_[*shown].precedence()) {
    uint32_t before = *shown;
    *shown = row;
    auto& list = rowsOfUser(before, hashesOf(before).user);  // (a client may reuse an id for another user)
    list.erase(std::find(list.begin(), list.end(), before));
    rowsOfUser(row, h.user).push_back(row);
  }
}

std::vector<uint32_t>& OrderStore::rowsOfUser(uint32_t row, uint32_t userHash) {
  users_.push_back(UserOrders{row, {}});
  auto [user, inserted] = byUser_.tryEmplace(static_cast<uint32_t>(users_.size() - 1), userHash);
  if (!inserted) users_.pop_back();
  return users_[*user].rows;
}

const StoredOrder* OrderStore::find(std::string_view orderId) const {
  const uint32_t* row = byId_.find(orderId);
  return row ? &rows_[*row] : nullptr;
}

std::vector<const StoredOrder*> OrderStore::unsortedOrdersOf(std::string_view userCode) const {
  std::vector<const StoredOrder*> out;
  const uint32_t* user = byUser_.find(userCode);
  if (!user) return out;
  auto& rows = users_[*user].rows;
  out.reserve(rows.size());
  for (uint32_t row : rows) out.push_back(&rows_[row]);
  return out;
}

void OrderStore::sortForReading(std::vector<const StoredOrder*>& orders) {
  std::sort(orders.begin(), orders.end(), [](auto* a, auto* b) { return a->precedence() < b->precedence(); });
}

std::vector<OrderRecord> OrderStore::collect(const VersionVector& theirs, size_t limit, bool& more,
                                             std::string_view onlyOrigin) const {
  std::shared_lock lock(mutex_);
  std::vector<OrderRecord> out;
  more = false;
  for (auto& [origin, rows] : byOrigin_) {
    if (!onlyOrigin.empty() && origin != onlyOrigin) continue;
    uint64_t from = theirs.get(origin);  // they hold 1..from
    for (uint64_t seq = from + 1; seq <= rows.size(); ++seq) {
      if (out.size() >= limit) {
        more = true;
        return out;
      }
      out.push_back(rows_[rows[seq - 1]].record());
    }
  }
  return out;
}

VersionVector OrderStore::vectorSnapshot() const {
  std::shared_lock lock(mutex_);
  return vector_;
}

}  // namespace jh
