// In-memory order indexes.
#include "replica/order-store.h"

#include <algorithm>
#include <charconv>
#include <mutex>

#include <kj/debug.h>

namespace jh {

namespace {

// FNV-1a, 64 bits: a digest that every replica computes alike from the row's text.
struct Fnv {
  uint64_t h = 0xcbf29ce484222325ull;
  void add(std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    h = (h ^ 0x1f) * 0x100000001b3ull;  // a separator, so that fields cannot slide into each other
  }
  void add(uint64_t n) { add(std::string_view(reinterpret_cast<const char*>(&n), sizeof n)); }
};

uint64_t rowDigest(const OrderView& o) {
  Fnv f;
  for (auto field :
       {o.orderId, o.userCode, o.item, o.timeStamp, o.postCode, o.area, o.status, o.origin})
    f.add(field);
  f.add(static_cast<uint64_t>(o.pricePence));
  f.add(o.incarnation);
  f.add(o.seq);
  return f.h;
}

// The digest of rows 1..n+1 from that of rows 1..n: order matters, as the rows of an incarnation
// are applied in seq order everywhere.
uint64_t extendDigest(uint64_t digest, uint64_t row) {
  uint64_t z = digest + row + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace

std::string OrdersCursor::encode() const {
  // The origin last: it is the one field that may hold any character.
  return timeStamp + "," + std::to_string(incarnation) + "," + std::to_string(seq) + "," + origin;
}

std::optional<OrdersCursor> OrdersCursor::decode(std::string_view text) {
  OrdersCursor c;
  auto field = [&](std::string_view& out) {
    size_t comma = text.find(',');
    if (comma == std::string_view::npos) return false;
    out = text.substr(0, comma);
    text.remove_prefix(comma + 1);
    return true;
  };
  auto number = [](std::string_view s, uint64_t& n) {
    return !s.empty() &&
           std::from_chars(s.data(), s.data() + s.size(), n).ptr == s.data() + s.size();
  };
  std::string_view stamp, incarnation, seq;
  if (!field(stamp) || !field(incarnation) || !field(seq) || stamp.empty() || text.empty())
    return std::nullopt;
  if (!number(incarnation, c.incarnation) || !number(seq, c.seq)) return std::nullopt;
  c.timeStamp = stamp;
  c.origin = text;
  return c;
}

size_t OrderStore::KeyOfRow::hash(const OrderKey& k) {
  size_t h = std::hash<std::string_view>{}(k.orderId);
  return h ^ (std::hash<std::string_view>{}(k.userCode) * 0x9e3779b97f4a7c15ull);
}

void OrderStore::append(const OrderView& row, Incarnation& incarnation) {
  auto index = static_cast<uint32_t>(rows_.size());
  rows_.emplace_back(row, text_);
  incarnation.rows.push_back(index);
  incarnation.digest = extendDigest(incarnation.digest, rowDigest(row));
}

void OrderStore::apply(const OrderView& row) {
  uint64_t held = vector_.get(row.origin, row.incarnation);
  KJ_REQUIRE(row.seq == held + 1, "gap or repeat in applied rows", std::string(row.origin),
             row.incarnation, row.seq, held);
  {
    std::unique_lock lock(mutex_);
    if (!staged_.empty() && staged_.front().seq == row.seq &&
        staged_.front().origin == row.origin && staged_.front().incarnation == row.incarnation) {
      staged_.pop_front();
    }
    auto it = byOrigin_.find(OriginIncarnationView{row.origin, row.incarnation});
    if (it == byOrigin_.end()) {
      it = byOrigin_
               .emplace(OriginIncarnation{std::string(row.origin), row.incarnation}, Incarnation{})
               .first;
    }
    append(row, it->second);
    vector_.set(row.origin, row.incarnation, row.seq);
  }
  index(static_cast<uint32_t>(rows_.size() - 1));
}

void OrderStore::stage(const OrderRecord& row) {
  std::unique_lock lock(mutex_);
  uint64_t top = staged_.empty() ? vector_.get(row.origin, row.incarnation) : staged_.back().seq;
  KJ_REQUIRE(row.seq == top + 1, "gap or repeat in staged rows", row.origin.c_str(),
             row.incarnation, row.seq, top);
  KJ_REQUIRE(staged_.empty() || (staged_.back().origin == row.origin &&
                                 staged_.back().incarnation == row.incarnation),
             "staged rows of two incarnations");
  staged_.push_back(row);
}

void OrderStore::dropStaged() {
  std::unique_lock lock(mutex_);
  staged_.clear();
}

void OrderStore::reserve(size_t n) { byKey_.reserve(byKey_.size() + n); }

void OrderStore::applyLoaded(const OrderView& row) {
  if (!loadingSource_ || loadingSource_->origin != row.origin ||
      loadingSource_->incarnation != row.incarnation) {
    auto it =
        byOrigin_.try_emplace(OriginIncarnation{std::string(row.origin), row.incarnation}).first;
    loadingSource_ = &it->first;
    loadingRows_ = &it->second;
  }
  // rows[seq - 1] is the row of (origin, incarnation, seq), so the size is what is held.
  KJ_REQUIRE(row.seq == loadingRows_->rows.size() + 1, "gap or repeat in loaded rows",
             loadingSource_->origin.c_str(), loadingSource_->incarnation, row.seq,
             loadingRows_->rows.size());
  append(row, *loadingRows_);
  auto index = static_cast<uint32_t>(rows_.size() - 1);
  Hashes h = hashesOf(index);
  byKey_.prefetch(h.key);
  byUser_.prefetch(h.user);
  loadingAhead_.emplace_back(index, h);
  if (loadingAhead_.size() > LOAD_AHEAD) {
    this->index(loadingAhead_.front().first, loadingAhead_.front().second);
    loadingAhead_.pop_front();
  }
}

void OrderStore::finishLoading() {
  for (auto& [row, h] : loadingAhead_) index(row, h);
  loadingAhead_.clear();
  std::unique_lock lock(mutex_);
  for (auto& [source, incarnation] : byOrigin_) vector_.set(source, incarnation.rows.size());
  loadingSource_ = nullptr;
  loadingRows_ = nullptr;
}

OrderStore::Hashes OrderStore::hashesOf(uint32_t row) const {
  const StoredOrder& o = rows_[row];
  return Hashes{byKey_.hashOf({o.userCode(), o.orderId()}), byUser_.hashOf(o.userCode())};
}

std::string OrderStore::conflictKey(uint32_t row) const {
  std::string key(rows_[row].userCode());
  key += '\0';
  key += rows_[row].orderId();
  return key;
}

void OrderStore::index(uint32_t row, Hashes h) {
  auto [earliest, inserted] = byKey_.tryEmplace(row, h.key);
  if (inserted) {
    list(row, h.user);
    return;
  }
  OrderView mine = rows_[row].view();
  if (mine.sameRequest(rows_[*earliest].view())) {
    // A second copy of the same request (a failover stored it twice): reads show the earliest.
    if (precedes(row, *earliest)) {
      relist(*earliest, row);
      *earliest = row;
    }
    return;
  }
  // Another request under a key already held: both were acknowledged on two sides of a failover,
  // so both are listed, the later marked as a conflict (DESIGN.md §4, idempotency).
  auto& others = conflicts_[conflictKey(row)];
  for (uint32_t& other : others) {
    if (mine.sameRequest(rows_[other].view())) {
      if (precedes(row, other)) {
        relist(other, row);
        other = row;
      }
      return;
    }
  }
  list(row, h.user);
  if (precedes(row, *earliest)) {
    others.push_back(*earliest);
    *earliest = row;
  } else {
    others.push_back(row);
  }
}

OrderStore::UserOrders& OrderStore::userOf(uint32_t row, uint32_t userHash) {
  users_.push_back(UserOrders{row, {}});
  auto [user, inserted] = byUser_.tryEmplace(static_cast<uint32_t>(users_.size() - 1), userHash);
  if (!inserted) users_.pop_back();
  return users_[*user];
}

void OrderStore::list(uint32_t row, uint32_t userHash) {
  auto& listed = userOf(row, userHash).listed;
  // Rows mostly arrive in time order: appending is the common case.
  if (listed.empty() || !precedes(row, listed.back())) {
    listed.push_back(row);
  } else {
    auto at = std::upper_bound(listed.begin(), listed.end(), row,
                               [this](uint32_t a, uint32_t b) { return precedes(a, b); });
    listed.insert(at, row);
  }
  ++listed_;
}

void OrderStore::relist(uint32_t before, uint32_t after) {
  auto& listed = userOf(before, byUser_.hashOf(rows_[before].userCode())).listed;
  auto byPrecedence = [this](uint32_t a, uint32_t b) { return precedes(a, b); };
  auto at = std::lower_bound(listed.begin(), listed.end(), before, byPrecedence);
  while (at != listed.end() && *at != before) ++at;  // (equal precedence: only for equal names)
  KJ_ASSERT(at != listed.end(), "a listed row is missing from its user's list");
  listed.erase(at);
  listed.insert(std::upper_bound(listed.begin(), listed.end(), after, byPrecedence), after);
}

const StoredOrder* OrderStore::findRepeat(const OrderView& request, bool& conflicting) const {
  conflicting = false;
  const uint32_t* earliest = byKey_.find(OrderKey{request.userCode, request.orderId});
  if (!earliest) return nullptr;
  if (request.sameRequest(rows_[*earliest].view())) return &rows_[*earliest];
  auto it = conflicts_.find(conflictKey(*earliest));
  if (it != conflicts_.end()) {
    for (uint32_t other : it->second) {
      if (request.sameRequest(rows_[other].view())) return &rows_[other];
    }
  }
  conflicting = true;
  return nullptr;
}

OrderStore::Page OrderStore::pageOf(std::string_view userCode, size_t limit,
                                    const OrdersCursor* before) const {
  Page page;
  const uint32_t* user = byUser_.find(userCode);
  if (!user || limit == 0) return page;
  auto& listed = users_[*user].listed;
  auto end = listed.end();
  if (before) {
    auto bound = std::tuple(std::string_view(before->timeStamp), std::string_view(before->origin),
                            before->incarnation, before->seq);
    end = std::lower_bound(
        listed.begin(), listed.end(), bound,
        [this](uint32_t row, const auto& b) { return rows_[row].precedence() < b; });
  }
  size_t n = std::min(limit, static_cast<size_t>(end - listed.begin()));
  page.orders.reserve(n);
  for (auto it = end; it != end - static_cast<std::ptrdiff_t>(n);) {
    uint32_t row = *--it;
    const uint32_t* earliest = byKey_.find(OrderKey{rows_[row].userCode(), rows_[row].orderId()});
    page.orders.push_back(Listed{&rows_[row], earliest && *earliest != row});
  }
  if (end - static_cast<std::ptrdiff_t>(n) != listed.begin()) {
    const StoredOrder& last = *page.orders.back().order;
    page.next = OrdersCursor{std::string(last.timeStamp()), std::string(last.origin()),
                             last.incarnation(), last.seq()};
  }
  return page;
}

IncarnationDigests OrderStore::digests() const {
  IncarnationDigests out;
  for (auto& [source, incarnation] : byOrigin_) out.emplace(source, incarnation.digest);
  return out;
}

std::vector<OrderRecord> OrderStore::collect(const VersionVector& theirs, size_t limit, bool& more,
                                             std::string_view onlyOrigin, bool staged) const {
  std::shared_lock lock(mutex_);
  std::vector<OrderRecord> out;
  out.reserve(
      std::min<size_t>(limit, staged ? staged_.size() + 16 : 16));  // (the push loops' usual batch)
  more = false;
  auto full = [&]() {
    if (out.size() < limit) return false;
    more = true;
    return true;
  };
  for (auto& [source, incarnation] : byOrigin_) {
    if (!onlyOrigin.empty() && source.origin != onlyOrigin) continue;
    auto& rows = incarnation.rows;
    for (uint64_t seq = theirs.get(source) + 1; seq <= rows.size(); ++seq) {
      if (full()) return out;
      out.push_back(rows_[rows[seq - 1]].record());
    }
  }
  if (staged && !staged_.empty() && (onlyOrigin.empty() || staged_.front().origin == onlyOrigin)) {
    const OrderRecord& first = staged_.front();
    uint64_t from = std::max(theirs.get(first.origin, first.incarnation),
                             vector_.get(first.origin, first.incarnation));
    for (auto& row : staged_) {
      if (row.seq <= from) continue;
      if (full()) return out;
      out.push_back(row);
    }
  }
  return out;
}

VersionVector OrderStore::vectorSnapshot() const {
  std::shared_lock lock(mutex_);
  return vector_;
}

}  // namespace jh
