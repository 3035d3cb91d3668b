// A replica's stored orders in compact form: each row is 64 bytes plus its text, which lives in
// large blocks shared by many rows, instead of an OrderRecord's nine std::strings (288 bytes and
// up to four heap blocks each). With a million orders on file this halves both the replica's
// memory and the time it takes to load them.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <tuple>
#include <vector>

#include <kj/debug.h>

#include "schema/orders/order.h"

namespace jh {

// Append-only storage for text that lives as long as the arena; what is added never moves.
class TextArena {
 public:
  // Room for `n` bytes, to be filled by the caller.
  char* allocate(size_t n) {
    if (n > left_) {
      size_t size = std::max(n, BLOCK);
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(size));
      next_ = blocks_.back().get();
      left_ = size;
    }
    char* out = next_;
    next_ += n;
    left_ -= n;
    return out;
  }

 private:
  static constexpr size_t BLOCK = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

class StoredOrder {
 public:
  // Copies the order's text into `arena`.
  StoredOrder(const OrderView& o, TextArena& arena)
      : pricePence_(o.pricePence), incarnation_(o.incarnation), seq_(o.seq) {
    const std::array<std::string_view, TEXTS> texts = {
        o.orderId, o.userCode, o.item, o.timeStamp, o.postCode, o.area, o.status, o.origin};
    size_t total = 0;
    for (auto t : texts) total += t.size();
    KJ_REQUIRE(total <= UINT32_MAX, "an order's text is too long to store", total);
    char* at = arena.allocate(total);
    text_ = at;
    uint32_t end = 0;
    for (size_t i = 0; i < TEXTS; ++i) {
      if (!texts[i].empty()) memcpy(at + end, texts[i].data(), texts[i].size());
      end += static_cast<uint32_t>(texts[i].size());
      end_[i] = end;
    }
  }

  std::string_view orderId() const { return text(0); }
  std::string_view userCode() const { return text(1); }
  std::string_view item() const { return text(2); }
  std::string_view timeStamp() const { return text(3); }
  std::string_view origin() const { return text(7); }
  uint64_t incarnation() const { return incarnation_; }
  uint64_t seq() const { return seq_; }

  OrderView view() const {
    return {text(0), text(1), text(2), pricePence_,  text(3), text(4),
            text(5), text(6), text(7), incarnation_, seq_};
  }
  OrderRecord record() const { return view().record(); }
  // The order of reads (newest last), and which copy reads show when a failover stored one
  // request twice: the earliest.
  auto precedence() const { return std::tuple(timeStamp(), origin(), incarnation_, seq_); }

 private:
  static constexpr size_t TEXTS = 8;
  std::string_view text(size_t i) const {
    uint32_t begin = i == 0 ? 0 : end_[i - 1];
    return {text_ + begin, end_[i] - begin};
  }

  const char* text_;
  std::array<uint32_t, TEXTS> end_;  // where each text ends, from text_
  int64_t pricePence_;
  uint64_t incarnation_;
  uint64_t seq_;
};

}  // namespace jh
