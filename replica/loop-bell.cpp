// An eventfd doorbell for one event loop.
#include "replica/loop-bell.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

#include <kj/debug.h>

namespace jh {

namespace {
int newEventFd() {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) KJ_FAIL_SYSCALL("eventfd", errno);
  return fd;
}
}  // namespace

LoopBell::LoopBell(kj::LowLevelAsyncIoProvider& io)
    : fd_(newEventFd()),
      in_(io.wrapInputFd(fd_, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP |
                                  kj::LowLevelAsyncIoProvider::ALREADY_NONBLOCK |
                                  kj::LowLevelAsyncIoProvider::ALREADY_CLOEXEC)) {}

void LoopBell::ring() {
  if (rung_.exchange(true)) return;  // not heard yet: that wake-up covers this one too
  uint64_t one = 1;
  ssize_t n;
  do { n = ::write(fd_, &one, sizeof one); } while (n < 0 && errno == EINTR);
  // (EAGAIN would need 2^64 - 1 rings unheard.)
}

kj::Promise<void> LoopBell::heard() {
  return in_->tryRead(&count_, sizeof count_, sizeof count_).then([this](size_t) {
    // Cleared before the listener looks at what was published: a ring after this writes again.
    rung_ = false;
  });
}

}  // namespace jh
