// One outbound Cap'n Proto connection to a named peer that redials by itself: the single place
// where reconnection is written (capnp 0.9.2 has no autoReconnect). Used by the front-end (to
// replicas), the replicas (to each other), the client and the benchmark (to front-ends).
#pragma once

#include <cstdint>
#include <string>

#include <capnp/capability.h>
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/function.h>

#include "schema/runtime/shared-call.h"

namespace jh {

class RpcLink {
 public:
  // Turns the far side's bootstrap capability into the one callers want (for a replica: the
  // Replica that its ReplicaGate hands out for the cluster secret). Runs once per connection;
  // its result may be a promised (pipelined) capability.
  using Opener = kj::Function<capnp::Capability::Client(capnp::Capability::Client bootstrap)>;

  RpcLink(kj::Network& network, kj::Timer& timer, std::string address, uint32_t connectTimeoutMs,
          kj::Maybe<Opener> opener = nullptr);
  ~RpcLink() noexcept(false);
  RpcLink(const RpcLink&) = delete;
  RpcLink& operator=(const RpcLink&) = delete;

  // The far side's bootstrap capability, dialling first when there is no live connection.
  // Concurrent callers share one attempt. Fails DISCONNECTED when the connection cannot be made
  // within the connect timeout.
  kj::Promise<capnp::Capability::Client> bootstrap();

  template <typename T>
  kj::Promise<typename T::Client> get() {
    return bootstrap().then([](capnp::Capability::Client c) { return c.castAs<T>(); });
  }

  // Forgets the connection, so that the next bootstrap() dials again. Call it when a call on
  // this link failed as DISCONNECTED or missed its deadline.
  void drop();

  bool isConnected() const { return connection_ != nullptr; }
  const std::string& address() const { return address_; }
  uint64_t dials() const { return dials_; }

 private:
  struct Connection;
  kj::Promise<void> dial();

  kj::Network& network_;
  kj::Timer& timer_;
  std::string address_;
  uint32_t connectTimeoutMs_;
  kj::Maybe<Opener> opener_;
  kj::Own<Connection> connection_;
  SharedCall<void> dialing_;
  uint64_t generation_ = 0;
  uint64_t dials_ = 0;
  kj::Own<kj::TaskSet> tasks_;
};

// The opener for links to replicas: presents `secret` to the replica's ReplicaGate.
RpcLink::Opener replicaOpener(std::string secret);

// True for the failures after which a caller should try elsewhere (the far side is gone, or did
// not answer in time), as opposed to the far side refusing the request.
bool isConnectionFailure(const kj::Exception& e);

}  // namespace jh
