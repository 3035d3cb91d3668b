// A real Just Hungry cluster for system tests: replicas, front-ends and an imitation of
// postcodes.io, each a separate process on free loopback ports, in a temporary folder of its
// own. Everything it starts it ends (by pid) when it goes out of scope.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "schema/orders/order.h"
#include "tests/support/harness/child-process.h"
#include "tests/support/harness/harness-util.h"
#include "tests/support/harness/rpc-probe.h"

namespace jh::test {

struct ClusterOptions {
  size_t replicas = 3;   // named replica.server1, replica.server2, … in priority order
  size_t frontends = 1;  // named just.hungry, just.hungry.2, just.hungry.3, … all listed
  uint32_t minAcks = 0;
  uint32_t heartbeatMs = 100;  // faster than the default 500, so that tests settle sooner
  uint32_t callTimeoutMs = 1000;
  uint32_t syncTimeoutMs = 1000;
  // Postcode services. Empty: the cluster starts a jh-fake-postcodes and points at it alone.
  std::vector<std::string> postcodeUrls;
  uint32_t postcodeTimeoutMs = 2000;
  std::string whenUnreachable = "accept";  // or "reject"
  // The cluster secret: when not empty, written to an owner-only file named by secret_file, and
  // presented by the harness's own probes of the replicas.
  std::string secret;
  // Further top-level members, spliced into cluster.json as written.
  std::string extraJson;
  // Whether each front-end also serves HTTP (DESIGN.md §6) on a free port, with the repository's
  // page (resources/web); `httpSettings` adds members to the top-level "http" object as written
  // (e.g. "\"rate_per_s\": 0").
  bool http = false;
  std::string httpSettings;
  std::string pageDir;  // the page folder instead of the repository's resources/web
  std::vector<std::string> fakePostcodesArgs;  // added after "--port P"
  // Environment variables ("NAME=value") for one process, by name: e.g. an LD_PRELOAD.
  std::map<std::string, std::vector<std::string>> environment;
  bool startReplicas = true;
  bool startFrontend = true;  // every front-end
  // Whether the constructor waits for every started replica READY and for each started
  // front-end to see them all READY (so the first is primary); it throws (with the logs'
  // tails) when they are not in time.
  bool waitReady = true;
  std::chrono::milliseconds readyTimeout = std::chrono::seconds(20);
  // The folder to use instead of a new temporary one: made if missing, never removed.
  std::string dir;
  // Addresses ("HOST:PORT") by replica or front-end name, instead of free loopback ports.
  std::map<std::string, std::string> addresses;
  // Words put before one process's command, by name (e.g. "ip netns exec NS"); the command
  // must exec the program, so that the pid stays the program's.
  std::map<std::string, std::vector<std::string>> prefix;
};

class TestCluster {
 public:
  static constexpr const char* FRONTEND = "just.hungry";  // the first front-end listed
  static constexpr const char* FAKE_POSTCODES = "fake-postcodes";

  // Makes the folder, writes cluster.json, starts the processes (binaries from $JH_BIN_DIR when
  // set, else this build's bin folder). Throws std::runtime_error when a binary is missing, a
  // process cannot start or (with waitReady) the cluster is not ready.
  explicit TestCluster(ClusterOptions options = {});
  // Stops every process it started (TERM, then KILL after a bound) and removes the folder,
  // unless $JH_KEEP_TEST_DIRS is set: then it prints the folder's path and keeps it.
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& clusterFile() const { return clusterFile_; }
  const ClusterOptions& options() const { return options_; }
  std::vector<std::string> replicaNames() const;
  std::vector<std::string> frontendNames() const;  // FRONTEND first, in the cluster file's order
  std::string address(
      const std::string& name) const;  // "127.0.0.1:PORT" of a replica or a front-end
  std::string httpAddress(
      const std::string& frontend = FRONTEND) const;                // "" without options().http
  uint16_t httpPort(const std::string& frontend = FRONTEND) const;  // 0 without options().http
  std::string replicaDir(const std::string& name) const;
  std::string postcodesUrl() const { return fakeUrl_; }  // the fake's url; "" when none runs

  // Process control, by name: a replica's or front-end's name, or FAKE_POSTCODES. Unknown names
  // throw.
  void start(const std::string& name);  // starts it (again); it must not be running
  // Starts a further process by a name of its own (a reference server, a load generator), run
  // from the cluster's folder with its output in the logs like the others; a name used before
  // by run() may be given again, with another command, once that process has ended.
  void run(const std::string& name, std::vector<std::string> argv);
  bool kill(const std::string& name, int signal);  // false when it is not running
  int stop(const std::string& name,
           std::chrono::milliseconds grace = std::chrono::seconds(5));  // its exit status
  void restart(const std::string& name);  // stop (if running), then start
  bool isRunning(const std::string& name);
  pid_t pid(const std::string& name) const;            // -1 when never started
  int64_t startedAtMs(const std::string& name) const;  // Unix ms of its last start; 0 when never
  // Its exit status once it has exited within `timeout`, else nullopt (it keeps running).
  std::optional<int> waitExit(const std::string& name, std::chrono::milliseconds timeout);
  std::string logText(const std::string& name) const;  // its stdout then its stderr, all runs

  // The path of one of the binaries under test ("jh-client"); throws when it is not built.
  std::string binary(const std::string& program) const;

  // Runs build/bin/jh-client --cluster <this cluster's file> args…, killed after `timeout`.
  CommandResult runClient(const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout = std::chrono::seconds(15)) const;

  // State seen directly over Cap'n Proto (rpc-probe.h), not through jh-client.
  std::optional<ReplicaProbe> replicaHealth(const std::string& name) const;
  std::optional<FrontendProbe> frontendStatus(const std::string& frontend = FRONTEND) const;
  // Polls replicaHealth() until it says READY.
  bool waitReplicaReady(const std::string& name,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // Polls frontendStatus() until the front-end answers and names a primary.
  bool waitFrontendUp(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                      const std::string& frontend = FRONTEND) const;
  // Polls until the steady state: the front-end sees every started replica READY, so the first
  // of them is primary, and (with `equalCounts`) all holding as many orders. Whether it came.
  bool waitSettled(std::chrono::milliseconds timeout, bool equalCounts = false,
                   const std::string& frontend = FRONTEND) const;

  // The file a replica writes its orders to: orders.csv, or orders.csv.partial while it has not
  // synced with every peer since it started without orders.csv.
  std::string ordersPath(const std::string& replicaName) const;
  // The rows of that file, in file order (header skipped; none when there is no file; a torn
  // last record is left out). A malformed row throws std::runtime_error.
  std::vector<OrderRecord> readOrdersCsv(const std::string& replicaName) const;

  // Writes the last `lines` lines of every process's log to `out`: call it when a check fails.
  void dumpLogs(std::ostream& out, size_t lines = 40) const;

 private:
  struct Node {
    std::string name;
    std::vector<std::string> argv;
    std::string address;  // "" for the fake postcodes
    std::string http;     // front-ends with options().http only
    std::string dir;      // replicas only
    std::unique_ptr<ChildProcess> process;
    int64_t startedAtMs = 0;
    bool further = false;  // started by run()
  };
  Node& node(const std::string& name);
  const Node& node(const std::string& name) const;
  std::string logPath(const std::string& name, const char* stream) const;
  void startFakePostcodes();
  void writeClusterFile() const;
  void waitReady();
  void cleanUp();
  [[noreturn]] void fail(const std::string& what) const;

  ClusterOptions options_;
  std::string binDir_;
  std::string dir_;
  bool ownDir_ = true;  // whether the folder is ours to remove
  std::string clusterFile_;
  std::string fakeUrl_;
  // Declared after dir_: nodes (and so their processes) go first on destruction.
  std::map<std::string, Node> nodes_;
};

}  // namespace jh::test
