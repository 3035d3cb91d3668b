// The SIGINT handler behind Ctrl-C, and its self-pipe into the event loop.
#include "client/ctrl-c.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <ostream>

#include <kj/debug.h>

namespace jh::client {

namespace {

// The handler's whole state: only async-signal-safe work is done with it.
volatile sig_atomic_t pressed = 0;
volatile sig_atomic_t wakeFd = -1;

void onSigint(int) {
  int saved = errno;
  pressed = 1;
  if (wakeFd >= 0) {
    // A full pipe already holds a wake-up: the byte may be dropped.
    [[maybe_unused]] ssize_t n = write(wakeFd, "!", 1);
  }
  errno = saved;
}

// Whether the terminal showed "^C" itself, as it does outside libedit's prompts.
bool terminalEchoesCtrlC() {
  struct termios t;
  if (tcgetattr(STDIN_FILENO, &t) != 0) return false;
  return (t.c_lflag & ECHO) != 0 && (t.c_lflag & ECHOCTL) != 0;
}

}  // namespace

CtrlC::CtrlC(kj::LowLevelAsyncIoProvider& io, std::ostream& echo) : echo_(echo) {
  KJ_REQUIRE(wakeFd < 0, "only one CtrlC may exist at a time");
  int fds[2];
  KJ_SYSCALL(pipe2(fds, O_NONBLOCK | O_CLOEXEC));
  readEnd_ = fds[0];
  writeEnd_ = fds[1];
  pipe_ = io.wrapInputFd(readEnd_, kj::LowLevelAsyncIoProvider::ALREADY_NONBLOCK |
                                       kj::LowLevelAsyncIoProvider::ALREADY_CLOEXEC);
  pressed = 0;
  wakeFd = writeEnd_;
  struct sigaction action = {};
  action.sa_handler = onSigint;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  KJ_SYSCALL(sigaction(SIGINT, &action, &previous_));
}

CtrlC::~CtrlC() noexcept(false) {
  sigaction(SIGINT, &previous_, nullptr);
  wakeFd = -1;
  pipe_ = nullptr;
  close(readEnd_);
  close(writeEnd_);
}

bool CtrlC::take() {
  char drained[64];
  while (read(readEnd_, drained, sizeof drained) > 0) {}
  bool was = pressed != 0;
  pressed = 0;
  return was;
}

kj::Promise<void> CtrlC::next() {
  take();
  return pipe_->tryRead(buffer_, 1, sizeof buffer_).then([this](size_t) {
    take();
    echo_ << (terminalEchoesCtrlC() ? "\n" : "^C\n");
    echo_.flush();
  });
}

}  // namespace jh::client
