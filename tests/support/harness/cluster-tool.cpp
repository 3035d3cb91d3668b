// jh-cluster: the one definition of a private cluster, for scripts and tests in other languages
// (scripts/bench.sh and its siblings, the launcher, netns and browser tests). A TestCluster: it
// writes the cluster file, starts the processes on free loopback ports, waits until they are
// ready, prints where everything is as one JSON line, then obeys one command per line on stdin,
// answering each with one line ("ok", "ok VALUE…", or "error: why"). End of input, "quit", TERM
// or INT stops every process it started, by pid (TERM, 5 s of grace, KILL); the processes also
// die with it if it is killed outright. Scripts drive it with scripts/cluster-lib.sh.
//   kill NAME [SIGNAL]          signals a process (default KILL); SIGNAL as in kill -l
//   start NAME                  starts it again: "ok PID"
//   stop NAME                   TERM, grace, KILL: "ok EXIT_STATUS"
//   run NAME PROGRAM [ARG…]     starts a further process by that name (a name used before
//                               once that process has ended): "ok PID"
//   pid NAME                    "ok PID STARTED_UNIX_MS" (PID -1 when never started)
//   wait-exit NAME [S]          waits (at most S s, 60) for it to exit: "ok EXIT_STATUS"
//   wait-ready NAME [S]         waits (at most S s, 20) until the replica is READY
//   wait-settled [equal] [S]    waits (at most S s, 20) until the first front-end sees every
//                               started replica READY and the first one primary (and, with
//                               "equal", all holding as many orders)
//   wait-listening HOST:PORT [S] waits (at most S s, 10) until something accepts there
//   free-port                   "ok PORT": a free loopback port for a further process
//   quit                        stops everything and exits 0
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/harness/test-cluster.h"

namespace {

const char* USAGE =
    "usage: jh-cluster [--dir DIR] [--replicas N] [--frontends N] [--min-acks K] [--http]\n"
    "                  [--http-settings JSON_MEMBERS] [--heartbeat-ms MS] [--call-timeout-ms MS]\n"
    "                  [--sync-timeout-ms MS] [--postcodes URL] [--postcode-timeout-ms MS]\n"
    "                  [--address NAME=HOST:PORT] [--prefix NAME='WORDS'] [--ready-timeout S]\n"
    "                  [--no-start]\n";

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}

std::vector<std::string> wordsOf(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

int signalNamed(std::string name) {
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  for (int s = 1; s < NSIG; ++s) {
    const char* abbrev = sigabbrev_np(s);
    if (abbrev && name == abbrev) return s;
  }
  return 0;
}

std::chrono::milliseconds seconds(const std::vector<std::string>& words, size_t at,
                                  double otherwise) {
  double s = words.size() > at ? std::stod(words[at]) : otherwise;
  return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
}

bool accepts(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(std::stoul(address.substr(colon + 1))));
  if (inet_pton(AF_INET, address.substr(0, colon).c_str(), &to.sin_addr) != 1) return false;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

std::string where(jh::test::TestCluster& cluster) {
  auto process = [&](const std::string& name) {
    return "{\"name\": " + quoted(name) + ", \"address\": " + quoted(cluster.address(name)) +
           ", \"pid\": " + std::to_string(cluster.pid(name)) +
           ", \"started_ms\": " + std::to_string(cluster.startedAtMs(name));
  };
  std::ostringstream j;
  j << "{\"dir\": " << quoted(cluster.dir()) << ", \"cluster\": " << quoted(cluster.clusterFile())
    << ", \"postcodes\": " << quoted(cluster.postcodesUrl()) << ", \"frontends\": [";
  auto frontends = cluster.frontendNames();
  for (size_t i = 0; i < frontends.size(); ++i) {
    j << (i ? ", " : "") << process(frontends[i])
      << ", \"http\": " << quoted(cluster.httpAddress(frontends[i])) << "}";
  }
  j << "], \"replicas\": [";
  auto replicas = cluster.replicaNames();
  for (size_t i = 0; i < replicas.size(); ++i) {
    j << (i ? ", " : "") << process(replicas[i])
      << ", \"dir\": " << quoted(cluster.replicaDir(replicas[i])) << "}";
  }
  j << "]}";
  return j.str();
}

std::string obey(jh::test::TestCluster& cluster, const std::string& line) {
  auto w = wordsOf(line);
  if (w.empty()) return "error: empty command";
  const std::string& command = w[0];
  std::string name = w.size() > 1 ? w[1] : "";
  try {
    if (command == "kill" && w.size() >= 2) {
      std::string signal = w.size() > 2 ? w[2] : "KILL";
      int number = signalNamed(signal);
      if (number == 0) return "error: unknown signal " + signal;
      return cluster.kill(name, number) ? "ok" : "error: " + name + " is not running";
    }
    if (command == "start" && w.size() == 2) {
      cluster.start(name);
      return "ok " + std::to_string(cluster.pid(name));
    }
    if (command == "stop" && w.size() == 2) return "ok " + std::to_string(cluster.stop(name));
    if (command == "run" && w.size() >= 3) {
      cluster.run(name, std::vector<std::string>(w.begin() + 2, w.end()));
      return "ok " + std::to_string(cluster.pid(name));
    }
    if (command == "pid" && w.size() == 2) {
      return "ok " + std::to_string(cluster.pid(name)) + " " +
             std::to_string(cluster.startedAtMs(name));
    }
    if (command == "wait-exit" && w.size() >= 2) {
      auto status = cluster.waitExit(name, seconds(w, 2, 60));
      return status ? "ok " + std::to_string(*status) : "error: " + name + " is still running";
    }
    if (command == "wait-ready" && w.size() >= 2) {
      return cluster.waitReplicaReady(name, seconds(w, 2, 20)) ? "ok"
                                                               : "error: " + name + " is not READY";
    }
    if (command == "wait-settled") {
      bool equal = w.size() > 1 && w[1] == "equal";
      if (cluster.waitSettled(seconds(w, equal ? 2 : 1, 20), equal)) return "ok";
      std::ostringstream logs;
      cluster.dumpLogs(logs, 3);
      std::string tail = logs.str();
      for (char& c : tail) c = c == '\n' ? ' ' : c;
      return "error: not settled: " + tail;
    }
    if (command == "free-port" && w.size() == 1)
      return "ok " + std::to_string(jh::test::pickFreePort());
    if (command == "wait-listening" && w.size() >= 2) {
      bool up = jh::test::waitUntil([&] { return accepts(name); }, seconds(w, 2, 10));
      return up ? "ok" : "error: nothing accepts on " + name;
    }
  } catch (const std::exception& e) {
    std::string why = e.what();
    for (char& c : why) c = c == '\n' ? ' ' : c;
    return "error: " + why;
  }
  return "error: unknown command '" + line + "'";
}

// Splits "NAME=VALUE"; throws when there is no '='.
std::pair<std::string, std::string> assignment(const std::string& arg) {
  auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0)
    throw std::invalid_argument("expected NAME=VALUE, got " + arg);
  return {arg.substr(0, eq), arg.substr(eq + 1)};
}

jh::test::ClusterOptions parse(int argc, char** argv) {
  jh::test::ClusterOptions o;
  o.readyTimeout = std::chrono::seconds(60);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    auto number = [&]() { return static_cast<uint32_t>(std::stoul(value())); };
    if (a == "--dir")
      o.dir = value();
    else if (a == "--replicas")
      o.replicas = number();
    else if (a == "--frontends")
      o.frontends = number();
    else if (a == "--min-acks")
      o.minAcks = number();
    else if (a == "--http")
      o.http = true;
    else if (a == "--http-settings")
      o.httpSettings = value();
    else if (a == "--heartbeat-ms")
      o.heartbeatMs = number();
    else if (a == "--call-timeout-ms")
      o.callTimeoutMs = number();
    else if (a == "--sync-timeout-ms")
      o.syncTimeoutMs = number();
    else if (a == "--postcodes")
      o.postcodeUrls.push_back(value());
    else if (a == "--postcode-timeout-ms")
      o.postcodeTimeoutMs = number();
    else if (a == "--address")
      o.addresses.insert(assignment(value()));
    else if (a == "--prefix") {
      auto [name, words] = assignment(value());
      o.prefix[name] = wordsOf(words);
    } else if (a == "--ready-timeout")
      o.readyTimeout = std::chrono::milliseconds(number() * 1000);
    else if (a == "--no-start")
      o.startReplicas = o.startFrontend = o.waitReady = false;
    else
      throw std::invalid_argument("unknown argument " + a);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  jh::test::ClusterOptions options;
  try {
    options = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "jh-cluster: " << e.what() << "\n" << USAGE;
    return 2;
  }
  // A script that dies leaves our stdin at end of input. TERM or INT interrupts the read (no
  // SA_RESTART), which ends the loop the same way: the cluster is stopped either way.
  struct sigaction stop {};
  stop.sa_handler = [](int) {};
  sigaction(SIGTERM, &stop, nullptr);
  sigaction(SIGINT, &stop, nullptr);
  try {
    jh::test::TestCluster cluster(options);
    std::cout << where(cluster) << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line == "quit") break;
      std::cout << obey(cluster, line) << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "jh-cluster: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
