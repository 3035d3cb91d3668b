// `startup.sh status`: each process the launcher knows (pid, state, port) beside the replicas'
// roles and order counts as a front-end sees them, as an 80-column table or as JSON. The launcher
// learns of an exit at once, a front-end at its next heartbeat: the launcher's knowledge wins, so
// an exited replica is "down" and not the primary.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/launcher/system.h"

namespace jh::launch {

// What the launcher itself knows of one process.
struct ProcessFacts {
  std::string name;
  Kind kind = Kind::NONE;
  std::optional<pid_t> pid;  // recorded
  std::string state;         // "-" (never started), running, starting, stopped or exited
  std::optional<uint16_t> port;
  bool answered = false;  // a front-end that answered `jh-client --json status`
};

struct ProcessRow {
  std::string name;
  std::string kind;  // replica, frontend or client
  std::optional<pid_t> pid;
  std::string state;
  std::optional<uint16_t> port;
  std::string role;  // "primary", "backup, SYNCING", "down", "serving", "not answering" or ""
  std::optional<uint64_t> orders;
};

struct StatusView {
  std::vector<ProcessRow> rows;
  std::vector<std::string> notes;  // "replica.server2 is catching up: 812 rows fetched, 120 to go."
  std::string primary;             // "" for none
  std::string exitedPrimary;       // the front-end's primary, which the launcher saw exit
  std::string frontendView;        // the answering front-end's JSON ("" when none answered)
};

// Joins the launcher's facts with a front-end's `jh-client --json status` (`frontendView`).
StatusView makeStatus(const std::vector<ProcessFacts>& facts, const std::string& frontendView);

// The table with its header line ("cluster F, mode M"), the notes and a last line saying which
// replica is primary; the primary's row in green and dead rows in red when `colour`.
std::string statusTable(const StatusView& view, const std::string& cluster, const std::string& mode,
                        bool colour);

// {"cluster", "mode", "run_dir", "primary", "processes": [{"name", "kind", "pid", "state",
// "port", "role", "orders"}…], "frontend_view"}; "" values are null.
std::string statusJson(const StatusView& view, const std::string& cluster, const std::string& mode,
                       const std::string& runDir);

// Looks: each process's pid file and state, and asks each listening front-end (3 s each).
StatusView collectStatus(const System& system);

}  // namespace jh::launch
