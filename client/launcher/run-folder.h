// The launcher's run folder (run/, or $JH_RUN_DIR): pids/NAME.pid for every process it started
// (NAME.xterm.pid for a window, NAME.pane for a tmux pane), logs/NAME.log, what the last start
// chose (mode, cluster, bin, log-level), and its own tmux server's socket.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "client/launcher/subprocess.h"

namespace jh::launch {

// The tmux session that holds the launcher's windows, on its own socket.
inline constexpr const char* TMUX_SESSION = "justhungry";

struct RunFolder {
  std::string root;        // the repository: scripts/run-one.sh, resources/cluster.json
  std::string dir;         // $JH_RUN_DIR, else ROOT/run
  std::string pids;        // DIR/pids
  std::string logs;        // DIR/logs
  std::string tmuxSocket;  // $JH_TMUX_SOCKET, else DIR/tmux.sock (a name without '/': tmux's own)
  double stopGraceS = 5;   // $JH_STOP_GRACE

  // ROOT is $JH_ROOT (the scripts set it), else the folder this program was built from.
  static RunFolder fromEnvironment();

  std::string pidFile(const std::string& name) const { return pids + "/" + name + ".pid"; }
  // NAME's tmux pane ("%3"), recorded at its start in tmux mode.
  std::string paneFile(const std::string& name) const { return pids + "/" + name + ".pane"; }
  std::string logFile(const std::string& name) const { return logs + "/" + name + ".log"; }
  // The pid that NAME's pid file holds, if it holds one.
  std::optional<pid_t> recordedPid(const std::string& name) const;
  // The names of the pid files, sorted ("replica.server1", "client.xterm"…).
  std::vector<std::string> pidNames() const;

  // What the last start recorded in DIR/WHAT (mode, cluster, bin, log-level); "" when nothing.
  std::string recorded(const std::string& what) const;
  void record(const std::string& what, const std::string& value) const;

  // `tmux ARGS` on the launcher's own server.
  Argv tmux(const Argv& args) const;
  // What a person types to see the windows: "tmux -S run/tmux.sock attach".
  std::string tmuxAttachCommand() const;
  bool tmuxHasSession() const;
};

// The whole of a file; "" when it cannot be opened or a read fails (a /proc file of a process that
// ends while it is read fails with ESRCH: it reads as gone).
std::string readFile(const std::string& path);
// The first line of a file, without its newline ("" when unreadable).
std::string firstLine(const std::string& path);
void writeFile(const std::string& path, const std::string& text);
// The pid that the pid file `path` holds, if it holds one.
std::optional<pid_t> pidIn(const std::string& path);

}  // namespace jh::launch
