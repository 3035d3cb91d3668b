// Redialling Cap'n Proto connection.
#include "schema/rpc/rpc-link.h"

#include "schema/runtime/failure-words.h"
#include "schema/just-hungry.capnp.h"
#include "schema/runtime/log.h"
#include "schema/rpc/buffered-stream.h"
#include "schema/rpc/task-errors.h"

namespace jh {

struct RpcLink::Connection {
  kj::Own<kj::AsyncIoStream> stream;
  capnp::TwoPartyClient client;
  capnp::Capability::Client cap;

  Connection(kj::Own<kj::AsyncIoStream> s, kj::Timer& timer)
      : stream(bufferStream(kj::mv(s), timer)), client(*stream), cap(client.bootstrap()) {}
};

namespace {
LogTaskFailures logErrors{"link", LogLevel::DEBUG};
}  // namespace

RpcLink::RpcLink(kj::Network& network, kj::Timer& timer, std::string address,
                 uint32_t connectTimeoutMs, kj::Maybe<Opener> opener)
    : network_(network), timer_(timer), address_(std::move(address)),
      connectTimeoutMs_(connectTimeoutMs), opener_(kj::mv(opener)),
      tasks_(kj::heap<kj::TaskSet>(logErrors)) {}

RpcLink::~RpcLink() noexcept(false) {}

kj::Promise<capnp::Capability::Client> RpcLink::bootstrap() {
  if (connection_) return connection_->cap;
  return dialing_.join([this]() { return dial(); }).then([this]() -> capnp::Capability::Client {
    if (!connection_) {
      kj::throwFatalException(
          plainException(kj::Exception::Type::DISCONNECTED,
                         fmt::format("the connection to {} was lost", address_)));
    }
    return connection_->cap;
  });
}

kj::Promise<void> RpcLink::dial() {
  ++dials_;
  JH_DEBUG("connecting to {}", address_);
  auto attempt = network_.parseAddress(address_).then(
      [](kj::Own<kj::NetworkAddress> addr) { return addr->connect().attach(kj::mv(addr)); });
  return timer_.timeoutAfter(connectTimeoutMs_ * kj::MILLISECONDS, kj::mv(attempt))
      .then(
          [this](kj::Own<kj::AsyncIoStream> stream) {
            JH_DEBUG("connected to {}", address_);
            connection_ = kj::heap<Connection>(kj::mv(stream), timer_);
            KJ_IF_MAYBE (open, opener_) { connection_->cap = (*open)(connection_->cap); }
            uint64_t generation = ++generation_;
            tasks_->add(connection_->client.onDisconnect().then([this, generation]() {
              if (generation == generation_) drop();
            }));
          },
          [this](kj::Exception&& e) {
            std::string reason = e.getType() == kj::Exception::Type::OVERLOADED
                                     ? fmt::format("no answer within {} ms", connectTimeoutMs_)
                                     : failureReason(e);
            JH_DEBUG("cannot connect to {}: {}", address_, reason);
            kj::throwFatalException(
                plainException(kj::Exception::Type::DISCONNECTED,
                               fmt::format("cannot connect to {}: {}", address_, reason)));
          });
}

void RpcLink::drop() {
  if (!connection_) return;
  ++generation_;
  // The connection may be dropped from inside one of its own callbacks: free it afterwards.
  tasks_->add(kj::evalLater([c = kj::mv(connection_)]() {}));
}

RpcLink::Opener replicaOpener(std::string secret) {
  return [secret =
              std::move(secret)](capnp::Capability::Client bootstrap) -> capnp::Capability::Client {
    auto req = bootstrap.castAs<rpc::ReplicaGate>().openRequest();
    req.setSecret(kj::arrayPtr(reinterpret_cast<const capnp::byte*>(secret.data()), secret.size()));
    return req.send().getReplica();
  };
}

bool isConnectionFailure(const kj::Exception& e) {
  auto t = e.getType();
  return t == kj::Exception::Type::DISCONNECTED || t == kj::Exception::Type::OVERLOADED;
}

}  // namespace jh
