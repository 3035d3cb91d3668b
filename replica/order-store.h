// The in-memory state of a replica's orders: every durable row in arrival order, indexed by its
// name (origin, incarnation, seq), by idempotency key (user_code, order_id) and by user, plus the
// replica's own rows on their way to disk. Written only by the replica's main thread; the
// replication thread reads it through collect(), under a shared lock.
#pragma once

#include <deque>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "replica/chunked-vector.h"
#include "replica/flat-index.h"
#include "replica/stored-order.h"
#include "schema/orders/order.h"
#include "schema/orders/version-vector.h"

namespace jh {

// Where a page of a user's orders ends: the precedence of its oldest order. Opaque to clients.
struct OrdersCursor {
  std::string timeStamp;
  std::string origin;
  uint64_t incarnation = 0;
  uint64_t seq = 0;

  std::string encode() const;
  // nullopt for text that no page produced.
  static std::optional<OrdersCursor> decode(std::string_view text);
};

class OrderStore {
 public:
  // Adds (a copy of) a row that is durable here. Requires seq == held + 1 for its origin
  // incarnation (KJ_REQUIRE), so the vector stays gap-free; a staged row is applied in its turn.
  // Main thread only.
  void apply(const OrderView& row);
  void apply(const OrderRecord& row) { apply(row.view()); }

  // This replica's own rows, queued for its file: collect() sends them to the backups before this
  // replica's own sync has finished (DESIGN.md §4), but reads and the vector show them only once
  // apply()d. Rows are staged in seq order of one origin incarnation.
  void stage(const OrderRecord& row);
  // The staged rows' write failed: they are forgotten here (peers may hold them; their names are
  // never used again, since the replica begins a new incarnation).
  void dropStaged();

  // At start, before any other thread uses the store: room for about `n` rows, applyLoaded() for
  // each row of the file (which OrderFile has checked), then finishLoading(), which indexes the
  // last rows and publishes the vector.
  void reserve(size_t n);
  void applyLoaded(const OrderView& row);
  void finishLoading();

  // The stored copy that answers a repeat of `request` (same key, same request), or null; sets
  // `conflicting` when the key is held only for other requests. Main thread only.
  const StoredOrder* findRepeat(const OrderView& request, bool& conflicting) const;

  struct Listed {
    const StoredOrder* order;
    bool conflict;  // a different order was acknowledged earlier under the same key
  };
  struct Page {
    std::vector<Listed> orders;        // newest first
    std::optional<OrdersCursor> next;  // where the next (older) page starts, if any is left
  };
  // Up to `limit` of the user's orders older than `before` (all when null), newest first: one per
  // key and request. O(log k + limit) in the user's k orders. Main thread only.
  Page pageOf(std::string_view userCode, size_t limit, const OrdersCursor* before) const;

  uint64_t held(std::string_view origin, uint64_t incarnation) const {
    return vector_.get(origin, incarnation);
  }
  const VersionVector& vector() const { return vector_; }
  // Per origin incarnation, a digest of its rows 1..held (main thread).
  IncarnationDigests digests() const;
  size_t rows() const { return rows_.size(); }
  // Orders as users see them: one per key and request.
  size_t orders() const { return listed_; }

  // Up to `limit` rows that a replica holding `theirs` lacks, in seq order per origin
  // incarnation; only those of `onlyOrigin` when it is not empty; with `staged`, this replica's
  // own rows on their way to disk too. Safe to call from any thread. `more` is set when rows were
  // left out for the limit.
  std::vector<OrderRecord> collect(const VersionVector& theirs, size_t limit, bool& more,
                                   std::string_view onlyOrigin = {}, bool staged = false) const;

  // The vector as seen by another thread.
  VersionVector vectorSnapshot() const;

 private:
  struct UserOrders {
    uint32_t keyRow;  // a row of this user's, whose user_code is the index's key
    ChunkedVector<uint32_t, 12, 2>
        listed;  // one row per key and request, oldest first (by precedence)
  };
  struct Incarnation {
    ChunkedVector<uint32_t> rows;  // [seq - 1] -> row
    uint64_t digest = 0;           // of rows 1..rows.size()
  };
  struct OrderKey {
    std::string_view userCode;
    std::string_view orderId;
    bool operator==(const OrderKey&) const = default;
  };
  // Nothing that grows with the orders is held in one block: a std::vector of millions copies
  // them all in one go when it grows, a pause on the event loop (DESIGN.md §4, reads).
  using Rows = ChunkedVector<StoredOrder>;
  struct KeyOfRow {
    const Rows* rows;
    OrderKey operator()(uint32_t row) const {
      return {(*rows)[row].userCode(), (*rows)[row].orderId()};
    }
    static size_t hash(const OrderKey& k);
  };
  struct CodeOfUser {
    const Rows* rows;
    const ChunkedVector<UserOrders>* users;
    std::string_view operator()(uint32_t user) const {
      return (*rows)[(*users)[user].keyRow].userCode();
    }
  };

  struct Hashes {
    uint32_t key;
    uint32_t user;
  };
  Hashes hashesOf(uint32_t row) const;
  void index(uint32_t row) { index(row, hashesOf(row)); }
  void index(uint32_t row, Hashes h);
  UserOrders& userOf(uint32_t row, uint32_t userHash);
  void list(uint32_t row, uint32_t userHash);
  void relist(uint32_t before, uint32_t after);
  std::string conflictKey(uint32_t row) const;
  bool precedes(uint32_t a, uint32_t b) const {
    return rows_[a].precedence() < rows_[b].precedence();
  }
  void append(const OrderView& row, Incarnation& incarnation);

  mutable std::shared_mutex
      mutex_;  // guards rows_, byOrigin_, staged_ and vector_ against other threads
  // Rows never move, so the indexes below can read their keys from them.
  Rows rows_;
  TextArena text_;  // the rows' text; written by the main thread before the row is added
  std::map<OriginIncarnation, Incarnation, OriginIncarnationLess> byOrigin_;
  std::deque<OrderRecord> staged_;
  VersionVector vector_;
  // Main-thread-only indexes.
  ChunkedVector<UserOrders> users_;
  FlatIndex<KeyOfRow> byKey_{KeyOfRow{&rows_}};                // the earliest row of each key
  FlatIndex<CodeOfUser> byUser_{CodeOfUser{&rows_, &users_}};  // index in users_
  // Keys held for more than one request (two sides of a failover): the rows listed besides the
  // earliest, one per other request. Rare; keyed by conflictKey().
  std::unordered_map<std::string, std::vector<uint32_t>> conflicts_;
  size_t listed_ = 0;
  // While loading: the last origin incarnation's rows (files hold long runs of one), and rows
  // whose index slots are being prefetched, indexed LOAD_AHEAD rows later.
  static constexpr size_t LOAD_AHEAD = 8;
  const OriginIncarnation* loadingSource_ = nullptr;
  Incarnation* loadingRows_ = nullptr;
  std::deque<std::pair<uint32_t, Hashes>> loadingAhead_;
};

}  // namespace jh
