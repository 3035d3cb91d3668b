// Running other programs: to read their answer (with a deadline), to wait for them, or to leave
// them running on their own (in a session of their own, so that they outlive the launcher and a
// Ctrl-C at its terminal does not reach them).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace jh::launch {

using Argv = std::vector<std::string>;

struct Captured {
  bool started = false;  // false: the program could not be run at all
  int status = -1;       // its exit status; 128+N when signal N ended it; 124 at the deadline
  std::string out;       // its standard output (its standard error is dropped)
};
// Runs `argv` with no input and returns its output, ending it with TERM after `timeoutMs`.
Captured capture(const Argv& argv, int timeoutMs);

// Where a child's standard streams go: an inherited descriptor, or a file opened for appending.
struct Streams {
  int in = -1;  // -1: /dev/null
  int out = 1;
  int err = 2;
  std::string outFile = {};  // when set: stdout and stderr both append to it
};

// Starts `argv` and returns its pid (-1 when it cannot fork). `newSession`: setsid(), so it
// outlives us.
pid_t spawn(const Argv& argv, const Streams& streams, bool newSession);
// Waits for `pid` and returns its exit status (128+N for signal N); -1 for no child (pid -1).
int waitFor(pid_t pid);
// spawn() and waitFor().
int runToEnd(const Argv& argv, const Streams& streams = {});

// `argv` as one line for sh -c: each word single-quoted where it needs to be.
std::string shellQuote(const Argv& argv);

bool isExecutable(const std::string& path);

}  // namespace jh::launch
