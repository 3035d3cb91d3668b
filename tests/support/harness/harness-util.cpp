// Free ports, file helpers.
#include "tests/support/harness/harness-util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace jh::test {

std::vector<uint16_t> pickFreePorts(size_t n) {
  std::vector<int> sockets;
  std::vector<uint16_t> ports;
  auto closeAll = [&sockets] {
    for (int s : sockets) close(s);
  };
  for (size_t i = 0; i < n; ++i) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
      closeAll();
      throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
    sockets.push_back(s);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      std::string why = std::strerror(errno);
      closeAll();
      throw std::runtime_error("cannot pick a free port: " + why);
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  closeAll();
  return ports;
}

uint16_t pickFreePort() { return pickFreePorts(1).front(); }

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string tailLines(const std::string& text, size_t lines) {
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  for (size_t seen = 0; pos > 0; --pos) {
    if (text[pos - 1] == '\n' && ++seen == lines) break;
  }
  return text.substr(pos);
}

}  // namespace jh::test
