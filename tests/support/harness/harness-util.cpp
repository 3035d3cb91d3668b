// Free ports, file helpers.
#include "tests/support/harness/harness-util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace jh::test {

namespace {

// Test ports come from below the kernel's ephemeral range (32768 and up by default), which is
// where bind-to-port-0 and outgoing connections take theirs: a port picked there can be taken by
// anyone before the server binds it. Each pick is also reserved across test processes by an
// flock on a lock file, held until this process exits.
constexpr uint16_t FIRST_PORT = 20000;
constexpr uint16_t PORT_SPAN = 12000;

bool bindable(uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return false;
  int one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the servers will
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(s);
  return ok;
}

// Reserves `port` for this process; false when another process holds it.
bool reserve(uint16_t port) {
  static const std::string dir = "/tmp/jh-test-ports";
  mkdir(dir.c_str(), 0777);
  std::string path = dir + "/" + std::to_string(port) + ".lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) return false;
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  return true;  // fd stays open: the lock lasts as long as this process
}

}  // namespace

std::vector<uint16_t> pickFreePorts(size_t n) {
  static std::mt19937 rng{std::random_device{}()};
  std::vector<uint16_t> ports;
  for (int attempt = 0; ports.size() < n; ++attempt) {
    if (attempt > 5000)
      throw std::runtime_error("cannot pick a free port below the ephemeral range");
    auto port = static_cast<uint16_t>(FIRST_PORT + rng() % PORT_SPAN);
    if (std::find(ports.begin(), ports.end(), port) != ports.end()) continue;
    if (reserve(port) && bindable(port)) ports.push_back(port);
  }
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
