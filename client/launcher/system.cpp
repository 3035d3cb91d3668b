// One command's view of the system that startup.sh runs (system.h).
#include "client/launcher/system.h"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "client/launcher/process-table.h"
#include "client/launcher/say.h"

namespace fs = std::filesystem;

namespace jh::launch {

namespace {
std::optional<uint16_t> portOf(const std::string& address) {
  auto parsed = parseAddress(address);
  if (!parsed) return std::nullopt;
  return parsed->port;
}
}  // namespace

void System::loadCluster(const std::optional<std::string>& given, bool preferRecorded) {
  const char* fromEnv = std::getenv("JH_CLUSTER");
  std::string path;
  if (given) {
    path = *given;
  } else if (preferRecorded && !run.recorded("cluster").empty()) {
    path = run.recorded("cluster");
  } else if (fromEnv != nullptr && *fromEnv != '\0') {
    path = fromEnv;
  } else {
    path = run.root + "/resources/cluster.json";
  }
  std::error_code error;
  if (!fs::is_regular_file(path, error)) die("cluster file not found: " + path);
  clusterPath = fs::canonical(path, error).string();
  try {
    cluster = loadClusterConfig(clusterPath);
  } catch (const ConfigError& e) { die(e.what()); }
  if (cluster.frontends.empty() || cluster.replicas.empty()) {
    die(clusterPath + ": needs a list of \"frontends\" and of \"replicas\", each non-empty");
  }
}

void System::loadBinDir(bool preferRecorded) {
  const char* fromEnv = std::getenv("JH_BIN_DIR");
  if (fromEnv != nullptr && *fromEnv != '\0') {
    binDir = fromEnv;
  } else if (preferRecorded && !run.recorded("bin").empty()) {
    binDir = run.recorded("bin");
  } else {
    binDir = run.root + "/build/bin";
  }
}

std::vector<std::string> System::replicas() const {
  std::vector<std::string> names;
  for (auto& r : cluster.replicas) names.push_back(r.name);
  return names;
}

std::vector<std::string> System::frontends() const {
  std::vector<std::string> names;
  for (auto& f : cluster.frontends) names.push_back(f.name);
  return names;
}

std::vector<std::string> System::servers() const {
  auto names = replicas();
  for (auto& f : frontends()) names.push_back(f);
  return names;
}

std::string System::knownNames() const {
  return fmt::format("{} {}", fmt::join(servers(), " "), CLIENT);
}

Kind System::kind(const std::string& name) const {
  if (name == CLIENT) return Kind::CLIENT;
  if (cluster.replicaIndex(name)) return Kind::REPLICA;
  if (cluster.findFrontend(name) != nullptr) return Kind::FRONTEND;
  return Kind::NONE;
}

std::optional<uint16_t> System::port(const std::string& name) const {
  if (auto index = cluster.replicaIndex(name)) return portOf(cluster.replicas[*index].address);
  if (auto* frontend = cluster.findFrontend(name)) return portOf(frontend->address);
  return std::nullopt;
}

std::optional<uint16_t> System::httpPort(const std::string& name) const {
  return portOf(httpAddress(name));
}

std::string System::httpAddress(const std::string& name) const {
  auto* frontend = cluster.findFrontend(name);
  return frontend != nullptr ? frontend->http : "";
}

Argv System::command(const std::string& name, const std::string& logLevel) const {
  Argv argv;
  switch (kind(name)) {
    case Kind::REPLICA: argv = {bin("jh-replica"), "--cluster", clusterPath, "--name", name}; break;
    case Kind::FRONTEND:
      argv = {bin("jh-frontend"), "--cluster", clusterPath, "--name", name};
      break;
    case Kind::CLIENT: return {bin("jh-client"), "--cluster", clusterPath};
    case Kind::NONE: die(fmt::format("unknown name '{}' (known: {})", name, knownNames()));
  }
  if (!logLevel.empty()) argv.insert(argv.end(), {"--log-level", logLevel});
  return argv;
}

std::optional<pid_t> System::runningPid(const std::string& name) const {
  auto pid = run.recordedPid(name);
  if (pid && pidAlive(*pid) && isOurs(name, procCmdline(*pid), CLIENT)) return pid;
  return std::nullopt;
}

}  // namespace jh::launch
