// An open-addressing hash index from a key to a 32-bit value, where the key is not stored but
// read back through `KeyOf(value)` (for the replica: fields of the row the value names). A key is
// a std::string_view, or a type whose KeyOf has a static `hash(key)`.
// Eight bytes a slot and no allocation per entry: with a million orders, a lookup costs one or
// two cache misses instead of a chain of heap nodes. It grows a step at a time, as Redis rehashes
// its dicts: doubling in one go stalled a replica's event loop 335 ms at 2.9M orders.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <new>
#include <string_view>
#include <type_traits>
#include <utility>

#include <kj/debug.h>

namespace jh {

template <typename KeyOf>
class FlatIndex {
 public:
  using Key = std::invoke_result_t<const KeyOf&, uint32_t>;

  // While the index grows, each insertion looks at this many slots of the old table (moving the
  // entries it finds to the new one). The old table is at most 70% full when the new one, twice
  // its size, begins, so it is emptied after capacity/MOVE_STEP insertions, long before the new
  // one is 70% full in turn.
  static constexpr size_t MOVE_STEP = 16;
  // Once emptied, the old table is given back to the kernel this many bytes per insertion:
  // unmapping 256 MB of touched pages at once costs 150 ms on a 2-core machine.
  static constexpr size_t RELEASE_STEP = size_t{256} << 10;

  explicit FlatIndex(KeyOf keyOf) : keyOf_(std::move(keyOf)) {}
  FlatIndex(const FlatIndex&) = delete;
  FlatIndex& operator=(const FlatIndex&) = delete;
  ~FlatIndex() {
    table_.release(SIZE_MAX);
    old_.release(SIZE_MAX);
  }

  // Room for `n` entries without growing. Sizes the table in one go (and finishes a growth under
  // way): for start-up, before the index serves.
  void reserve(size_t n) {
    size_t want = 16;
    while (want * 7 / 10 < n) want *= 2;
    finishGrowing();
    if (want > table_.capacity) grow(want);
    finishGrowing();
  }

  // The value stored for `key`, or null. The pointer is valid until the next insertion.
  uint32_t* find(const Key& key) { return find(key, hashOf(key)); }
  const uint32_t* find(const Key& key) const { return const_cast<FlatIndex*>(this)->find(key); }

  // Stores `value` (not UINT32_MAX) under its key, KeyOf(value), unless the key is present;
  // returns the stored value's slot and whether it was inserted.
  std::pair<uint32_t*, bool> tryEmplace(uint32_t value) {
    return tryEmplace(value, hashOf(keyOf_(value)));
  }

  // The same, with the key's hashOf() already known. Bulk inserts compute hashes some entries
  // ahead and prefetch() their slots, so that the cache misses overlap instead of queueing.
  std::pair<uint32_t*, bool> tryEmplace(uint32_t value, uint32_t h) {
    // The step comes first, so that the slot returned is not moved before the caller is done.
    step();
    if ((size_ + 1) * 10 > table_.capacity * 7)
      grow(table_.capacity == 0 ? 16 : table_.capacity * 2);
    Key key = keyOf_(value);
    if (uint32_t* found = find(key, h)) return {found, false};
    uint32_t* slot = place(table_, tagOf(h), value);
    ++size_;
    return {slot, true};
  }

  void prefetch(uint32_t h) const {
    if (table_.capacity) __builtin_prefetch(&table_.slots[h & table_.mask()]);
    if (moving()) __builtin_prefetch(&old_.slots[h & old_.mask()]);
  }

  static uint32_t hashOf(const Key& key) {
    if constexpr (std::is_same_v<Key, std::string_view>) {
      return static_cast<uint32_t>(std::hash<std::string_view>{}(key));
    } else {
      return static_cast<uint32_t>(KeyOf::hash(key));
    }
  }

  size_t size() const { return size_; }

  // What the last insertion did towards a growth, for tests: old slots looked at, entries moved.
  struct Step {
    size_t looked = 0;
    size_t moved = 0;
  };
  Step lastStep() const { return lastStep_; }
  // Whether entries are still being moved from an old table, and the (new) table's slots.
  bool growing() const { return moving(); }
  size_t capacity() const { return table_.capacity; }

 private:
  static constexpr uint32_t USED =
      0x80000000u;  // set in every used slot's tag; a free slot is all zero
  struct Slot {
    uint32_t tag;  // the key's hash with USED set
    uint32_t value;
  };
  static uint32_t tagOf(uint32_t h) { return h | USED; }

  // Slots that start zeroed without being written: large tables are mapped from the kernel's
  // zero pages and touched as they fill, so that beginning a table costs no pass over it.
  struct Table {
    Slot* slots = nullptr;
    size_t capacity = 0;  // a power of two, below 2^31 (a tag's low bits pick the slot)
    size_t mapped = 0;    // bytes still mapped, when mmap'ed; 0 when calloc'ed

    size_t mask() const { return capacity - 1; }

    static Table make(size_t capacity) {
      KJ_REQUIRE(capacity < USED, "a FlatIndex of 2^31 slots", capacity);
      Table t;
      t.capacity = capacity;
      size_t bytes = capacity * sizeof(Slot);
      if (bytes <= RELEASE_STEP) {
        t.slots = static_cast<Slot*>(calloc(capacity, sizeof(Slot)));
        if (!t.slots) throw std::bad_alloc();
      } else {
        void* at = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (at == MAP_FAILED) throw std::bad_alloc();
        t.slots = static_cast<Slot*>(at);
        t.mapped = bytes;
      }
      return t;
    }

    // Gives back up to `bytes` (all, when calloc'ed); true once nothing is left.
    bool release(size_t bytes) {
      if (!slots) return true;
      if (mapped == 0) {
        free(slots);
      } else {
        size_t n = std::min(bytes, mapped);  // both multiples of the page size
        munmap(reinterpret_cast<char*>(slots) + mapped - n, n);
        mapped -= n;
        if (mapped) return false;
      }
      *this = Table{};
      return true;
    }
  };

  bool moving() const { return moved_ < old_.capacity; }

  uint32_t* find(const Key& key, uint32_t h) {
    if (uint32_t* v = probe(table_, key, tagOf(h))) return v;
    // Slots of the old table below moved_ are copies of entries now in table_, found above; the
    // old table is never written while moving, so its probe sequences stay whole.
    return moving() ? probe(old_, key, tagOf(h)) : nullptr;
  }

  uint32_t* probe(Table& t, const Key& key, uint32_t tag) {
    if (t.capacity == 0) return nullptr;
    for (size_t i = tag & t.mask(); t.slots[i].tag != 0; i = (i + 1) & t.mask()) {
      if (t.slots[i].tag == tag && keyOf_(t.slots[i].value) == key) return &t.slots[i].value;
    }
    return nullptr;
  }

  static uint32_t* place(Table& t, uint32_t tag, uint32_t value) {
    size_t i = tag & t.mask();
    while (t.slots[i].tag != 0) i = (i + 1) & t.mask();
    t.slots[i] = Slot{tag, value};
    return &t.slots[i].value;
  }

  // Begins moving every entry into a table of `capacity` slots.
  void grow(size_t capacity) {
    KJ_ASSERT(!moving(), "the index outgrew its new table before the old one was emptied", size_,
              capacity);
    Table bigger = Table::make(capacity);  // first: if it throws, nothing has changed
    old_.release(
        SIZE_MAX);  // (long given back: that takes (capacity / 2) * 8 / RELEASE_STEP insertions)
    old_ = table_;
    moved_ = 0;
    table_ = bigger;
  }

  // One insertion's share: move the entries of the next MOVE_STEP old slots, or, once all are
  // moved, give back a piece of the old table.
  void step() {
    lastStep_ = Step{};
    if (!moving()) {
      old_.release(RELEASE_STEP);
      return;
    }
    size_t end = std::min(old_.capacity, moved_ + MOVE_STEP);
    for (; moved_ < end; ++moved_) {
      const Slot& s = old_.slots[moved_];
      ++lastStep_.looked;
      if (s.tag == 0) continue;
      place(table_, s.tag, s.value);
      ++lastStep_.moved;
    }
  }

  void finishGrowing() {
    while (moving()) step();
    old_.release(SIZE_MAX);
  }

  KeyOf keyOf_;
  Table table_;  // where entries are inserted; at most 70% full
  Table old_;    // while growing: the table before, its slots [0, moved_) already moved
  size_t moved_ = 0;
  size_t size_ = 0;
  Step lastStep_;
};

}  // namespace jh
