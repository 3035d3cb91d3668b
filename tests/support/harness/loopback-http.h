// A blocking HTTP/1.1 exchange with a server on 127.0.0.1, for tests that talk to the fake
// postcodes.io directly (control endpoints, edge-case replay). One connection per request.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace jh::test {

struct HttpExchange {
  int status = 0;  // 0: no complete reply (refused, closed early or timed out)
  std::string contentType;
  std::string body;
};

// Sends `method target` with `body` (and its Content-Type, when given) and reads the reply,
// giving up after `timeout`.
HttpExchange httpExchange(uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = {}, const std::string& contentType = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace jh::test
