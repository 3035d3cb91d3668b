// Direct Cap'n Proto calls that tests use to see a cluster's state without going through
// jh-client: Replica.health() and FrontEnd.status(). Each call runs on a short-lived thread with
// its own KJ event loop, so it works from any test, whether or not that test has a loop of its
// own.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace jh::test {

struct ReplicaProbe {
  std::string name;
  std::string state;  // "SYNCING", "READY", "DEGRADED" or "STOPPING"
  // (origin, incarnation, highest seq held, digest of those rows)
  std::vector<std::tuple<std::string, uint64_t, uint64_t, uint64_t>> vector;
  uint64_t rowCount = 0;    // rows held, every copy counted
  uint64_t orderCount = 0;  // orders as users see them
  std::string contentDigest;
  uint32_t pid = 0;
  uint64_t incarnation = 0;
  bool promoted = false;
  bool holdsHistory = false;
};

struct FrontendProbe {
  struct Replica {
    std::string name, address, state, role;  // state READY/SYNCING/DOWN; role primary/backup/down
    uint64_t lag = 0;
    uint64_t orderCount = 0;
    uint64_t rowCount = 0;
    bool contentDiffers = false;
    bool diverged = false;
  };
  std::string frontend;
  std::string primary;  // empty when no replica is READY
  std::vector<Replica> replicas;
};

// Replica.health() at `address` ("127.0.0.1:9001"); nullopt when it does not answer within
// `timeout` (connection included).
// `secret` is presented to the replica's gate (empty for a cluster without one).
std::optional<ReplicaProbe> probeReplica(const std::string& address,
                                         std::chrono::milliseconds timeout,
                                         const std::string& secret = {});

// FrontEnd.status() at `address`; nullopt when it does not answer within `timeout`.
std::optional<FrontendProbe> probeFrontend(const std::string& address,
                                           std::chrono::milliseconds timeout);

}  // namespace jh::test
