// An LD_PRELOAD library for system tests: while the file named by $JH_FAULT_FILE holds "enospc",
// every write() to the process's orders.csv (or orders.csv.partial) fails with ENOSPC; while it
// holds "eio-sync", every fdatasync() of it fails with EIO. Anything else passes through. No
// privileges needed, unlike a small tmpfs, and the fault comes and goes exactly when the test says.
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

// The control file's first word ("" when absent). Uses open/read only: write() is ours.
void currentFault(char* out, size_t size) {
  out[0] = '\0';
  const char* path = std::getenv("JH_FAULT_FILE");
  if (!path) return;
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = ::read(fd, out, size - 1);
  ::close(fd);
  out[n > 0 ? n : 0] = '\0';
  for (char* c = out; *c; ++c) {
    if (*c == '\n' || *c == ' ') *c = '\0';
  }
}

bool isOrdersFile(int fd) {
  char link[64], target[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = ::readlink(link, target, sizeof target - 1);
  if (n <= 0) return false;
  target[n] = '\0';
  // (orders.csv.partial while a replica that started without orders.csv has not synced with every
  // peer)
  for (const char* suffix : {"/orders.csv", "/orders.csv.partial"}) {
    size_t len = std::strlen(suffix);
    if (static_cast<size_t>(n) >= len && std::strcmp(target + n - len, suffix) == 0) return true;
  }
  return false;
}

bool faulty(int fd, const char* fault) {
  if (!isOrdersFile(fd)) return false;
  char now[32];
  currentFault(now, sizeof now);
  return std::strcmp(now, fault) == 0;
}

}  // namespace

extern "C" ssize_t write(int fd, const void* buf, size_t count) {
  using Write = ssize_t (*)(int, const void*, size_t);
  static Write real = reinterpret_cast<Write>(dlsym(RTLD_NEXT, "write"));
  if (faulty(fd, "enospc")) {
    errno = ENOSPC;
    return -1;
  }
  return real(fd, buf, count);
}

extern "C" int fdatasync(int fd) {
  using Sync = int (*)(int);
  static Sync real = reinterpret_cast<Sync>(dlsym(RTLD_NEXT, "fdatasync"));
  if (faulty(fd, "eio-sync")) {
    errno = EIO;
    return -1;
  }
  return real(fd);
}
