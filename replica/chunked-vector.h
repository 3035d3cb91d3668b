// A sequence that grows without ever moving what it holds: elements live in chunks that are
// allocated whole and never reallocated, so an append costs at most one chunk's allocation
// instead of a std::vector's copy of everything (a pause that grows with the replica's orders).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include <kj/debug.h>

namespace jh {

// The first chunk holds 2^FIRST_LOG2 elements, each next chunk twice the one before, up to
// 2^CHUNK_LOG2; from then on every chunk holds 2^CHUNK_LOG2. A short sequence thus costs little
// more than a std::vector, and a long one never moves an element nor copies more than the
// chunk directory (one pointer per chunk).
template <typename T, unsigned CHUNK_LOG2 = 12, unsigned FIRST_LOG2 = 4>
class ChunkedVector {
  static_assert(FIRST_LOG2 <= CHUNK_LOG2);

 public:
  static constexpr size_t CHUNK = size_t{1} << CHUNK_LOG2;

  ChunkedVector() = default;
  ChunkedVector(ChunkedVector&& other) noexcept
      : chunks_(std::move(other.chunks_)), size_(std::exchange(other.size_, 0)) {}
  ChunkedVector& operator=(ChunkedVector&& other) noexcept {
    if (this != &other) {
      clear();
      chunks_ = std::move(other.chunks_);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ChunkedVector(const ChunkedVector&) = delete;
  ChunkedVector& operator=(const ChunkedVector&) = delete;
  ~ChunkedVector() { clear(); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  T& operator[](size_t i) {
    auto [chunk, offset] = place(i);
    return chunks_[chunk][offset];
  }
  const T& operator[](size_t i) const { return const_cast<ChunkedVector&>(*this)[i]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }

  template <typename... Args>
  T& emplace_back(Args&&... args) {
    auto [chunk, offset] = place(size_);
    if (chunk == chunks_.size()) {
      chunks_.push_back(static_cast<T*>(
          ::operator new (chunkSize(chunk) * sizeof(T), std::align_val_t{alignof(T)})));
    }
    T* at = new (&chunks_[chunk][offset]) T(std::forward<Args>(args)...);
    ++size_;
    return *at;
  }
  void push_back(T value) { emplace_back(std::move(value)); }

  // Keeps the emptied chunk, so that a push_back after a pop_back allocates nothing.
  void pop_back() {
    KJ_ASSERT(size_ > 0);
    --size_;
    std::destroy_at(&(*this)[size_]);
  }

  void clear() {
    for (size_t i = size_; i > 0; --i) std::destroy_at(&(*this)[i - 1]);
    for (size_t c = 0; c < chunks_.size(); ++c)
      ::operator delete (chunks_[c], std::align_val_t{alignof(T)});
    chunks_.clear();
    size_ = 0;
  }

  template <bool CONST>
  class Iter {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<CONST, const T*, T*>;
    using reference = std::conditional_t<CONST, const T&, T&>;
    using Owner = std::conditional_t<CONST, const ChunkedVector, ChunkedVector>;

    Iter() = default;
    Iter(Owner* v, size_t i) : v_(v), i_(i) {}
    operator Iter<true>() const requires(!CONST) { return {v_, i_}; }

    reference operator*() const { return (*v_)[i_]; }
    pointer operator->() const { return &(*v_)[i_]; }
    reference operator[](difference_type n) const { return (*v_)[i_ + n]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    Iter operator++(int) {
      Iter t = *this;
      ++i_;
      return t;
    }
    Iter& operator--() {
      --i_;
      return *this;
    }
    Iter operator--(int) {
      Iter t = *this;
      --i_;
      return t;
    }
    Iter& operator+=(difference_type n) {
      i_ += n;
      return *this;
    }
    Iter& operator-=(difference_type n) {
      i_ -= n;
      return *this;
    }
    friend Iter operator+(Iter a, difference_type n) { return a += n; }
    friend Iter operator+(difference_type n, Iter a) { return a += n; }
    friend Iter operator-(Iter a, difference_type n) { return a -= n; }
    friend difference_type operator-(const Iter& a, const Iter& b) {
      return static_cast<difference_type>(a.i_) - static_cast<difference_type>(b.i_);
    }
    friend bool operator==(const Iter& a, const Iter& b) { return a.i_ == b.i_; }
    friend auto operator<=>(const Iter& a, const Iter& b) { return a.i_ <=> b.i_; }
    size_t index() const { return i_; }

   private:
    Owner* v_ = nullptr;
    size_t i_ = 0;
  };
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

  // As std::vector's: the elements from `at` on shift by one, so the cost is their number (callers
  // insert near the end). Pointers to the shifted elements then name their neighbours.
  void insert(const_iterator at, T value) {
    size_t i = at.index();
    KJ_ASSERT(i <= size_);
    if (i == size_) {
      emplace_back(std::move(value));
      return;
    }
    emplace_back(std::move(back()));
    std::move_backward(begin() + static_cast<std::ptrdiff_t>(i), end() - 2, end() - 1);
    (*this)[i] = std::move(value);
  }
  void erase(const_iterator at) {
    size_t i = at.index();
    KJ_ASSERT(i < size_);
    std::move(begin() + static_cast<std::ptrdiff_t>(i) + 1, end(),
              begin() + static_cast<std::ptrdiff_t>(i));
    pop_back();
  }

 private:
  static constexpr size_t chunkSize(size_t chunk) {
    size_t growing = CHUNK_LOG2 - FIRST_LOG2;  // chunks 1..growing double in size
    return chunk == 0 ? size_t{1} << FIRST_LOG2
                      : size_t{1} << (FIRST_LOG2 + std::min(chunk, growing + 1) - 1);
  }
  // Chunk k >= 1 of the growing ones starts at 2^(FIRST_LOG2 + k - 1), where it ends the one
  // before; from index CHUNK on, the chunks are all CHUNK long.
  static std::pair<size_t, size_t> place(size_t i) {
    if (i < CHUNK) {
      if (i < (size_t{1} << FIRST_LOG2)) return {0, i};
      size_t width = static_cast<size_t>(std::bit_width(i));  // i in [2^(width-1), 2^width)
      return {width - FIRST_LOG2, i - (size_t{1} << (width - 1))};
    }
    return {(CHUNK_LOG2 - FIRST_LOG2) + (i >> CHUNK_LOG2), i & (CHUNK - 1)};
  }

  std::vector<T*> chunks_;
  size_t size_ = 0;
};

}  // namespace jh
