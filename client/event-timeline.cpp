// The event feed as a timeline.
#include "client/event-timeline.h"

#include <ctime>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "schema/runtime/grouped-number.h"
#include "schema/answers/json-output.h"

namespace jh::client {

namespace {

constexpr size_t INDENT = 26;  // the time, the interval and the spaces around them

std::string painted(rpc::EventKind kind, std::string_view text, const Style& style) {
  switch (kind) {
    case rpc::EventKind::REPLICA_DOWN:
    case rpc::EventKind::NO_PRIMARY:
    case rpc::EventKind::PROMOTION_FAILED:
    case rpc::EventKind::DIVERGED: return style.bad(text);
    case rpc::EventKind::PROMOTED: return style.good(text);
    default: return std::string(text);
  }
}

// The follower's state, kept for the whole of `events --follow`.
class Follower {
 public:
  Follower(FrontEndApi& api, kj::Timer& timer, Reporter& reporter, kj::Duration period)
      : api_(api), timer_(timer), reporter_(reporter), period_(period) {}

  kj::Promise<void> run() {
    return poll().then([this]() -> kj::Promise<void> {
      if (!reporter_.good()) return kj::READY_NOW;  // the reader went away
      return timer_.afterDelay(period_).then([this]() { return run(); });
    });
  }

 private:
  kj::Promise<void> poll() {
    return api_.events(fromStart_ ? 0 : lastId_)
        .then(
            [this](std::vector<TimelineEvent> events) {
              if (api_.takeReconnection() && !fromStart_) {
                fromStart_ = true;  // another feed, or a new run's: `after` meant nothing there
                return;
              }
              if (failing_) reporter_.note("The front-end answers again.");
              failing_ = false;
              bool again = std::exchange(fromStart_, false);
              bool skipSeen = again && lastAtMs_.has_value();
              if (again) lastId_ = 0;
              for (auto& e : events) {
                lastId_ = std::max(lastId_, e.id);
                if (skipSeen && (e.atMs < *lastAtMs_ ||
                                 (e.atMs == *lastAtMs_ && seenAtLast_.count(e.message)))) {
                  continue;
                }
                show(e);
              }
            },
            [this](kj::Exception&& e) {
              if (!failing_) { reporter_.note(fmt::format("{} Still asking.", failureText(e))); }
              failing_ = true;
              fromStart_ = true;
            });
  }

  void show(const TimelineEvent& e) {
    reporter_.done(reporter_.json()
                       ? eventJson(e)
                       : timelineLine(e, lastAtMs_, reporter_.style(), reporter_.width()));
    if (lastAtMs_ != e.atMs) seenAtLast_.clear();
    seenAtLast_.insert(e.message);
    lastAtMs_ = e.atMs;
  }

  FrontEndApi& api_;
  kj::Timer& timer_;
  Reporter& reporter_;
  kj::Duration period_;
  uint64_t lastId_ = 0;
  std::optional<int64_t> lastAtMs_;   // of the last event printed
  std::set<std::string> seenAtLast_;  // the messages printed at that millisecond
  bool fromStart_ = false;
  bool failing_ = false;
};

}  // namespace

std::string clockTime(int64_t atMs) {
  std::time_t seconds = static_cast<std::time_t>(atMs / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", utc.tm_hour, utc.tm_min, utc.tm_sec, atMs % 1000);
}

std::string interval(int64_t ms) {
  if (ms < 0) ms = 0;  // the wall clock stepped back
  if (ms < 100000) return fmt::format("+{} ms", groupedNumber(static_cast<uint64_t>(ms)));
  return fmt::format("+{} s", groupedNumber(static_cast<uint64_t>(ms / 1000)));
}

std::string timelineLine(const TimelineEvent& e, std::optional<int64_t> previousAtMs,
                         const Style& style, size_t width) {
  std::string since = previousAtMs ? interval(e.atMs - *previousAtMs) : "";
  std::string out = fmt::format("{}  {}  ", style.dim(clockTime(e.atMs)), fit(since, 10, true));
  // Wrapped where a terminal a little wider than the prefix allows it; each piece painted alone.
  std::string text = width > INDENT + 20 ? wrapText(e.message, width - INDENT - 1) : e.message;
  std::string_view rest(text);
  for (bool first = true;; first = false) {
    size_t eol = rest.find('\n');
    if (!first) out += std::string(INDENT, ' ');
    out += painted(e.kind, rest.substr(0, eol), style) + "\n";
    if (eol == std::string_view::npos) return out;
    rest.remove_prefix(eol + 1);
  }
}

std::string timelineText(const std::vector<TimelineEvent>& events, const Style& style,
                         size_t width) {
  if (events.empty()) return "The front-end has recorded no events yet.\n";
  std::string out;
  std::optional<int64_t> previous;
  for (auto& e : events) {
    out += timelineLine(e, previous, style, width);
    previous = e.atMs;
  }
  return out;
}

kj::Promise<int> followEvents(FrontEndApi& api, kj::Timer& timer, Reporter& reporter,
                              kj::Promise<void> stop, kj::Duration period) {
  auto follower = kj::heap<Follower>(api, timer, reporter, period);
  auto running = follower->run();
  return running.exclusiveJoin(kj::mv(stop)).attach(kj::mv(follower)).then([]() {
    return EXIT_DONE;
  });
}

}  // namespace jh::client
