// What the failover demonstration reads to know how far it has got: the front-end's answers
// (`jh-client --json status` and `--json events`) and the load's output (jh-bench --live). Each
// reading is a plain function of the text, so that the steps read as the story they tell.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace jh::launch {

// The primary that a status names ("" for none, or for a status that is not one).
std::string primaryIn(const std::string& statusJson);

// Replica `name` as a status shows it: "down", "primary, READY", "backup, SYNCING (812 rows
// fetched, 120 to go)"; "" when the status does not list it.
std::string replicaView(const std::string& statusJson, const std::string& name);

// Whether every replica is READY and `first` is the primary: the steady state.
bool settledOn(const std::string& statusJson, const std::string& first);

// Milliseconds from the front-end seeing `killed` down (at `sinceMs` or later) to its promoting
// another replica; nullopt until both are in the events.
std::optional<int64_t> failoverGapMs(const std::string& eventsJson, const std::string& killed,
                                     int64_t sinceMs);

// How many per-second lines ("t=3s …") the load has printed.
size_t secondsOfLoad(const std::string& loadOutput);

// What the load said when it stopped: "12,345 orders acknowledged…" from its line "Stopped after
// 9.1 s: 12,345 orders acknowledged…"; nullopt before it has stopped.
std::optional<std::string> loadSummary(const std::string& loadOutput);

}  // namespace jh::launch
