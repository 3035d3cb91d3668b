// What jh-bench --live prints: one line a second of orders acknowledged, failed and retried, for
// the failover demonstration's load pane, and the closing sentences that the lost-order check
// (jh-bench --check-acked) goes on from.
#pragma once

#include <cstdint>
#include <string>

namespace jh::bench {

// Totals since the run began.
struct Tally {
  uint64_t acknowledged = 0;  // orders placed and confirmed
  uint64_t failed = 0;        // orders given up: refused, or failed without --retry-until-acked
  uint64_t retried = 0;       // failed attempts sent again with the same order id
};

// "t=12s   acknowledged    812/s  failed   0/s  retried   3/s  total 9,120": the second that
// just ended (`second`, from 1), what happened in it (`now` less `before`), and the orders
// acknowledged since the start; within 79 columns up to a million orders a second.
std::string liveLine(uint64_t second, const Tally& now, const Tally& before);

// "Stopped after 23.4 s: 9,120 orders acknowledged, 0 failed, 3 retried." and, when some were
// attempted but never acknowledged (refused, or under way when the run stopped), a sentence
// saying how many and that they are not counted as acknowledged.
std::string liveSummary(double elapsedS, const Tally& total, uint64_t attemptedNotAcknowledged);

}  // namespace jh::bench
