// What the client asks of a front-end, as plain C++ values: the seam between the client's screens
// and commands and the Cap'n Proto connection, so that tests can put a fake in its place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <kj/async.h>

#include "schema/just-hungry.capnp.h"
#include "schema/order.h"
#include "schema/replica-row.h"

namespace jh::client {

// An expected refusal (a bad item, an unknown postcode…): data, not an exception.
struct Rejection {
  rpc::RejectCode code;
  std::string message;
};

// Either what was asked for, or why the front-end refused it.
template <typename T>
using Reply = std::variant<T, Rejection>;

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
  std::string orderId;  // the idempotency key: the same on every retry of one attempt
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

// A connection that broke (or found no front-end) and was made again: where the client is now.
struct Reconnection {
  std::string frontEnd;  // its name in the cluster file
  std::string address;
};

// One thing the cluster did, from the front-end's event feed (FrontEnd.events).
struct TimelineEvent {
  uint64_t id = 0;     // 1, 2, 3… within one run of one front-end
  int64_t atMs = 0;    // wall clock, ms since the epoch
  rpc::EventKind kind = rpc::EventKind::STARTED;
  std::string replica;  // "" when it concerns no one replica
  uint64_t count = 0;   // rows fetched, where it applies
  std::string message;  // one sentence for a person
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
  uint64_t lastEvent = 0;     // the id of its newest event
};

// One front-end as the client sees it. A returned promise fails (DISCONNECTED, OVERLOADED) only
// when the request could not be carried out at all, after whatever retrying the implementation
// does; every expected outcome arrives as a value.
class FrontEndApi {
 public:
  virtual ~FrontEndApi() = default;

  virtual kj::Promise<Reply<std::string>> motd() = 0;
  virtual kj::Promise<Reply<std::vector<MenuEntry>>> menu() = 0;
  // The user's orders, newest first (fetched page by page).
  virtual kj::Promise<Reply<std::vector<OrderRecord>>> orders(std::string userCode) = 0;
  // Repeating a request with the same orderId never places a second order.
  virtual kj::Promise<Reply<OrderRecord>> placeOrder(OrderRequest request) = 0;
  virtual kj::Promise<Reply<PostcodeInfo>> validatePostcode(std::string postCode) = 0;
  virtual kj::Promise<ClusterStatus> status() = 0;
  // Changes how often the front-end checks the replicas' health, while it runs.
  virtual kj::Promise<void> setHeartbeat(uint32_t ms) = 0;
  // The front-end's events with ids above `after`, oldest first (it keeps the newest few
  // hundred).
  virtual kj::Promise<std::vector<TimelineEvent>> events(uint64_t after) = 0;

  // The latest reconnection since the previous call of this method: a request was served after
  // an earlier one had been, with a broken connection or a failed request in between. nullopt
  // when there was none (and from implementations that do not reconnect).
  virtual std::optional<Reconnection> takeReconnection() { return std::nullopt; }
};

}  // namespace jh::client
