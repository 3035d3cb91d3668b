// The front-end's event feed.
#include "frontend/event-feed.h"

#include <algorithm>
#include <chrono>

namespace jh {

uint64_t EventFeed::record(rpc::EventKind kind, std::string replica, std::string message,
                           uint64_t count) {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  events_.push_back(ClusterEvent{next_, now, kind, std::move(replica), count, std::move(message)});
  if (events_.size() > keep_) events_.pop_front();
  return next_++;
}

std::vector<ClusterEvent> EventFeed::since(uint64_t after) const {
  auto first = std::upper_bound(events_.begin(), events_.end(), after,
                                [](uint64_t id, const ClusterEvent& e) { return id < e.id; });
  return std::vector<ClusterEvent>(first, events_.end());
}

}  // namespace jh
