// The in-memory state of a replica's durable orders: every row in arrival order, indexed by
// order_id (the copy reads show), by user and by (origin, seq). Written only by the replica's
// main thread; the replication thread reads it through collect(), under a shared lock.
#pragma once

#include <deque>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "replica/flat-index.h"
#include "replica/stored-order.h"
#include "schema/order.h"
#include "schema/version-vector.h"

namespace jh {

class OrderStore {
 public:
  // Adds (a copy of) an order that is durable here. Requires seq == held(origin) + 1
  // (KJ_REQUIRE), so the vector stays gap-free. Main thread only.
  void apply(const OrderView& order);
  void apply(const OrderRecord& order) { apply(order.view()); }

  // At start, before any other thread uses the store: room for about `n` orders, applyLoaded()
  // for each order of the file (which OrderFile has checked), then finishLoading(), which
  // indexes the last rows and publishes the vector.
  void reserve(size_t n);
  void applyLoaded(const OrderView& order);
  void finishLoading();

  // The copy of `orderId` that reads show (earliest (time_stamp, origin, seq)), or null.
  const StoredOrder* find(std::string_view orderId) const;

  // The user's orders, one per order_id, in no particular order: O(k) in the user's own
  // orders. Main thread only.
  std::vector<const StoredOrder*> unsortedOrdersOf(std::string_view userCode) const;
  // The same, sorted as reads show them: by (time_stamp, origin, seq). O(k log k).
  static void sortForReading(std::vector<const StoredOrder*>& orders);
  std::vector<const StoredOrder*> ordersOf(std::string_view userCode) const {
    auto orders = unsortedOrdersOf(userCode);
    sortForReading(orders);
    return orders;
  }

  uint64_t held(const std::string& origin) const { return vector_.get(origin); }
  const VersionVector& vector() const { return vector_; }
  size_t rows() const { return rows_.size(); }

  // Up to `limit` rows that a replica holding `theirs` lacks, in (origin, seq) order per origin;
  // only those of `onlyOrigin` when it is not empty. Safe to call from any thread. `more` is set
  // when rows were left out for the limit.
  std::vector<OrderRecord> collect(const VersionVector& theirs, size_t limit, bool& more,
                                   std::string_view onlyOrigin = {}) const;

  // The vector as seen by another thread.
  VersionVector vectorSnapshot() const;

 private:
  struct UserOrders {
    uint32_t keyRow;             // a row of this user's, whose user_code is the index's key
    std::vector<uint32_t> rows;  // one row per order_id
  };
  struct IdOfRow {
    const std::deque<StoredOrder>* rows;
    std::string_view operator()(uint32_t row) const { return (*rows)[row].orderId(); }
  };
  struct CodeOfUser {
    const std::deque<StoredOrder>* rows;
    const std::vector<UserOrders>* users;
    std::string_view operator()(uint32_t user) const { return (*rows)[(*users)[user].keyRow].userCode(); }
  };

  struct Hashes {
    uint32_t id;
    uint32_t user;
  };
  Hashes hashesOf(uint32_t row) const;
  void index(uint32_t row) { index(row, hashesOf(row)); }
  void index(uint32_t row, Hashes h);
  std::vector<uint32_t>& rowsOfUser(uint32_t row, uint32_t userHash);

  mutable std::shared_mutex mutex_;  // guards rows_, byOrigin_ and vector_ against other threads
  // A deque never moves its elements, so the indexes below can read their keys from the rows.
  std::deque<StoredOrder> rows_;
  TextArena text_;  // the rows' text; written by the main thread before the row is added
  std::unordered_map<std::string, std::vector<uint32_t>> byOrigin_;  // [seq - 1] -> row
  VersionVector vector_;
  // Main-thread-only indexes.
  std::vector<UserOrders> users_;
  FlatIndex<IdOfRow> byId_{IdOfRow{&rows_}};                       // row of the copy reads show
  FlatIndex<CodeOfUser> byUser_{CodeOfUser{&rows_, &users_}};      // index in users_
  // While loading: the last origin's rows (files hold long runs of one origin), and rows whose
  // index slots are being prefetched, indexed LOAD_AHEAD rows later.
  static constexpr size_t LOAD_AHEAD = 8;
  const std::string* loadingOrigin_ = nullptr;
  std::vector<uint32_t>* loadingRows_ = nullptr;
  std::deque<std::pair<uint32_t, Hashes>> loadingAhead_;
};

}  // namespace jh
