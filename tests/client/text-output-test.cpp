// Text for people: columns counted in characters, prices in pounds, failures as one sentence.
#include <sstream>

#include <doctest/doctest.h>
#include <kj/debug.h>

#include "client/text-output.h"

namespace jh::client {

TEST_CASE("fit and cut count characters, not bytes, so non-ASCII text lines up") {
  CHECK(fit("Crème", 7) == "Crème  ");
  CHECK(fit("£7.85", 7, true) == "  £7.85");
  CHECK(cut("Crème brûlée à la maison", 10) == "Crème b...");
  CHECK(cut("short", 10) == "short");
  CHECK(fit("abcdef", 3) == "abc");
}

TEST_CASE("times are shown without the T, the milliseconds and the Z") {
  CHECK(readableTime("2026-11-21T22:31:05.123Z") == "2026-11-21 22:31:05 UTC");
  CHECK(readableTime("yesterday") == "yesterday");
}

TEST_CASE("a long dish name and a long area are cut, and the order id never is") {
  OrderRecord o;
  o.orderId = "0b8f3c1e-2d4a-4f7b-9c6e-5a1d2b3c4d5e";
  o.item = std::string(100, 'x');
  o.area = std::string(100, 'y');
  o.postCode = "SW1A 1AA";
  o.pricePence = 123456;
  std::string text = ordersText({o}, Style(false));
  CHECK(text.find(o.orderId) != std::string::npos);
  CHECK(text.find("£1234.56\n") != std::string::npos);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 79);
}

TEST_CASE(
    "long lines are wrapped at spaces, a word too long for a line stays whole, and the "
    "text's own line breaks stay") {
  CHECK(wrapText("Hot food delivered anywhere in the UK", 12) ==
        "Hot food\ndelivered\nanywhere in\nthe UK");
  CHECK(wrapText("short\n\nlines stay\n", 12) == "short\n\nlines stay\n");
  CHECK(wrapText("a supercalifragilistic word", 10) == "a\nsupercalifragilistic\nword");
  CHECK(wrapText("Crème brûlée à la maison", 12) == "Crème brûlée\nà la maison");
}

TEST_CASE("a long postcode service url puts its state on a line of its own, within 80 columns") {
  ClusterStatus status;
  status.postcodeServices.push_back(
      PostcodeServiceRow{"https://api.postcodes.io", "failing", 983, 2, 2});
  std::string text = statusText(status, Style(false));
  CHECK(text.find("Postcodes: https://api.postcodes.io\n  failing, retry in 983 ms (2 requests, "
                  "2 failed)\n") != std::string::npos);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 79);
}

TEST_CASE("counts in the status take the singular for one and the plural otherwise") {
  ClusterStatus status;
  status.postcodeServices.push_back(PostcodeServiceRow{"http://a", "ok", 0, 1, 1});
  status.postcodeServices.push_back(PostcodeServiceRow{"http://b", "ok", 0, 2, 0});
  status.postcodeServices.push_back(PostcodeServiceRow{"http://c", "ok", 0, 0, 0});
  status.cacheHits = 1;
  status.cacheMisses = 1;
  std::string text = statusText(status, Style(false));
  CAPTURE(text);
  CHECK(text.find("Postcodes: http://a ok (1 request, 1 failed)\n") != std::string::npos);
  CHECK(text.find("Postcodes: http://b ok (2 requests, 0 failed)\n") != std::string::npos);
  CHECK(text.find("Postcodes: http://c ok (0 requests, 0 failed)\n") != std::string::npos);
  CHECK(text.find("Postcode cache: 1 hit, 1 miss;") != std::string::npos);
  status.cacheHits = 0;
  status.cacheMisses = 2;
  text = statusText(status, Style(false));
  CHECK(text.find("Postcode cache: 0 hits, 2 misses;") != std::string::npos);
}

TEST_CASE(
    "the status says how far a catching-up replica has got and which one is being "
    "promoted, and never for a replica that is down") {
  ClusterStatus status;
  status.frontend = "just.hungry";
  status.primary = "replica.server2";
  ReplicaRow syncing{"replica.server1", "127.0.0.1:9001", "SYNCING", "backup"};
  syncing.fetched = 8120;
  syncing.lag = 1204;
  ReplicaRow primary{"replica.server2", "127.0.0.1:9002", "READY", "primary"};
  ReplicaRow promoting{"replica.server3", "127.0.0.1:9003", "PROMOTING", "backup"};
  ReplicaRow down{"replica.server4", "127.0.0.1:9004", "SYNCING", "down"};
  status.replicas = {syncing, primary, promoting, down};
  status.ordersPlaced = 9120;
  status.ordersFailed = 3;
  std::string text = statusText(status, Style(false));
  CAPTURE(text);
  CHECK(text.find("  replica.server1 is catching up: 8,120 rows fetched, 1,204 to go.\n") !=
        std::string::npos);
  CHECK(text.find(
            "  replica.server3 is being promoted: it syncs with its peers before it serves.\n") !=
        std::string::npos);
  CHECK(text.find("replica.server4 is") == std::string::npos);
  CHECK(text.find("Orders through just.hungry: 9,120 acknowledged, 3 refused as unavailable.\n") !=
        std::string::npos);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 79);

  status.primary.clear();
  status.replicas = {syncing};
  CHECK(statusText(status, Style(false)).find("catching up: 8,120 rows fetched.\n") !=
        std::string::npos);
}

TEST_CASE("a reconnection is one sentence naming the front-end and its address") {
  CHECK(reconnectedText({"just.hungry.2", "127.0.0.1:9004"}) ==
        "Reconnected to just.hungry.2 (127.0.0.1:9004).");
}

TEST_CASE("colour is added only when asked for") {
  CHECK(Style(false).bad("no") == "no");
  CHECK(Style(true).bad("no") == "\x1b[31mno\x1b[0m");
}

TEST_CASE("a failure is one sentence that says whether the service was unreachable") {
  CHECK(failureText(KJ_EXCEPTION(DISCONNECTED, "no front-end answered")) ==
        "The service is unavailable: no front-end answered.");
  CHECK(failureText(KJ_EXCEPTION(FAILED, "remote exception: bad request.")) ==
        "The service could not carry out the request: remote exception: bad request.");
}

TEST_CASE("a rejection without a message still says which one it was") {
  CHECK(rejectionText({rpc::RejectCode::NOT_READY, ""}) ==
        "The service refused the request (NOT_READY).");
}

}  // namespace jh::client
