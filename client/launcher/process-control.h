// Starting, stopping and signalling the system's processes, one at a time and only by the pids
// the launcher recorded. Each runs as the child of scripts/run-one.sh, which records its pid: in
// the background (a session of its own, outliving the launcher), in a tmux window, or in an xterm.
#pragma once

#include <string>
#include <vector>

#include "client/launcher/system.h"

namespace jh::launch {

// Starts NAME in `mode` and waits (at most 10 s) for its pid file. A server's output is appended
// to logs/NAME.log in every mode (a window shows it too), after a line that marks the start.
void startNode(const System& system, const std::string& name, const std::string& mode,
               const std::string& logLevel);

// Waits (at most 20 s) until every server of `names` listens on its port; reports on stderr any
// that exited (with the end of its log) or does not listen yet. False when one exited.
bool waitListening(const System& system, const std::vector<std::string>& names);

// Refuses (dies) when a process the launcher started still runs, or a port of the cluster file is
// in use, naming the culprit; removes stale pid files.
void checkFree(const System& system);

// Ends the named processes: TERM (and CONT, for a stopped one), up to the stop grace, then KILL.
// Reports each when `report`; false if any survived.
bool stopNames(const System& system, const std::vector<std::string>& names, bool report = true);

// The current primary: the replica that a front-end names, else the first replica (in priority
// order) that runs; `how` says which. Dies when there is none.
struct Primary {
  std::string name;
  bool named = false;  // by the front-end
};
Primary findPrimary(const System& system);

// Sends `signal` to NAME ("primary": the current primary) by its recorded pid and returns the
// line that says so, once it took effect (KILL: exited; STOP: stopped). Dies on failure.
std::string killNode(const System& system, const std::string& name, int signal);

// Creates the cluster secret that the cluster file names, when it does not exist: random bytes,
// base64, readable by this user only.
void ensureSecret(const System& system);

// 32 random bytes as base64, for the cluster secret.
std::string base64(const std::string& bytes);

}  // namespace jh::launch
