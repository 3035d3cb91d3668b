// Sockets bound by hand (KJ's network API has no SO_REUSEPORT), handed to KJ as they are taken.
#include "frontend/shared-port.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <kj/debug.h>

#include "schema/config/cluster-config.h"
#include "schema/runtime/failure-words.h"

namespace jh {

namespace {

[[noreturn]] void cannotListen(const std::string& address, const std::string& why) {
  throw plainException(kj::Exception::Type::FAILED,
                       fmt::format("cannot listen on {}: {}", address, why));
}

std::string systemReason(int error) {
  return failureReason(plainException(kj::Exception::Type::FAILED, std::strerror(error)));
}

// A socket bound to `where`, with SO_REUSEADDR (a restarted front-end binds again at once, as
// KJ's own listen does) and, when `shared`, SO_REUSEPORT; -1 and errno on failure.
int boundSocket(const sockaddr_storage& where, socklen_t length, bool shared) {
  int fd = ::socket(where.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  int one = 1;
  bool ok = ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
            (!shared || ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0) &&
            ::bind(fd, reinterpret_cast<const sockaddr*>(&where), length) == 0;
  if (!ok) {
    int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

void setPort(sockaddr_storage& where, uint16_t port) {
  if (where.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6&>(where).sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in&>(where).sin_port = htons(port);
  }
}

}  // namespace

SharedPort::SharedPort(const std::string& address, size_t copies) {
  KJ_REQUIRE(copies >= 1);
  // Port 0 (tests) is not a port of the cluster file, which parseAddress() judges.
  bool anyPort = address.size() > 2 && address.compare(address.size() - 2, 2, ":0") == 0;
  auto hostPort = parseAddress(anyPort ? address.substr(0, address.size() - 1) + "1" : address);
  if (!hostPort) cannotListen(address, "not host:port");
  if (anyPort) hostPort->port = 0;
  std::string host = hostPort->host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int error =
          ::getaddrinfo(host.c_str(), std::to_string(hostPort->port).c_str(), &hints, &found);
      error != 0) {
    cannotListen(address, gai_strerror(error));
  }
  sockaddr_storage where{};
  socklen_t length = static_cast<socklen_t>(found->ai_addrlen);
  std::memcpy(&where, found->ai_addr, found->ai_addrlen);
  ::freeaddrinfo(found);

  // A probe without SO_REUSEPORT fails where any socket already listens, even one that set it
  // (another front-end started on the same port): the port is then refused, not shared.
  if (hostPort->port != 0) {
    int probe = boundSocket(where, length, false);
    if (probe < 0) cannotListen(address, systemReason(errno));
    ::close(probe);
  }
  for (size_t i = 0; i < copies; ++i) {
    int fd = boundSocket(where, length, true);
    if (fd < 0 || ::listen(fd, SOMAXCONN) != 0) {
      int error = errno;
      if (fd >= 0) ::close(fd);
      for (int open : fds_) ::close(open);
      fds_.clear();
      cannotListen(address, systemReason(error));
    }
    fds_.push_back(fd);
    if (i == 0) {
      sockaddr_storage bound{};
      socklen_t boundLength = sizeof bound;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &boundLength);
      port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                                : reinterpret_cast<sockaddr_in&>(bound).sin_port);
      setPort(where, port_);  // port 0: the others join the port the first was given
    }
  }
}

SharedPort::~SharedPort() {
  for (int fd : fds_) {
    if (fd >= 0) ::close(fd);
  }
}

kj::Own<kj::ConnectionReceiver> SharedPort::take(size_t i, kj::LowLevelAsyncIoProvider& provider) {
  KJ_REQUIRE(i < fds_.size() && fds_[i] >= 0, "each socket is taken once", i);
  int fd = fds_[i];
  fds_[i] = -1;
  using P = kj::LowLevelAsyncIoProvider;
  return provider.wrapListenSocketFd(fd,
                                     P::TAKE_OWNERSHIP | P::ALREADY_CLOEXEC | P::ALREADY_NONBLOCK);
}

}  // namespace jh
