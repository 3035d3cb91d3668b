// Serves one capability on a loopback port, as a front-end would, and can close every accepted
// connection on demand: how the client's tests break a connection for real.
#pragma once

#include <string>
#include <vector>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

namespace jh::client::test {

class LoopbackServer {
 public:
  LoopbackServer(kj::AsyncIoContext& io, capnp::Capability::Client bootstrap);

  // "127.0.0.1:PORT".
  std::string address() const;
  // Closes every connection accepted so far, on the next turn of the event loop (so that a call
  // handler may ask for it). New connections are still accepted.
  void dropConnections();
  size_t connectionsAccepted() const { return accepted_; }

  // An address on which nothing listens: a port free a moment ago and reserved for this process
  // (jh::test::pickFreePort()), so no other test starts a server there.
  static std::string closedAddress();

 private:
  struct Connection {
    kj::Own<kj::AsyncIoStream> stream;
    kj::Promise<void> rpc = nullptr;  // dropping it cancels the protocol
  };
  kj::Promise<void> acceptLoop();

  capnp::TwoPartyServer server_;
  kj::Own<kj::ConnectionReceiver> listener_;
  std::vector<kj::Own<Connection>> connections_;
  uint16_t port_;
  size_t accepted_ = 0;
  kj::Promise<void> accepting_ = nullptr;
  kj::Promise<void> dropping_ = nullptr;
};

}  // namespace jh::client::test
