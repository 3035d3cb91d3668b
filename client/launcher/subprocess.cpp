// Running other programs (subprocess.h).
#include "client/launcher/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>

namespace jh::launch {

namespace {

[[noreturn]] void execChild(const Argv& argv) {
  // Signals we ignore or block are ours, not the child's.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGTSTP}) signal(s, SIG_DFL);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  _exit(127);
}

int statusOf(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  return 128 + WTERMSIG(raw);
}

}  // namespace

Captured capture(const Argv& argv, int timeoutMs) {
  Captured result;
  int pipeFds[2];
  if (pipe2(pipeFds, O_CLOEXEC) != 0) return result;
  std::fflush(stdout);  // not every stream: a reader thread may hold a pipe's lock
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    close(pipeFds[0]);
    close(pipeFds[1]);
    return result;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(pipeFds[1], 1);
    dup2(null, 2);
    execChild(argv);
  }
  close(pipeFds[1]);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
  bool timedOut = false;
  char buffer[8192];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGTERM);
      timedOut = true;
      break;
    }
    pollfd p{pipeFds[0], POLLIN, 0};
    int ready = poll(&p, 1, int(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    ssize_t n = read(pipeFds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.out.append(buffer, size_t(n));
  }
  close(pipeFds[0]);
  int status = waitFor(pid);
  result.started = status != 127;
  result.status = timedOut ? 124 : status;
  return result;
}

pid_t spawn(const Argv& argv, const Streams& streams, bool newSession) {
  std::fflush(stdout);  // not every stream: a reader thread may hold a pipe's lock
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  if (newSession) setsid();
  int in = streams.in >= 0 ? streams.in : open("/dev/null", O_RDONLY);
  int out = streams.out, err = streams.err;
  if (!streams.outFile.empty()) {
    out = err = open(streams.outFile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0) _exit(126);
  }
  if (in != 0) dup2(in, 0);
  if (out != 1) dup2(out, 1);
  if (err != 2) dup2(err, 2);
  execChild(argv);
}

int waitFor(pid_t pid) {
  if (pid <= 0) return -1;  // waitpid(-1) would reap whichever child ended first
  int raw = 0;
  while (waitpid(pid, &raw, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return statusOf(raw);
}

int runToEnd(const Argv& argv, const Streams& streams) {
  return waitFor(spawn(argv, streams, false));
}

std::string shellQuote(const Argv& argv) {
  std::string line;
  for (auto& word : argv) {
    if (!line.empty()) line += ' ';
    bool plain = !word.empty() && word.find_first_not_of(
                                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
                                      "OPQRSTUVWXYZ0123456789_-./=:,+@%") == std::string::npos;
    if (plain) {
      line += word;
      continue;
    }
    line += '\'';
    for (char c : word) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

bool isExecutable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

}  // namespace jh::launch
