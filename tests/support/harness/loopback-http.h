// A blocking HTTP/1.1 exchange with a server on 127.0.0.1, for tests that talk to the fake
// postcodes.io directly (control endpoints, edge-case replay) or to a front-end's HTTP door. One
// connection per request.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace jh::test {

struct HttpExchange {
  int status = 0;  // 0: no complete reply (refused, closed early or timed out)
  std::string contentType;
  std::string body;
  std::string head;  // the status line and headers, as received

  // The value of the reply's header `name` (any case), if it has one.
  std::optional<std::string> header(const std::string& name) const;
};

using HttpHeaderList = std::vector<std::pair<std::string, std::string>>;

// Sends `method target` with `body` (and its Content-Type, when given) and reads the reply,
// giving up after `timeout`.
HttpExchange httpExchange(uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = {}, const std::string& contentType = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

// httpExchange with request headers of the caller's choosing (Host is sent unless given).
HttpExchange httpRequest(uint16_t port, const std::string& method, const std::string& target,
                         const HttpHeaderList& headers, const std::string& body,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace jh::test
