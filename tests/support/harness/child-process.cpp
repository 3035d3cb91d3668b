// fork/exec with the output in files (ChildProcess) or in pipes (runCommand).
#include "tests/support/harness/child-process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace jh::test {

namespace {

using Clock = std::chrono::steady_clock;

std::runtime_error sysError(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

// The fds a child gets as stdin, stdout and stderr, opened by the parent with O_CLOEXEC.
struct ChildFds {
  int in = -1, out = -1, err = -1;
};

// Forks and execs `path` with `argv`. Between fork and exec the child only makes
// async-signal-safe calls. An exec failure comes back through a close-on-exec pipe.
pid_t spawn(const std::string& path, const std::vector<std::string>& argv, const std::string& cwd,
            ChildFds fds, bool ownGroup) {
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) throw sysError("pipe2");
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    close(report[0]);
    close(report[1]);
    throw sysError("fork");
  }
  if (pid == 0) {
    // Dies with the thread that started it (and at once if that is already gone).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (ownGroup) setpgid(0, 0);
    int err = 0;
    if (dup2(fds.in, 0) < 0 || dup2(fds.out, 1) < 0 || dup2(fds.err, 2) < 0) err = errno;
    if (err == 0 && !cwd.empty() && chdir(cwd.c_str()) != 0) err = errno;
    if (err == 0) {
      execv(path.c_str(), args.data());
      err = errno;
    }
    ssize_t ignored = write(report[1], &err, sizeof err);
    (void)ignored;
    _exit(127);
  }
  close(report[1]);
  int childErr = 0;
  ssize_t n;
  do { n = read(report[0], &childErr, sizeof childErr); } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == static_cast<ssize_t>(sizeof childErr)) {
    waitpid(pid, nullptr, 0);
    errno = childErr;
    throw sysError("cannot start " + path);
  }
  return pid;
}

int openOrThrow(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) throw sysError("cannot open " + path);
  return fd;
}

}  // namespace

int decodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string resolveProgram(const std::string& name) {
  if (name.find('/') != std::string::npos) {
    if (access(name.c_str(), X_OK) != 0) throw std::runtime_error("no such program: " + name);
    return name;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  for (;;) {
    size_t end = dirs.find(':', start);
    std::string dir =
        dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  throw std::runtime_error("program not found in $PATH: " + name);
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& cwd,
                           const std::string& stdoutPath, const std::string& stderrPath,
                           const std::string& stdinPath)
    : argv_(std::move(argv)) {
  if (argv_.empty()) throw std::runtime_error("ChildProcess: empty argv");
  std::string path = resolveProgram(argv_[0]);
  ChildFds fds;
  auto closeFds = [&fds] {
    if (fds.in >= 0) close(fds.in);
    if (fds.out >= 0) close(fds.out);
    if (fds.err >= 0 && fds.err != fds.out) close(fds.err);
  };
  try {
    fds.in = openOrThrow(stdinPath, O_RDONLY);
    fds.out = openOrThrow(stdoutPath, O_WRONLY | O_CREAT | O_APPEND);
    fds.err =
        stderrPath == stdoutPath ? fds.out : openOrThrow(stderrPath, O_WRONLY | O_CREAT | O_APPEND);
    pid_ = spawn(path, argv_, cwd, fds, false);
  } catch (...) {
    closeFds();
    throw;
  }
  closeFds();
}

ChildProcess::~ChildProcess() {
  if (isRunning()) stop();
}

void ChildProcess::reap(bool block) {
  if (status_ || pid_ <= 0) return;
  int status = 0;
  pid_t r;
  do { r = waitpid(pid_, &status, block ? 0 : WNOHANG); } while (r < 0 && errno == EINTR);
  if (r == pid_ && (WIFEXITED(status) || WIFSIGNALED(status))) status_ = decodeWaitStatus(status);
  if (r < 0 && errno == ECHILD) status_ = -1;  // reaped elsewhere: it is gone all the same
}

bool ChildProcess::isRunning() {
  reap(false);
  return !status_;
}

bool ChildProcess::signal(int sig) {
  if (!isRunning()) return false;
  return ::kill(pid_, sig) == 0;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (signal(SIGTERM)) ::kill(pid_, SIGCONT);
  auto deadline = Clock::now() + grace;
  while (isRunning() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (isRunning()) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  return *status_;
}

std::optional<int> ChildProcess::exitStatus() {
  reap(false);
  return status_;
}

CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::runtime_error("runCommand: empty argv");
  std::string path = resolveProgram(argv[0]);
  int outPipe[2], errPipe[2];
  if (pipe2(outPipe, O_CLOEXEC) != 0) throw sysError("pipe2");
  if (pipe2(errPipe, O_CLOEXEC) != 0) {
    close(outPipe[0]);
    close(outPipe[1]);
    throw sysError("pipe2");
  }
  ChildFds fds;
  pid_t pid = -1;
  try {
    fds.in = openOrThrow("/dev/null", O_RDONLY);
    fds.out = outPipe[1];
    fds.err = errPipe[1];
    // Its own process group, so that a timeout also ends whatever it started.
    pid = spawn(path, argv, "", fds, true);
  } catch (...) {
    for (int fd : {fds.in, outPipe[0], outPipe[1], errPipe[0], errPipe[1]}) {
      if (fd >= 0) close(fd);
    }
    throw;
  }
  close(fds.in);
  close(outPipe[1]);
  close(errPipe[1]);

  CommandResult result;
  auto deadline = Clock::now() + timeout;
  // After a kill, grandchildren that escaped the group could hold the pipes open: bound the drain.
  auto drainDeadline = Clock::time_point::max();
  struct pollfd pfds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open = 2;
  while (open > 0) {
    auto now = Clock::now();
    if (!result.timedOut && now >= deadline) {
      result.timedOut = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      drainDeadline = now + std::chrono::seconds(1);
    }
    if (now >= drainDeadline) break;
    auto until = result.timedOut ? drainDeadline : deadline;
    auto waitMs = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    int r = poll(pfds, 2, static_cast<int>(std::min<long long>(waitMs, 1000)));
    if (r < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (pfds[i].fd < 0 || !(pfds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = read(pfds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(pfds[i].fd);
        pfds[i].fd = -1;
        --open;
      }
    }
  }
  for (auto& p : pfds) {
    if (p.fd >= 0) close(p.fd);
  }
  // The pipes are closed, so the child has exited or is about to: but a child that closed its
  // output and lingers must not outlive the deadline either.
  int status = 0;
  for (;;) {
    pid_t r = waitpid(pid, &status, result.timedOut ? 0 : WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (r == 0) {
      if (Clock::now() >= deadline) {
        result.timedOut = true;
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }
  result.exitCode = result.timedOut ? -1 : decodeWaitStatus(status);
  return result;
}

}  // namespace jh::test
