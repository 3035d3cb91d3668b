// One request per process, for scripts.
#include "client/one-shot.h"

#include <ostream>

#include <fmt/format.h>
#include <kj/debug.h>

#include "client/dish-lookup.h"
#include "client/event-timeline.h"
#include "schema/answers/json-output.h"

namespace jh::client {

namespace {

// Reports a reply: the result in the reporter's form, or the rejection.
template <typename T, typename Json, typename Text>
int report(Reporter& reporter, const Reply<T>& reply, Json json, Text text) {
  if (auto* rejection = std::get_if<Rejection>(&reply)) return reporter.rejected(*rejection);
  const T& value = std::get<T>(reply);
  return reporter.done(reporter.json() ? json(value) : text(value));
}

std::string asText(const std::string& motd) {
  if (motd.empty() || motd.back() == '\n') return motd;
  return motd + "\n";
}

kj::Promise<int> dispatch(const CommandLine& cl, FrontEndApi& api, Reporter& r) {
  const std::string& command = cl.command[0];
  const Style& style = r.style();
  if (command == "motd") {
    return api.motd().then(
        [&r](Reply<std::string> reply) { return report(r, reply, motdJson, asText); });
  }
  if (command == "menu") {
    return api.menu().then([&r, &style](Reply<std::vector<MenuEntry>> reply) {
      return report(r, reply, menuJson, [&style](auto& v) { return menuText(v, style); });
    });
  }
  if (command == "orders") {
    return api.orders(*cl.userCode).then([&r, &style](Reply<std::vector<OrderRecord>> reply) {
      return report(r, reply, ordersJson, [&style](auto& v) { return ordersText(v, style); });
    });
  }
  if (command == "order") {
    // The dish is looked up in the menu as the interactive client does, by number or name.
    return api.menu().then(
        [&cl, &api, &r, &style](Reply<std::vector<MenuEntry>> menu) -> kj::Promise<int> {
          if (auto* rejection = std::get_if<Rejection>(&menu)) return r.rejected(*rejection);
          auto dish = findDish(std::get<std::vector<MenuEntry>>(menu), cl.command[1]);
          if (auto* rejection = std::get_if<Rejection>(&dish)) return r.rejected(*rejection);
          OrderRequest request{cl.orderId.value_or(newOrderId()), *cl.userCode,
                               std::get<MenuEntry>(dish).item, cl.command[2]};
          std::string id = request.orderId;
          // Unavailable: the order may be stored (it reads PENDING) or not; the same id is safe
          // again.
          auto safeAgain = [id](Rejection rejection) {
            rejection.message += fmt::format(
                " Its order id is {}: ordering again with --id {} is safe, it never "
                "orders twice.",
                id, id);
            return rejection;
          };
          return api.placeOrder(std::move(request))
              .then(
                  [&r, &style, safeAgain](Reply<OrderRecord> reply) {
                    auto* rejection = std::get_if<Rejection>(&reply);
                    if (rejection && rejection->code == rpc::RejectCode::UNAVAILABLE)
                      return r.rejected(safeAgain(*rejection));
                    return report(r, reply, orderJson,
                                  [&style](auto& v) { return orderPlacedText(v, style); });
                  },
                  [&r, safeAgain](kj::Exception&& e) {
                    return r.rejected(
                        safeAgain(Rejection{rpc::RejectCode::UNAVAILABLE, failureText(e)}));
                  });
        });
  }
  if (command == "validate") {
    return api.validatePostcode(cl.command[1]).then([&r](Reply<PostcodeInfo> reply) {
      return report(r, reply, postcodeJson, postcodeText);
    });
  }
  if (command == "heartbeat") {
    auto ms = static_cast<uint32_t>(std::stoul(cl.command[1]));
    return api.setHeartbeat(ms).then([&r, ms]() {
      return r.done(r.json()
                        ? fmt::format("{{\"heartbeat_ms\":{}}}", ms)
                        : fmt::format("The front-end now checks the replicas every {} ms.\n", ms));
    });
  }
  if (command == "events") {
    return api.events(0).then([&r, &style](std::vector<TimelineEvent> events) {
      return r.done(r.json() ? eventsJson(events) : timelineText(events, style, r.width()));
    });
  }
  KJ_ASSERT(command == "status", "parseCommandLine let through an unknown command", command);
  return api.status().then([&r, &style](ClusterStatus status) {
    return r.done(r.json() ? statusJson(status) : statusText(status, style));
  });
}

}  // namespace

int Reporter::done(std::string_view result) {
  out_ << result;
  if (json_) out_ << '\n';
  out_.flush();
  return EXIT_DONE;
}

int Reporter::usageError(std::string_view code, std::string_view message) {
  if (json_) {
    out_ << errorJson(code, message) << '\n';
  } else {
    err_ << message << "\nRun 'jh-client --help' for how to use it.\n";
  }
  return EXIT_USAGE;
}

int Reporter::rejected(const Rejection& rejection) {
  if (json_) {
    out_ << rejectionJson(rejection) << '\n';
  } else {
    err_ << rejectionText(rejection) << '\n';
  }
  return rejection.code == rpc::RejectCode::UNAVAILABLE ? EXIT_UNAVAILABLE : EXIT_REJECTED;
}

int Reporter::failed(const kj::Exception& e) {
  return rejected(Rejection{rpc::RejectCode::UNAVAILABLE, failureText(e)});
}

void Reporter::note(std::string_view sentence) {
  err_ << sentence << '\n';
  err_.flush();
}

std::optional<Rejection> checkBeforeCalling(const CommandLine& cl) {
  if (cl.userCode) {
    if (auto why = checkUserCode(*cl.userCode)) {
      return Rejection{rpc::RejectCode::INVALID_USER_CODE, *why};
    }
  }
  if (cl.orderId) {
    if (auto why = checkOrderId(*cl.orderId))
      return Rejection{rpc::RejectCode::INVALID_ORDER, *why};
  }
  return std::nullopt;
}

kj::Promise<int> runOneShot(const CommandLine& cl, FrontEndApi& api, Reporter& reporter) {
  KJ_REQUIRE(!cl.command.empty(), "no command to run");
  if (auto refused = checkBeforeCalling(cl)) return reporter.rejected(*refused);
  return kj::evalNow([&]() { return dispatch(cl, api, reporter); })
      .catch_([&reporter](kj::Exception&& e) { return reporter.failed(e); });
}

}  // namespace jh::client
