// What the cluster did, as one front-end saw it (DESIGN.md §8): a replica down or back, a
// promotion begun, done or refused, a hand-over, divergence. One feed, read by
// `jh-client events`, the failover demonstration's timeline and the web page's live view.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "schema/answers/event-kind.h"  // eventKindName, for the feed's readers
#include "schema/answers/front-end-values.h"

namespace jh {

class EventFeed {
 public:
  explicit EventFeed(size_t keep = 512) : keep_(keep) {}

  // Records an event stamped now; returns its id.
  uint64_t record(rpc::EventKind kind, std::string replica, std::string message,
                  uint64_t count = 0);

  // The events kept with ids above `after`, oldest first.
  std::vector<ClusterEvent> since(uint64_t after) const;
  uint64_t lastId() const { return next_ - 1; }

 private:
  size_t keep_;
  uint64_t next_ = 1;
  std::deque<ClusterEvent> events_;
};

}  // namespace jh
