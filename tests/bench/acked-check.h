// jh-bench --check-acked: whether every acknowledged order (the ids that jh-bench --acked-out
// wrote) is on every replica, read by order_id from each replica's orders.csv (or
// orders.csv.partial, the file of a replica that lost its own). The failover demonstration ends
// with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schema/config/cluster-config.h"

namespace jh::bench {

struct ReplicaHolding {
  std::string name;
  std::string files;  // what was read: "orders.csv", "orders.csv.partial" or "none"
  uint64_t held = 0;  // acknowledged orders found there
  uint64_t missing = 0;
  std::vector<std::string> firstMissing;  // up to five of them
};

struct AckedCheck {
  uint64_t acknowledged = 0;  // distinct ids checked
  std::vector<ReplicaHolding> replicas;
  uint64_t lost = 0;                   // acknowledged ids held by no replica
  std::vector<std::string> firstLost;  // up to five of them
  uint64_t notEverywhere = 0;          // held by some replicas, not all
  double waitedS = 0;                  // how long the check waited for the replicas to converge

  bool onEveryReplica() const;
};

// Reads every replica's files once. A torn final record (a write under way) is ignored; a file
// that cannot be parsed counts as holding what was read before the damage.
AckedCheck checkAcked(const std::vector<NodeConfig>& replicas, const std::vector<std::string>& ids);

// Checks again every 200 ms until every replica holds every id or `waitS` seconds have passed
// (backups receive the last orders a moment after they were acknowledged).
AckedCheck checkAckedWithin(const std::vector<NodeConfig>& replicas,
                            const std::vector<std::string>& ids, double waitS);

// A line a replica ("replica.server1  9,120 of 9,120 acknowledged orders (orders.csv)", with
// the first ids it lacks), then the verdict: "lost 0: every acknowledged order is on every
// replica.", "lost 0, but 2 are not on every replica after 10.0 s." or "lost 2 of 9,120:
// acknowledged, yet on no replica: ID ID".
std::string ackedReport(const AckedCheck& check);

}  // namespace jh::bench
