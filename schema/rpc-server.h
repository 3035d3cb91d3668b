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
// the connection's own limit, so it must hold the largest reply: a user's whole order list
// (getOrders is not paginated; about 300,000 orders of one user fit). Memory is only used as a
// message's bytes actually arrive.
constexpr uint64_t FRONTEND_MAX_MESSAGE_BYTES = 64 << 20;
constexpr uint64_t REPLICA_MAX_MESSAGE_BYTES = 64 << 20;
// The largest getOrders reply a replica builds: half of what a connection reads (capnp's default,
// 64 MiB, on the front-end's and the client's side), as the front-end passes the list on in its
// own reply. About 140,000 orders; a user with more is told so instead.
constexpr uint64_t MAX_ORDERS_REPLY_BYTES = 32 << 20;

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
