// jh-test-cluster: a TestCluster for tests written in other languages (the browser test). Starts a
// real cluster on free loopback ports, prints where it is as one JSON line, then obeys one command
// per line on stdin, answering each with one line ("ok", or "error: why"):
//   kill NAME [SIGNAL]   signals a replica or front-end (default KILL)
//   start NAME           starts it again
//   wait-ready NAME      waits (at most 20 s) until the replica is READY
//   quit                 stops everything (as end of input does) and exits 0
// Usage: jh-test-cluster [--replicas N] [--http] [--http-settings JSON_MEMBERS] [--heartbeat-ms MS]
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "tests/support/harness/test-cluster.h"

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out + "\"";
}

int signalNamed(const std::string& name) {
  if (name == "KILL") return SIGKILL;
  if (name == "TERM") return SIGTERM;
  if (name == "STOP") return SIGSTOP;
  if (name == "CONT") return SIGCONT;
  return 0;
}

std::string where(jh::test::TestCluster& cluster) {
  std::ostringstream j;
  j << "{\"dir\": " << quoted(cluster.dir()) << ", \"cluster\": " << quoted(cluster.clusterFile())
    << ", \"frontends\": [";
  auto frontends = cluster.frontendNames();
  for (size_t i = 0; i < frontends.size(); ++i) {
    j << (i ? ", " : "") << "{\"name\": " << quoted(frontends[i]) << ", \"address\": "
      << quoted(cluster.address(frontends[i])) << ", \"http\": " << quoted(cluster.httpAddress(frontends[i])) << "}";
  }
  j << "], \"replicas\": [";
  auto replicas = cluster.replicaNames();
  for (size_t i = 0; i < replicas.size(); ++i) {
    j << (i ? ", " : "") << "{\"name\": " << quoted(replicas[i]) << ", \"address\": "
      << quoted(cluster.address(replicas[i])) << "}";
  }
  j << "]}";
  return j.str();
}

std::string obey(jh::test::TestCluster& cluster, const std::string& line) {
  std::istringstream words(line);
  std::string command, name, signal = "KILL";
  words >> command >> name >> signal;
  try {
    if (command == "kill") {
      int number = signalNamed(signal);
      if (number == 0) return "error: unknown signal " + signal;
      return cluster.kill(name, number) ? "ok" : "error: " + name + " is not running";
    }
    if (command == "start") {
      cluster.start(name);
      return "ok";
    }
    if (command == "wait-ready") {
      return cluster.waitReplicaReady(name, std::chrono::seconds(20)) ? "ok" : "error: " + name + " is not READY";
    }
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
  return "error: unknown command '" + command + "'";
}

}  // namespace

int main(int argc, char** argv) {
  jh::test::ClusterOptions options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool hasValue = i + 1 < argc;
    if (a == "--http") {
      options.http = true;
    } else if (a == "--replicas" && hasValue) {
      options.replicas = std::stoul(argv[++i]);
    } else if (a == "--http-settings" && hasValue) {
      options.httpSettings = argv[++i];
    } else if (a == "--heartbeat-ms" && hasValue) {
      options.heartbeatMs = static_cast<uint32_t>(std::stoul(argv[++i]));
    } else {
      std::cerr << "usage: jh-test-cluster [--replicas N] [--http] [--http-settings JSON_MEMBERS] [--heartbeat-ms MS]\n";
      return 2;
    }
  }
  // A test that dies leaves our stdin at end of input. TERM or INT interrupts the read (no
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
    std::cerr << "jh-test-cluster: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
