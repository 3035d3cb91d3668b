// One command's view of the system that startup.sh runs: the run folder, the cluster file's names
// and ports, the binaries, and which recorded pids are still the processes the launcher started.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/launcher/run-folder.h"
#include "client/launcher/subprocess.h"
#include "schema/config/cluster-config.h"

namespace jh::launch {

// The interactive client's name in pid files and windows.
inline constexpr const char* CLIENT = "client";

enum class Kind { NONE, REPLICA, FRONTEND, CLIENT };

struct System {
  RunFolder run = RunFolder::fromEnvironment();
  std::string clusterPath;  // absolute
  ClusterConfig cluster;
  std::string binDir;

  // Reads the cluster file: `given` (--cluster), else with `preferRecorded` the last start's, else
  // $JH_CLUSTER, else ROOT/resources/cluster.json. Dies when it is missing or wrong.
  void loadCluster(const std::optional<std::string>& given, bool preferRecorded);
  // $JH_BIN_DIR, else with `preferRecorded` the last start's folder, else ROOT/build/bin.
  void loadBinDir(bool preferRecorded);

  std::vector<std::string> replicas() const;
  std::vector<std::string> frontends() const;
  std::vector<std::string> servers() const;  // replicas, then front-ends
  // "replica.server1 … just.hungry client", for messages about an unknown name.
  std::string knownNames() const;
  Kind kind(const std::string& name) const;
  std::optional<uint16_t> port(const std::string& name) const;      // RPC port; none: the client
  std::optional<uint16_t> httpPort(const std::string& name) const;  // a front-end's HTTP door
  std::string httpAddress(const std::string& name) const;           // "" when it has none

  // The command line that runs NAME; servers get --log-level `logLevel` when it is set.
  Argv command(const std::string& name, const std::string& logLevel) const;
  std::string bin(const std::string& program) const { return binDir + "/" + program; }

  // NAME's pid if its process is running and is the one the launcher started.
  std::optional<pid_t> runningPid(const std::string& name) const;
};

}  // namespace jh::launch
