// Child processes for multi-process tests: start a program with its output in log files, signal
// it, stop it within a bound, and run a short command with a timeout. Everything is by pid.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace jh::test {

class ChildProcess {
  // One started program. Every child is killed (SIGKILL) by the kernel if the thread that
  // started it exits, so a test that crashes leaves no server behind: start children from the
  // thread that owns them.
 public:
  // Starts argv[0] (a path, or a name looked up in $PATH) with `argv`, stdin from `stdinPath`
  // (a FIFO lets a test type into it), stdout and stderr appended to the given files, in the
  // folder `cwd` (empty: ours). Throws std::runtime_error, saying why, when the program cannot be
  // started.
  ChildProcess(std::vector<std::string> argv, const std::string& cwd, const std::string& stdoutPath,
               const std::string& stderrPath, const std::string& stdinPath = "/dev/null");
  // Stops the child (stop()) if it is still running.
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return argv_; }

  // Whether it has not exited yet; reaps it when it has. A stopped (SIGSTOP) child is running.
  bool isRunning();

  // Sends `sig` to the child; false when it has already exited.
  bool signal(int sig);

  // SIGTERM (with SIGCONT, in case it is stopped), then SIGKILL once `grace` has passed; waits
  // for it to exit. Returns its exit status (see exitStatus()).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // Once it has exited: its exit code, or 128 + the number of the signal that ended it.
  std::optional<int> exitStatus();

 private:
  void reap(bool block);

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct CommandResult {
  int exitCode = -1;  // exit code, 128 + signal, or -1 when it timed out and was killed
  std::string out;    // everything it wrote on stdout
  std::string err;    // everything it wrote on stderr
  bool timedOut = false;
};

// Runs `argv` to completion with stdin from /dev/null, collecting its output. When `timeout`
// passes first, its process group is killed (SIGKILL) and the result says timedOut.
CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// argv[0] made into a path: as it is when it holds a '/', else found in $PATH. Throws
// std::runtime_error when there is no such program.
std::string resolveProgram(const std::string& name);

// "128 + signal" or the exit code of a waitpid() status.
int decodeWaitStatus(int status);

}  // namespace jh::test
