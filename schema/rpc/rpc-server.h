// Serves one bootstrap capability on a listening socket, as capnp::TwoPartyServer does, but
// survives what a hostile or busy network does to a server: an accept() that fails (out of file
// descriptors under a flood of connections) is logged and retried after a pause instead of
// ending the server, and every connection reads messages of at most `maxMessageBytes` (larger
// ones drop that connection) instead of capnp's 64 MiB default.
#pragma once

#include <cstdint>

#include <capnp/capability.h>
#include <kj/async-io.h>

namespace jh {

// The largest message a server reads. Cap'n Proto also refuses to send a message larger than
// the connection's own limit, so it must hold the largest message: a batch of rows between
// replicas (5,000 rows of at most about 1 KiB each) or a page of a user's orders (MAX_ORDERS_PAGE).
// Memory is only used as a message's bytes actually arrive.
constexpr uint64_t FRONTEND_MAX_MESSAGE_BYTES = 8 << 20;
constexpr uint64_t REPLICA_MAX_MESSAGE_BYTES = 8 << 20;

class RpcServer {
 public:
  RpcServer(capnp::Capability::Client bootstrap, kj::Timer& timer, uint64_t maxMessageBytes);
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // Accepts connections until the returned promise is dropped; it never resolves by itself.
  kj::Promise<void> listen(kj::ConnectionReceiver& listener);

  uint64_t connections() const { return open_; }

 private:
  struct Connection;
  void accept(kj::Own<kj::AsyncIoStream> stream);

  capnp::Capability::Client bootstrap_;
  kj::Timer& timer_;
  uint64_t maxMessageWords_;
  uint64_t open_ = 0;
  uint64_t acceptFailures_ = 0;
  kj::Own<kj::TaskSet> tasks_;
};

}  // namespace jh
