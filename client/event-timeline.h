// `jh-client events`: the front-end's event feed as a timeline, one line an event: its time of
// day to the millisecond, the time since the event before, and what happened. Read once, or
// followed as the cluster acts (the failover demonstration's timeline pane).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <kj/async.h>
#include <kj/timer.h>

#include "client/front-end-api.h"
#include "client/one-shot.h"
#include "client/text-output.h"

namespace jh::client {

// "19:50:03.101": the time of day of `atMs` (ms since the epoch) in UTC, as the servers' logs
// and `./startup.sh logs` show it.
std::string clockTime(int64_t atMs);

// "+7 ms", "+2,311 ms", "+125 s" (seconds from 100 s on).
std::string interval(int64_t ms);

// One event as a line: "19:50:03.101     +7 ms  replica.server2 is now the primary…", the
// interval blank when there is no event before it. In colour, the message is red for a replica
// down, no primary, a refused promotion and divergence, green for a promotion. With a `width`
// (a terminal's), a long message is broken at spaces onto further lines under its start, so
// that the terminal does not break it mid-word; without, an event is always one line.
std::string timelineLine(const TimelineEvent& event, std::optional<int64_t> previousAtMs,
                         const Style& style, size_t width = 0);

// Every event as a line, or a sentence when there are none.
std::string timelineText(const std::vector<TimelineEvent>& events, const Style& style,
                         size_t width = 0);

// `events --follow`: asks `api` for the events after the last one printed every `period`, and
// prints each as it comes (a line, or with --json one document a line), until `stop` resolves
// or the output is closed; then EXIT_DONE. When the front-end stops answering, it says so once
// on the error stream and keeps asking. Once it answers again, or when the client reconnected
// (to another front-end, or to one that restarted and numbers its events afresh), it reads the
// feed from the start and skips what is not later than the last event printed.
kj::Promise<int> followEvents(FrontEndApi& api, kj::Timer& timer, Reporter& reporter,
                              kj::Promise<void> stop, kj::Duration period = 100 * kj::MILLISECONDS);

}  // namespace jh::client
