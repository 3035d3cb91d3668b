// One listening address served by several event loops of a process: a socket per loop, bound with
// SO_REUSEPORT, so that the kernel spreads new connections over the loops and each accepts its own
// (docs/threads.md says why this rather than one acceptor handing connections out).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <kj/async-io.h>

namespace jh {

class SharedPort {
 public:
  // Binds and listens on `address` ("host:port"; port 0 picks one port for all) `copies` times.
  // Only this process may share the port: when any other socket listens there, this throws
  // "cannot listen on ADDRESS: address already in use", as one socket without SO_REUSEPORT would.
  SharedPort(const std::string& address, size_t copies);
  ~SharedPort();
  SharedPort(const SharedPort&) = delete;
  SharedPort& operator=(const SharedPort&) = delete;

  uint16_t port() const { return port_; }
  size_t copies() const { return fds_.size(); }

  // Socket `i` as a listener of the calling thread's event loop, which then owns it; once each.
  kj::Own<kj::ConnectionReceiver> take(size_t i, kj::LowLevelAsyncIoProvider& provider);

 private:
  std::vector<int> fds_;  // -1 once taken
  uint16_t port_ = 0;
};

}  // namespace jh
