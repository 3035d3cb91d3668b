// An open-addressing hash index from a key to a 32-bit value, where the key is not stored but
// read back through `KeyOf(value)` (for the replica: fields of the row the value names). A key is
// a std::string_view, or a type whose KeyOf has a static `hash(key)`.
// Eight bytes a slot and no allocation per entry: with a million orders, a lookup costs one or
// two cache misses instead of a chain of heap nodes.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace jh {

template <typename KeyOf>
class FlatIndex {
 public:
  using Key = std::invoke_result_t<const KeyOf&, uint32_t>;

  explicit FlatIndex(KeyOf keyOf) : keyOf_(std::move(keyOf)) {}

  // Room for `n` entries without growing.
  void reserve(size_t n) {
    size_t want = 16;
    while (want * 7 / 10 < n) want *= 2;
    if (want > slots_.size()) rehash(want);
  }

  // The value stored for `key`, or null. The pointer is valid until the next insertion.
  uint32_t* find(const Key& key) {
    if (slots_.empty()) return nullptr;
    uint32_t h = hashOf(key);
    for (size_t i = h & mask(); slots_[i].used(); i = (i + 1) & mask()) {
      if (slots_[i].hash == h && keyOf_(slots_[i].value) == key) return &slots_[i].value;
    }
    return nullptr;
  }
  const uint32_t* find(const Key& key) const { return const_cast<FlatIndex*>(this)->find(key); }

  // Stores `value` (not UINT32_MAX) under its key, KeyOf(value), unless the key is present;
  // returns the stored value's slot and whether it was inserted.
  std::pair<uint32_t*, bool> tryEmplace(uint32_t value) { return tryEmplace(value, hashOf(keyOf_(value))); }

  // The same, with the key's hashOf() already known. Bulk inserts compute hashes some entries
  // ahead and prefetch() their slots, so that the cache misses overlap instead of queueing.
  std::pair<uint32_t*, bool> tryEmplace(uint32_t value, uint32_t h) {
    if ((size_ + 1) * 10 > slots_.size() * 7) rehash(slots_.empty() ? 16 : slots_.size() * 2);
    Key key = keyOf_(value);
    size_t i = h & mask();
    for (; slots_[i].used(); i = (i + 1) & mask()) {
      if (slots_[i].hash == h && keyOf_(slots_[i].value) == key) return {&slots_[i].value, false};
    }
    slots_[i] = Slot{h, value};
    ++size_;
    return {&slots_[i].value, true};
  }

  void prefetch(uint32_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask()]);
  }

  static uint32_t hashOf(const Key& key) {
    if constexpr (std::is_same_v<Key, std::string_view>) {
      return static_cast<uint32_t>(std::hash<std::string_view>{}(key));
    } else {
      return static_cast<uint32_t>(KeyOf::hash(key));
    }
  }

  size_t size() const { return size_; }

 private:
  static constexpr uint32_t FREE = UINT32_MAX;  // a value never stored
  struct Slot {
    uint32_t hash = 0;
    uint32_t value = FREE;
    bool used() const { return value != FREE; }
  };

  size_t mask() const { return slots_.size() - 1; }

  void rehash(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (!s.used()) continue;
      size_t i = s.hash & mask();
      while (slots_[i].used()) i = (i + 1) & mask();
      slots_[i] = s;
    }
  }

  KeyOf keyOf_;
  std::vector<Slot> slots_;  // a power of two in size, at most 70% full
  size_t size_ = 0;
};

}  // namespace jh
