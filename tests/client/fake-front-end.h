// An imitation front-end for the client's tests: a small menu, a few postcodes it knows, orders
// kept in memory and idempotent by order id, call counters, and knobs to refuse, hang or drop.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/front-end-api.h"
#include "schema/just-hungry.capnp.h"
#include "schema/orders/order.h"

namespace jh::client::test {

class FakeFrontEnd final : public rpc::FrontEnd::Server {
 public:
  // What the client asked.
  int calls = 0;                      // every call of every method
  std::vector<std::string> orderIds;  // the order id of each placeOrder call, repeats included

  // How to behave.
  bool unavailable = false;                     // every call but status is rejected UNAVAILABLE
  std::optional<rpc::RejectCode> refuseOrders;  // every placeOrder is rejected with this code
  int hangOrders = 0;                           // this many placeOrder calls never answer
  int dropOrders = 0;                           // this many placeOrder calls close the connection
  std::function<void()> dropConnection;         // how to close it (the loopback server's)
  std::string name = "fake.frontend";
  std::string motd = "Today: half-price pizza.";
  // What events() serves: those with ids above the caller's `after`. A test appends to it as the
  // cluster would act, or replaces it as a restarted front-end would, numbering afresh.
  std::vector<TimelineEvent> feed;
  std::vector<uint64_t> feedAfter;  // the `after` of each events call

  // "Westminster, London" for a well-formed postcode; "ZZ1 1ZZ" is not found, and "UN1 1UN"
  // cannot be verified.
  static constexpr const char* AREA = "Westminster, London";

  kj::Promise<void> getMotd(GetMotdContext context) override;
  kj::Promise<void> getMenu(GetMenuContext context) override;
  kj::Promise<void> getOrders(GetOrdersContext context) override;
  kj::Promise<void> placeOrder(PlaceOrderContext context) override;
  kj::Promise<void> validatePostcode(ValidatePostcodeContext context) override;
  kj::Promise<void> status(StatusContext context) override;
  kj::Promise<void> events(EventsContext context) override;

 private:
  // The postcode check shared by validatePostcode and placeOrder.
  struct Check {
    std::optional<rpc::RejectCode> refused;
    std::string message;
    std::string postCode;
    std::string area;
  };
  static Check check(const std::string& input);

  std::vector<std::pair<std::string, int64_t>> menu_ = {
      {"Margherita pizza", 785}, {"Crème brûlée", 450}, {"Fish, chips & \"mushy\" peas", 1185}};
  std::map<std::string, OrderRecord> byId_;
  std::vector<std::string> placedInOrder_;
  uint64_t seq_ = 0;
};

}  // namespace jh::client::test
