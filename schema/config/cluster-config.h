// The cluster file (resources/cluster.json, DESIGN.md §2): every process finds the others by name
// through it. Loading is strict: an unknown key, a duplicate name or a bad address is an error
// that names the file and the key.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace jh {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The most event-loop threads a front-end may be given (its "threads").
constexpr uint32_t MAX_FRONTEND_THREADS = 64;

struct NodeConfig {
  std::string name;
  std::string address;    // "host:port", numeric by default
  std::string dir;        // replicas only: their resources folder, made absolute
  std::string http = {};  // front-ends only: where the HTTP door listens ("" for none)
  uint32_t threads = 0;   // front-ends only: event-loop threads (0: as many as cores, at most 8)
};

enum class WhenUnreachable { ACCEPT, REJECT };

struct PostcodeConfig {
  std::vector<std::string> urls = {"https://api.postcodes.io"};
  uint32_t timeoutMs = 2000;
  WhenUnreachable whenUnreachable = WhenUnreachable::ACCEPT;
  uint32_t cacheFoundS = 86400;    // lifetime of a cached valid postcode
  uint32_t cacheNotFoundS = 3600;  // lifetime of a cached "not found"
  uint32_t cacheMax = 100000;      // entries
  uint32_t breakerMs = 5000;       // how long a failing url is skipped
};

// The front-ends' HTTP doors (DESIGN.md §6): the top-level "http" object of the cluster file.
struct HttpConfig {
  std::string
      pageDir;  // the web page's files, made absolute; default: "web" beside the cluster file
  // Requests per second, and the burst, allowed to one client address for reading orders, checking
  // postcodes and placing orders (a token bucket); rate 0 lifts the limit.
  uint32_t ratePerS = 20;
  uint32_t rateBurst = 40;
  uint32_t headerTimeoutMs = 10000;  // a request's line and headers must arrive within this
  uint32_t idleTimeoutMs =
      5000;  // a kept-alive connection without a new request is closed after this
};

struct ClusterConfig {
  std::string path;  // the file it came from
  std::vector<NodeConfig> frontends;
  std::vector<NodeConfig> replicas;  // in priority order: the first READY one is primary
  PostcodeConfig postcodes;
  HttpConfig http;
  uint32_t heartbeatMs = 500;
  uint32_t callTimeoutMs = 1000;
  uint32_t minAcks = 0;
  uint32_t syncTimeoutMs = 3000;  // how long a starting replica waits for unreachable peers
  std::string secretFile;         // empty: the replicas' inside is open (a warning at start)

  // Index in `replicas`, or nullopt.
  std::optional<size_t> replicaIndex(const std::string& name) const;
  const NodeConfig* findFrontend(const std::string& name) const;
};

// Reads and checks the file. Throws ConfigError, a clause in plain words that names the file:
// "cannot read the cluster file F: <the system's reason>", "the cluster file F is empty",
// "the cluster file F is not JSON: <what> at line L, column C", else "F: KEY: <what is wrong>".
ClusterConfig loadClusterConfig(const std::string& path);

// The cluster file to use: `flag` (from --cluster) if given, else $JH_CLUSTER, else
// resources/cluster.json in the working folder, else the one beside the build folder.
std::string chooseClusterPath(const std::optional<std::string>& flag, const char* argv0);

// Splits "127.0.0.1:9001" or "[::1]:9001"; nullopt when it is not a host and a port 1–65535.
struct HostPort {
  std::string host;
  uint16_t port;
};
std::optional<HostPort> parseAddress(const std::string& address);

}  // namespace jh
