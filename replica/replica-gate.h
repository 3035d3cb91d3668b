// What a replica's port serves: the ReplicaGate, which hands out the Replica capability only to
// callers that present the cluster secret (DESIGN.md §2, the inside is closed).
#pragma once

#include <string>

#include "schema/just-hungry.capnp.h"

namespace jh {

class ReplicaGate final : public rpc::ReplicaGate::Server {
 public:
  // An empty `secret` lets anyone in (a cluster file without secret_file).
  ReplicaGate(std::string secret, rpc::Replica::Client replica)
      : secret_(std::move(secret)), replica_(kj::mv(replica)) {}

  kj::Promise<void> open(OpenContext context) override;

 private:
  std::string secret_;
  rpc::Replica::Client replica_;
};

}  // namespace jh
