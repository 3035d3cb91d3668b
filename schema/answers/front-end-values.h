// What a front-end answers, as plain C++ values: made by the front-end's desk, carried over
// Cap'n Proto to the client or written as JSON by the HTTP door and the client's --json.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "schema/answers/rejection.h"
#include "schema/just-hungry.capnp.h"
#include "schema/answers/replica-row.h"

namespace jh {

struct MenuEntry {
  std::string item;
  int64_t pricePence = 0;
};

struct PostcodeInfo {
  std::string postCode;  // normalised
  std::string area;      // or "unverified"
  bool verified = false;
};

struct OrderRequest {
  std::string
      orderId;  // the idempotency key (with userCode): the same on every retry of one attempt
  std::string userCode;
  std::string item;
  std::string postCode;  // as typed; the front-end normalises it
};

struct PostcodeServiceRow {
  std::string url;
  std::string state;  // ok, failing or unknown
  int64_t retryInMs = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
};

struct ClusterStatus {
  std::string frontend;
  std::string primary;  // empty when no replica is READY
  std::vector<ReplicaRow> replicas;
  uint32_t heartbeatMs = 0;
  std::vector<PostcodeServiceRow> postcodeServices;
  uint64_t cacheHits = 0;
  uint64_t cacheMisses = 0;
  std::string whenUnreachable;
  uint64_t ordersPlaced = 0;  // acknowledged through this front-end since it started
  uint64_t ordersFailed = 0;  // answered UNAVAILABLE
  uint64_t lastEvent = 0;     // the id of the newest ClusterEvent
};

// One thing the cluster did, as one front-end saw it (DESIGN.md §8).
struct ClusterEvent {
  uint64_t id = 0;   // 1, 2, 3… within this front-end's run
  int64_t atMs = 0;  // wall clock, ms since the epoch
  rpc::EventKind kind = rpc::EventKind::STARTED;
  std::string replica;
  uint64_t count = 0;   // rows fetched, where it applies
  std::string message;  // one sentence for a person
};

}  // namespace jh
