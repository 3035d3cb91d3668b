// FrontEnd RPC handlers.
#include "frontend/frontend-service.h"

#include <algorithm>

#include <fmt/format.h>

#include "schema/daemon.h"
#include "schema/log.h"
#include "schema/order.h"
#include "schema/postcode-format.h"

namespace jh {

namespace {

constexpr auto CATALOGUE_TTL = 2 * kj::SECONDS;
const char* const NO_REPLICA = "The ordering service is unavailable right now; please try again shortly.";

std::string notAPostcode(const PostcodeVerdict& verdict) {
  return fmt::format("That is not a UK postcode (for example SW1A 1AA): {}.", verdict.problem);
}

void reject(rpc::Rejection::Builder out, rpc::RejectCode code, const std::string& message) {
  out.setCode(code);
  out.setMessage(message);
}

std::string upperTrimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Turns a failure that is not a connection failure (a bug far away) into words for the client.
template <typename Fill>
auto unavailableOnFailure(Fill fill) {
  return [fill](kj::Exception&& e) mutable {
    JH_ERROR("a request failed inside the front-end ({}); the client was told the service is unavailable",
             e.getDescription().cStr());
    fill(NO_REPLICA);
  };
}

}  // namespace

FrontEndService::FrontEndService(const ClusterConfig& config, std::string name, ReplicaRouter& router,
                                 PostcodeService& postcodes, kj::Timer& timer)
    : config_(config), name_(std::move(name)), router_(router), postcodes_(postcodes), timer_(timer),
      batcher_(router, config.minAcks), catalogueAt_(timer.now()) {}

kj::Maybe<const FrontEndService::Catalogue&> FrontEndService::freshCatalogue() {
  KJ_IF_MAYBE(c, catalogue_) {
    if (timer_.now() - catalogueAt_ < CATALOGUE_TTL) return *c;
  }
  return nullptr;
}

kj::Promise<kj::Maybe<const FrontEndService::Catalogue&>> FrontEndService::catalogue() {
  if (freshCatalogue() != nullptr) return freshCatalogue();
  if (catalogueFetch_ == nullptr) {
    auto fetched = kj::heap<Catalogue>();
    Catalogue& ref = *fetched;
    auto fetch = router_.route([&ref](rpc::Replica::Client replica) {
      auto menu = replica.getMenuRequest().send();
      auto motd = replica.getMotdRequest().send();
      return menu.then([&ref, motd = kj::mv(motd)](auto menuReply) mutable {
        ref.items.clear();
        for (auto i : menuReply.getItems()) {
          ref.items.push_back({i.getItem(), upperTrimmed(i.getItem().cStr()), i.getPricePence()});
        }
        return motd.then([&ref](auto motdReply) {
          ref.motd = motdReply.getMotd();
          return ReplicaRouter::Served::YES;
        });
      });
    });
    catalogueFetch_ = fetch
        .then([this, fetched = kj::mv(fetched)](bool served) mutable {
          if (served) {
            catalogue_ = kj::mv(*fetched);
            catalogueAt_ = timer_.now();
          }
        }, [](kj::Exception&& e) {
          JH_ERROR("cannot fetch the menu and message of the day from the primary: {}", e.getDescription().cStr());
        })
        .then([this]() { catalogueFetch_ = nullptr; })
        .fork();
  }
  KJ_IF_MAYBE(f, catalogueFetch_) {
    // A stale copy is better than none when no replica answers.
    return f->addBranch().then([this]() -> kj::Maybe<const Catalogue&> { return catalogue_; });
  }
  return catalogue_.map([](Catalogue& c) -> const Catalogue& { return c; });
}

kj::Promise<void> FrontEndService::getMotd(GetMotdContext context) {
  return track("getMotd", {}, catalogue().then([context](kj::Maybe<const Catalogue&> c) mutable {
    auto results = context.getResults();
    KJ_IF_MAYBE(cat, c) {
      results.setMotd(cat->motd);
      results.setOk(true);
    } else {
      reject(results.initRejected(), rpc::RejectCode::UNAVAILABLE, NO_REPLICA);
    }
  }));
}

kj::Promise<void> FrontEndService::getMenu(GetMenuContext context) {
  return track("getMenu", {}, catalogue().then([context](kj::Maybe<const Catalogue&> c) mutable {
    auto results = context.getResults();
    KJ_IF_MAYBE(cat, c) {
      auto items = results.initItems(static_cast<unsigned>(cat->items.size()));
      for (unsigned i = 0; i < cat->items.size(); ++i) {
        items[i].setItem(cat->items[i].item);
        items[i].setPricePence(cat->items[i].pricePence);
      }
      results.setOk(true);
    } else {
      reject(results.initRejected(), rpc::RejectCode::UNAVAILABLE, NO_REPLICA);
    }
  }));
}

kj::Promise<void> FrontEndService::getOrders(GetOrdersContext context) {
  auto params = context.getParams();
  std::string user = params.getUserCode();
  std::string cursor = params.getCursor();
  uint32_t limit = params.getLimit();
  if (auto bad = checkUserCode(user)) {
    reject(context.getResults().initResult().initRejected(), rpc::RejectCode::INVALID_USER_CODE, *bad);
    return kj::READY_NOW;
  }
  auto fill = [context](const char* message) mutable {
    reject(context.getResults().initResult().initRejected(), rpc::RejectCode::UNAVAILABLE, message);
  };
  uint32_t minAcks = config_.minAcks;
  return track("getOrders", user, router_.route([context, user, cursor, limit, minAcks](rpc::Replica::Client replica) mutable {
    auto req = replica.getOrdersRequest();
    req.setUserCode(user);
    req.setCursor(cursor);
    req.setLimit(limit);
    req.setMinAcks(minAcks);
    return req.send().then([context](auto reply) mutable {
      auto result = reply.getResult();
      if (result.isRejected() && result.getRejected().getCode() == rpc::RejectCode::NOT_READY) {
        return ReplicaRouter::Served::NOT_READY;
      }
      context.getResults(reply.totalSize()).setResult(result);
      return ReplicaRouter::Served::YES;
    });
  }).then([fill](bool served) mutable {
    if (!served) fill(NO_REPLICA);
  }, unavailableOnFailure(fill)));
}

kj::Promise<void> FrontEndService::placeOrder(PlaceOrderContext context) {
  using C = rpc::RejectCode;
  auto params = context.getParams();
  OrderRecord order;
  order.orderId = params.getOrderId();
  order.userCode = params.getUserCode();
  std::string item = params.getItem();
  std::string postcodeInput = params.getPostCode();
  context.releaseParams();

  auto refuse = [context](C code, const std::string& message) mutable {
    reject(context.getResults().initResult().initRejected(), code, message);
  };
  if (auto bad = checkOrderId(order.orderId)) {
    refuse(C::INVALID_ORDER, *bad);
    return kj::READY_NOW;
  }
  if (auto bad = checkUserCode(order.userCode)) {
    refuse(C::INVALID_USER_CODE, *bad);
    return kj::READY_NOW;
  }
  if (item.size() > MAX_ITEM) {
    refuse(C::UNKNOWN_ITEM, "That item is not on the menu.");
    return kj::READY_NOW;
  }
  PostcodeVerdict verdict = judgePostcode(postcodeInput);
  if (!verdict.normalised) {
    refuse(C::INVALID_POSTCODE, notAPostcode(verdict));
    return kj::READY_NOW;
  }
  const std::string& normalised = *verdict.normalised;

  std::string detail = order.orderId + " " + order.userCode;
  // With the menu fresh, the order is priced in this turn (and with the postcode's answer cached,
  // handed to the batcher too), without a continuation per step.
  KJ_IF_MAYBE(cat, freshCatalogue()) {
    if (!priceFromMenu(*cat, item, order, refuse)) return kj::READY_NOW;
    return track("placeOrder", std::move(detail), locateAndPlace(context, std::move(order), normalised));
  }
  return track("placeOrder", std::move(detail), catalogue().then([this, context, refuse, item, order = std::move(order), postcode = normalised](
                              kj::Maybe<const Catalogue&> c) mutable -> kj::Promise<void> {
    const Catalogue* cat = nullptr;
    KJ_IF_MAYBE(found, c) { cat = found; }
    if (!cat) {
      refuse(C::UNAVAILABLE, NO_REPLICA);
      return kj::READY_NOW;
    }
    if (!priceFromMenu(*cat, item, order, refuse)) return kj::READY_NOW;
    return locateAndPlace(context, std::move(order), postcode);
  }));
}

kj::Promise<void> FrontEndService::locateAndPlace(PlaceOrderContext context, OrderRecord order,
                                                  const std::string& postCode) {
  if (auto answer = postcodes_.cached(postCode)) return placeAt(context, std::move(order), std::move(*answer));
  return postcodes_.lookup(postCode).then([this, context, order = std::move(order)](PostcodeAnswer answer) mutable {
    return placeAt(context, std::move(order), std::move(answer));
  });
}

template <typename Refuse>
bool FrontEndService::priceFromMenu(const Catalogue& cat, const std::string& item, OrderRecord& order,
                                    Refuse& refuse) {
  std::string wanted = upperTrimmed(item);
  auto it = std::find_if(cat.items.begin(), cat.items.end(),
                         [&](const MenuItemCopy& m) { return m.key == wanted; });
  if (it == cat.items.end()) {
    refuse(rpc::RejectCode::UNKNOWN_ITEM, fmt::format("\"{}\" is not on the menu.", item));
    return false;
  }
  order.item = it->item;
  order.pricePence = it->pricePence;
  return true;
}

kj::Promise<void> FrontEndService::placeAt(PlaceOrderContext context, OrderRecord order,
                                           PostcodeAnswer answer) {
  using C = rpc::RejectCode;
  auto refuse = [&context](C code, const std::string& message) {
    reject(context.getResults().initResult().initRejected(), code, message);
  };
  switch (answer.kind) {
    case PostcodeAnswer::Kind::INVALID:
      refuse(C::INVALID_POSTCODE, answer.message);
      return kj::READY_NOW;
    case PostcodeAnswer::Kind::NOT_FOUND:
      refuse(C::POSTCODE_NOT_FOUND, answer.message);
      return kj::READY_NOW;
    case PostcodeAnswer::Kind::UNREACHABLE:
      if (config_.postcodes.whenUnreachable == WhenUnreachable::REJECT) {
        refuse(C::UNAVAILABLE, "The postcode could not be checked because postcodes.io is "
                               "unreachable, so the order was not placed.");
        return kj::READY_NOW;
      }
      order.postCode = answer.postCode;
      order.area = std::string(AREA_UNVERIFIED);
      break;
    case PostcodeAnswer::Kind::FOUND:
      order.postCode = std::move(answer.postCode);
      order.area = std::move(answer.area);
      break;
  }
  order.timeStamp = utcTimestampNow();
  order.status = STATUS_CONFIRMED;
  return forwardOrder(context, std::move(order));
}

kj::Promise<void> FrontEndService::forwardOrder(PlaceOrderContext context, OrderRecord order) {
  return batcher_.place(std::move(order)).then([context](OrderOutcome outcome) mutable {
    uint64_t words = outcome.placed ? orderWireWords(*outcome.placed) : 8 + outcome.message.size() / 8;
    auto result = context.getResults(capnp::MessageSize{words + 8, 0}).initResult();
    if (outcome.placed) {
      toWire(*outcome.placed, result.initPlaced());
    } else {
      reject(result.initRejected(), outcome.code, outcome.message);
    }
  });
}

kj::Promise<void> FrontEndService::validatePostcode(ValidatePostcodeContext context) {
  capnp::Text::Reader input = context.getParams().getPostCode();
  PostcodeVerdict verdict = judgePostcode(std::string_view(input.begin(), input.size()));
  if (!verdict.normalised) {
    reject(context.getResults().initResult().initRejected(), rpc::RejectCode::INVALID_POSTCODE,
           notAPostcode(verdict));
    return kj::READY_NOW;
  }
  // From here on only the normalised form: what a person typed may hold line breaks and any
  // Unicode white space, which have no place in a log line or a URL.
  std::string postcode = std::move(*verdict.normalised);
  return track("validatePostcode", postcode, postcodes_.lookup(postcode).then([this, context](PostcodeAnswer answer) mutable {
    auto result = context.getResults().initResult();
    switch (answer.kind) {
      case PostcodeAnswer::Kind::INVALID:
        reject(result.initRejected(), rpc::RejectCode::INVALID_POSTCODE, answer.message);
        return;
      case PostcodeAnswer::Kind::NOT_FOUND:
        reject(result.initRejected(), rpc::RejectCode::POSTCODE_NOT_FOUND, answer.message);
        return;
      case PostcodeAnswer::Kind::UNREACHABLE:
        if (config_.postcodes.whenUnreachable == WhenUnreachable::REJECT) {
          reject(result.initRejected(), rpc::RejectCode::UNAVAILABLE, answer.message);
          return;
        }
        {
          auto valid = result.initValid();
          valid.setPostCode(answer.postCode);
          valid.setArea(std::string(AREA_UNVERIFIED));
          valid.setVerified(false);
        }
        return;
      case PostcodeAnswer::Kind::FOUND: {
        auto valid = result.initValid();
        valid.setPostCode(answer.postCode);
        valid.setArea(answer.area);
        valid.setVerified(true);
        return;
      }
    }
  }));
}

kj::Promise<void> FrontEndService::status(StatusContext context) {
  auto s = context.getResults().initStatus();
  s.setFrontend(name_);
  s.setPrimary(router_.primaryName());
  s.setHeartbeatMs(router_.heartbeatMs());
  auto rows = router_.table();
  auto list = s.initReplicas(static_cast<unsigned>(rows.size()));
  for (unsigned i = 0; i < rows.size(); ++i) {
    auto& r = rows[i];
    list[i].setName(r.name);
    list[i].setAddress(r.address);
    list[i].setState(r.state);
    list[i].setRole(r.role);
    list[i].setLastSeenMsAgo(r.lastSeenMsAgo);
    list[i].setLag(r.lag);
    list[i].setOrderCount(r.orderCount);
    list[i].setContentDiffers(r.contentDiffers);
    list[i].setRowCount(r.rowCount);
    list[i].setDiverged(r.diverged);
    list[i].setFetched(r.fetched);
  }
  auto stats = postcodes_.stats();
  auto urls = s.initPostcodeServices(static_cast<unsigned>(stats.urls.size()));
  for (unsigned i = 0; i < stats.urls.size(); ++i) {
    urls[i].setUrl(stats.urls[i].url);
    urls[i].setState(stats.urls[i].state);
    urls[i].setRetryInMs(stats.urls[i].retryInMs);
    urls[i].setRequests(stats.urls[i].requests);
    urls[i].setFailures(stats.urls[i].failures);
  }
  s.setCacheHits(stats.cacheHits);
  s.setCacheMisses(stats.cacheMisses);
  s.setWhenUnreachable(config_.postcodes.whenUnreachable == WhenUnreachable::ACCEPT ? "accept" : "reject");
  s.setOrdersPlaced(batcher_.placed());
  s.setOrdersFailed(batcher_.failed());
  s.setLastEvent(router_.events().lastId());
  return kj::READY_NOW;
}

kj::Promise<void> FrontEndService::events(EventsContext context) {
  auto events = router_.events().since(context.getParams().getAfter());
  auto list = context.getResults().initEvents(static_cast<unsigned>(events.size()));
  for (unsigned i = 0; i < events.size(); ++i) {
    auto& e = events[i];
    list[i].setId(e.id);
    list[i].setAtMs(e.atMs);
    list[i].setKind(e.kind);
    list[i].setReplica(e.replica);
    list[i].setCount(e.count);
    list[i].setMessage(e.message);
  }
  return kj::READY_NOW;
}

kj::Promise<void> FrontEndService::setHeartbeat(SetHeartbeatContext context) {
  uint32_t ms = context.getParams().getMs();
  KJ_REQUIRE(ms >= 10 && ms <= 60000, "heartbeat must be between 10 ms and 60 s", ms);
  router_.setHeartbeat(ms);
  return kj::READY_NOW;
}

kj::Promise<void> FrontEndService::track(const char* what, std::string detail, kj::Promise<void> call) {
  uint64_t n = ++requests_;
  ++inFlight_;
  JH_DEBUG("request {} ({} {}) begun", n, what, detail);
  auto began = timer_.now();
  return call.attach(kj::defer([this, n, what, began]() {
    --inFlight_;
    JH_DEBUG("request {} ({}) answered in {} µs", n, what, (timer_.now() - began) / kj::MICROSECONDS);
  }));
}

kj::Promise<void> FrontEndService::drain(kj::Duration bound) {
  return drainUntil(timer_, [this]() { return inFlight_ == 0; }, bound);
}

}  // namespace jh
