#pragma once
// Slot storage for pending events: queues hold small keys, the events live here and are
// recycled through a free list, so steady-state runs allocate nothing.
#include <cstdint>
#include <vector>

#include "engine/kernel/event.hpp"

namespace marlsim {

class EventPool {
 public:
  std::uint32_t put(const Event& ev) {
    if (!free_.empty()) {
      const std::uint32_t slot = free_.back();
      free_.pop_back();
      events_[slot] = ev;
      return slot;
    }
    events_.push_back(ev);
    return static_cast<std::uint32_t>(events_.size() - 1);
  }
  const Event& operator[](std::uint32_t slot) const { return events_[slot]; }
  void release(std::uint32_t slot) { free_.push_back(slot); }
  std::size_t live() const { return events_.size() - free_.size(); }
  void clear() {
    events_.clear();
    free_.clear();
  }

 private:
  std::vector<Event> events_;
  std::vector<std::uint32_t> free_;
};

}  // namespace marlsim
