// Plain sockets and poll(): the reply is complete when its Content-Length has arrived (HEAD and
// 204 replies have no body), or when the server closes the connection.
#include "tests/support/harness/loopback-http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace jh::test {
namespace {

using Clock = std::chrono::steady_clock;

class Socket {
 public:
  Socket() : fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {}
  ~Socket() {
    if (fd >= 0) close(fd);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  const int fd;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// The value of header `name` (lower case) in the header block, if present.
std::optional<std::string> headerValue(const std::string& head, const std::string& name) {
  std::string lowered = lower(head);
  size_t at = lowered.find("\r\n" + name + ":");
  if (at == std::string::npos) return std::nullopt;
  size_t begin = at + 2 + name.size() + 1;
  size_t end = head.find("\r\n", begin);
  std::string value = head.substr(begin, end - begin);
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

// Waits until `fd` is readable or the deadline passes.
bool readable(int fd, Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return false;
  pollfd wanted{fd, POLLIN, 0};
  return poll(&wanted, 1, static_cast<int>(left.count())) == 1;
}

}  // namespace

std::optional<std::string> HttpExchange::header(const std::string& name) const {
  return headerValue(head, lower(name));
}

HttpExchange httpExchange(uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body, const std::string& contentType,
                          std::chrono::milliseconds timeout) {
  HttpHeaderList headers;
  if (!contentType.empty()) headers.emplace_back("Content-Type", contentType);
  return httpRequest(port, method, target, headers, body, timeout);
}

HttpExchange httpRequest(uint16_t port, const std::string& method, const std::string& target,
                         const HttpHeaderList& headers, const std::string& body,
                         std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  Socket socket;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (socket.fd < 0 ||
      connect(socket.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    return {};
  }
  std::string request = method + " " + target + " HTTP/1.1\r\n";
  bool hasHost = false;
  for (auto& [name, value] : headers) {
    hasHost = hasHost || lower(name) == "host";
    request += name + ": " + value + "\r\n";
  }
  if (!hasHost) request += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  if (!body.empty() || method == "POST") {
    request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "Connection: close\r\n\r\n" + body;
  if (send(socket.fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return {};
  }

  std::string received;
  std::optional<size_t> headEnd;
  std::optional<size_t> bodySize;
  int status = 0;
  for (;;) {
    if (headEnd && bodySize && received.size() >= *headEnd + *bodySize) break;
    if (!readable(socket.fd, deadline)) return {};
    char buffer[16384];
    ssize_t got = recv(socket.fd, buffer, sizeof buffer, 0);
    if (got < 0) return {};
    if (got == 0) break;
    received.append(buffer, static_cast<size_t>(got));
    if (!headEnd && received.find("\r\n\r\n") != std::string::npos) {
      headEnd = received.find("\r\n\r\n") + 4;
      std::string head = received.substr(0, *headEnd);
      status = std::atoi(head.c_str() + head.find(' ') + 1);
      std::optional<std::string> length = headerValue(head, "content-length");
      if (method == "HEAD" || status == 204) {
        bodySize = 0;
      } else if (length) {
        bodySize = std::stoul(*length);
      }
    }
  }
  if (!headEnd || (bodySize && received.size() < *headEnd + *bodySize)) return {};
  HttpExchange exchange;
  exchange.status = status;
  exchange.head = received.substr(0, *headEnd);
  exchange.contentType = headerValue(exchange.head, "content-type").value_or("");
  exchange.body = received.substr(*headEnd, bodySize.value_or(received.size() - *headEnd));
  return exchange;
}

}  // namespace jh::test
