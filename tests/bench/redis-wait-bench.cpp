// jh-redis-wait: the reference for min_acks 1 (DESIGN.md §8). Each of N clients sends
// RPUSH key <100 bytes> followed by WAIT 1 <timeout> and counts the pair as one write once
// both replies are in and WAIT says a replica has it. redis-benchmark cannot pair the two.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

// Reads one RESP reply line (":1\r\n" or "+OK\r\n"); returns false on error or close.
bool readLine(int fd, std::string& buffer, std::string& line) {
  while (true) {
    size_t end = buffer.find("\r\n");
    if (end != std::string::npos) {
      line = buffer.substr(0, end);
      buffer.erase(0, end + 2);
      return true;
    }
    char chunk[4096];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  int port = 6379, clients = 1;
  double seconds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--port")
      port = std::atoi(argv[i + 1]);
    else if (a == "--clients")
      clients = std::atoi(argv[i + 1]);
    else if (a == "--duration")
      seconds = std::atof(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: jh-redis-wait --port P --clients N --duration S\n");
      return 2;
    }
  }
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(seconds));
  std::atomic<uint64_t> ok = 0, errors = 0;
  std::vector<std::vector<uint32_t>> latencies(clients);
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c]() {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port));
      inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ++errors;
        return;
      }
      std::string value(100, 'x');
      std::string request = "*3\r\n$5\r\nRPUSH\r\n$8\r\nwaitlist\r\n$100\r\n" + value + "\r\n" +
                            "*3\r\n$4\r\nWAIT\r\n$1\r\n1\r\n$4\r\n1000\r\n";
      std::string buffer, line;
      while (Clock::now() < deadline) {
        auto began = Clock::now();
        if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size()))
          break;
        if (!readLine(fd, buffer, line) || line[0] != ':') break;  // RPUSH: new length
        if (!readLine(fd, buffer, line)) break;                    // WAIT: replicas reached
        if (line == ":0" || line[0] != ':') {
          ++errors;
          continue;
        }
        ++ok;
        latencies[c].push_back(static_cast<uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - began).count()));
      }
      ::close(fd);
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<uint32_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, size_t(p * all.size()))] / 1000.0;
  };
  std::printf(
      "{\"clients\":%d,\"orders_per_s\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors\":%llu}\n",
      clients, ok.load() / elapsed, pct(0.5), pct(0.99),
      static_cast<unsigned long long>(errors.load()));
  return ok.load() ? 0 : 3;
}
