#pragma once
// A vector of trivially copyable values that keeps its first N elements inside the object and
// moves to the heap only beyond them. Per-LP state made of a few small std::vectors costs one
// heap block, one pointer hop and, at thousands of LPs, one cache miss per vector per event;
// inline, the values sit next to the LP's other state, where the kernel's prefetch of the LP
// (LogicalProcess::hot_state) brings them in with it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <type_traits>

namespace marlsim {

template <class T, std::uint32_t N>
class InlineVector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>);
  static_assert(N > 0);

 public:
  InlineVector() = default;
  explicit InlineVector(std::size_t n, const T& value = T{}) { resize(n, value); }
  InlineVector(const InlineVector& o) { assign(o.begin(), o.end()); }
  InlineVector(InlineVector&& o) noexcept { take(o); }
  InlineVector& operator=(const InlineVector& o) {
    if (this != &o) assign(o.begin(), o.end());
    return *this;
  }
  InlineVector& operator=(InlineVector&& o) noexcept {
    if (this != &o) {
      heap_.reset();
      take(o);
    }
    return *this;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return capacity_; }
  T* data() { return heap_ ? heap_.get() : inline_; }
  const T* data() const { return heap_ ? heap_.get() : inline_; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }
  const T& back() const { return data()[size_ - 1]; }

  void clear() { size_ = 0; }
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    auto grown = std::make_unique_for_overwrite<T[]>(n);
    std::memcpy(static_cast<void*>(grown.get()), data(), size_ * sizeof(T));
    heap_ = std::move(grown);
    capacity_ = static_cast<std::uint32_t>(n);
  }
  // The value is copied first in resize, push_back and insert: it may be an element of this
  // vector, which growing frees and inserting shifts (std::vector allows v.push_back(v[0])).
  void resize(std::size_t n, const T& value = T{}) {
    const T copy = value;
    reserve(n);
    std::fill(data() + size_, data() + std::max<std::size_t>(n, size_), copy);
    size_ = static_cast<std::uint32_t>(n);
  }
  void push_back(const T& value) {
    const T copy = value;
    if (size_ == capacity_) reserve(2 * std::size_t{capacity_});
    data()[size_++] = copy;
  }
  void pop_back() { --size_; }
  // Inserts before position `at` (0..size()); returns the new element.
  T& insert(std::size_t at, const T& value) {
    const T copy = value;
    if (size_ == capacity_) reserve(2 * std::size_t{capacity_});
    T* d = data();
    std::memmove(static_cast<void*>(d + at + 1), d + at, (size_ - at) * sizeof(T));
    d[at] = copy;
    ++size_;
    return d[at];
  }
  void erase(std::size_t at) {
    T* d = data();
    std::memmove(static_cast<void*>(d + at), d + at + 1, (size_ - at - 1) * sizeof(T));
    --size_;
  }
  template <class It>
  void assign(It first, It last) {
    clear();
    reserve(static_cast<std::size_t>(std::distance(first, last)));
    for (; first != last; ++first) data()[size_++] = *first;
  }

 private:
  void take(InlineVector& o) {
    size_ = o.size_;
    capacity_ = o.capacity_;
    if (o.heap_) heap_ = std::move(o.heap_);
    else std::memcpy(static_cast<void*>(inline_), o.inline_, size_ * sizeof(T));
    o.size_ = 0;
    o.capacity_ = N;
  }

  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = N;
  std::unique_ptr<T[]> heap_;  // null while the elements fit inline
  T inline_[N];
};

}  // namespace marlsim
