// What the client asks of a front-end, as plain C++ values (schema/answers/front-end-values.h): the
// seam between the client's screens and commands and the Cap'n Proto connection, so that tests can
// put a fake in its place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <kj/async.h>

#include "schema/answers/front-end-values.h"
#include "schema/just-hungry.capnp.h"
#include "schema/orders/order.h"

namespace jh::client {

// A connection that broke (or found no front-end) and was made again: where the client is now.
struct Reconnection {
  std::string frontEnd;  // its name in the cluster file
  std::string address;
};

// One thing the cluster did, from the front-end's event feed (FrontEnd.events): the value the
// front-end keeps (schema/answers/front-end-values.h).
using TimelineEvent = ClusterEvent;

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
