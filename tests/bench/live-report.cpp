// jh-bench's live lines.
#include "tests/bench/live-report.h"

#include <fmt/format.h>

#include "schema/runtime/grouped-number.h"

namespace jh::bench {

std::string liveLine(uint64_t second, const Tally& now, const Tally& before) {
  return fmt::format("{:<7} acknowledged {:>6}/s  failed {:>3}/s  retried {:>3}/s  total {}",
                     fmt::format("t={}s", second),
                     groupedNumber(now.acknowledged - before.acknowledged),
                     groupedNumber(now.failed - before.failed),
                     groupedNumber(now.retried - before.retried), groupedNumber(now.acknowledged));
}

std::string liveSummary(double elapsedS, const Tally& total, uint64_t attemptedNotAcknowledged) {
  std::string out =
      fmt::format("Stopped after {:.1f} s: {} {} acknowledged, {} failed, {} retried.", elapsedS,
                  groupedNumber(total.acknowledged), total.acknowledged == 1 ? "order" : "orders",
                  groupedNumber(total.failed), groupedNumber(total.retried));
  if (attemptedNotAcknowledged > 0) {
    out += fmt::format(
        " {} attempted but never acknowledged (refused, or under way when it stopped): "
        "not counted.",
        groupedNumber(attemptedNotAcknowledged));
  }
  return out;
}

}  // namespace jh::bench
