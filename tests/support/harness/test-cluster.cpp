// Starts and ends the processes of a test cluster; see test-cluster.h.
#include "tests/support/harness/test-cluster.h"

#include <signal.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "schema/orders/csv.h"

#ifndef JH_SOURCE_DIR
#error "JH_SOURCE_DIR must be defined (the repository root)"
#endif
#ifndef JH_BIN_DIR
#error "JH_BIN_DIR must be defined (the build's bin folder)"
#endif

namespace fs = std::filesystem;

namespace jh::test {

namespace {

std::string jsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string binDir() {
  const char* env = std::getenv("JH_BIN_DIR");
  return env && *env ? env : JH_BIN_DIR;
}

std::string requireBinary(const std::string& dir, const std::string& name) {
  std::string path = dir + "/" + name;
  if (!fs::exists(path)) {
    throw std::runtime_error(name + " is not built (looked for " + path + "); build it first");
  }
  return path;
}

std::string makeTempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/jh-test-XXXXXX";
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("cannot make a temporary folder in " + pattern);
  return pattern;
}

}  // namespace

TestCluster::TestCluster(ClusterOptions options) : options_(std::move(options)), binDir_(binDir()) {
  if (options_.replicas == 0)
    throw std::runtime_error("TestCluster: at least one replica is needed");
  if (options_.frontends == 0)
    throw std::runtime_error("TestCluster: at least one front-end is needed");
  if (options_.dir.empty()) {
    dir_ = makeTempDir();
  } else {
    fs::create_directories(options_.dir);
    dir_ = fs::absolute(options_.dir).string();
    ownDir_ = false;
  }
  try {
    clusterFile_ = dir_ + "/cluster.json";
    fs::create_directories(dir_ + "/logs");
    std::string replicaBin = requireBinary(binDir_, "jh-replica");
    std::string frontendBin = requireBinary(binDir_, "jh-frontend");

    // Front-ends on the first ports, replicas on the next, the front-ends' HTTP on the last.
    size_t httpPorts = options_.http ? options_.frontends : 0;
    auto ports = pickFreePorts(options_.frontends + options_.replicas + httpPorts);
    auto addressOf = [&](const std::string& name, uint16_t port) {
      auto given = options_.addresses.find(name);
      return given != options_.addresses.end() ? given->second
                                               : "127.0.0.1:" + std::to_string(port);
    };
    fs::path seed = fs::path(JH_SOURCE_DIR) / "resources" / "replica-server-1";
    for (size_t i = 1; i <= options_.replicas; ++i) {
      Node n;
      n.name = "replica.server" + std::to_string(i);
      n.address = addressOf(n.name, ports[options_.frontends + i - 1]);
      n.dir = dir_ + "/replica-server-" + std::to_string(i);
      fs::create_directories(n.dir);
      for (const char* file : {"motd.txt", "menu.csv"}) {
        fs::copy_file(seed / file, fs::path(n.dir) / file, fs::copy_options::overwrite_existing);
      }
      n.argv = {replicaBin, "--cluster", clusterFile_, "--name", n.name};
      nodes_[n.name] = std::move(n);
    }
    auto frontends = frontendNames();
    for (size_t i = 0; i < frontends.size(); ++i) {
      Node fe;
      fe.name = frontends[i];
      fe.address = addressOf(fe.name, ports[i]);
      if (options_.http)
        fe.http = "127.0.0.1:" + std::to_string(ports[options_.frontends + options_.replicas + i]);
      fe.argv = {frontendBin, "--cluster", clusterFile_, "--name", fe.name};
      nodes_[fe.name] = std::move(fe);
    }

    if (options_.postcodeUrls.empty()) startFakePostcodes();
    writeClusterFile();

    if (options_.startReplicas) {
      for (auto& name : replicaNames()) start(name);
    }
    if (options_.startFrontend) {
      for (auto& name : frontendNames()) start(name);
    }
    if (options_.waitReady) waitReady();
  } catch (...) {
    cleanUp();
    throw;
  }
}

TestCluster::~TestCluster() { cleanUp(); }

void TestCluster::cleanUp() {
  // TERM to all first, so that they shut down side by side; then wait for each within a bound.
  for (auto& [name, n] : nodes_) {
    if (n.process && n.process->signal(SIGTERM)) n.process->signal(SIGCONT);
  }
  for (auto& [name, n] : nodes_) {
    if (n.process) n.process->stop(std::chrono::seconds(5));
  }
  nodes_.clear();
  if (dir_.empty() || !ownDir_) return;
  if (const char* keep = std::getenv("JH_KEEP_TEST_DIRS"); keep && *keep) {
    std::cerr << "JH_KEEP_TEST_DIRS: kept " << dir_ << "\n";
  } else {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  dir_.clear();
}

void TestCluster::startFakePostcodes() {
  // On a picked port, as the servers are: a restart comes back on the port the cluster file names.
  const std::string address = "127.0.0.1:" + std::to_string(pickFreePort());
  Node n;
  n.name = FAKE_POSTCODES;
  n.argv = {requireBinary(binDir_, "jh-fake-postcodes"), "--port",
            address.substr(address.rfind(':') + 1)};
  n.argv.insert(n.argv.end(), options_.fakePostcodesArgs.begin(), options_.fakePostcodesArgs.end());
  nodes_[n.name] = std::move(n);
  start(FAKE_POSTCODES);

  // Its first line on stdout says it listens: "listening on 127.0.0.1:PORT". Should the port have
  // been taken since it was picked, it exits instead, and this fails with its log.
  const std::string expected = "listening on " + address;
  std::string line;
  bool ok = waitUntil(
      [&] {
        std::string out = readFile(logPath(FAKE_POSTCODES, "out"));
        size_t eol = out.find('\n');
        if (eol == std::string::npos) return !isRunning(FAKE_POSTCODES);
        line = out.substr(0, eol);
        return true;
      },
      std::chrono::seconds(10));
  if (!ok || line != expected) fail("jh-fake-postcodes did not say '" + expected + "'");
  fakeUrl_ = "http://" + address;
}

void TestCluster::writeClusterFile() const {
  std::ostringstream j;
  j << "{\n  \"frontends\": [";
  auto frontends = frontendNames();
  for (size_t i = 0; i < frontends.size(); ++i) {
    j << (i ? ",\n    " : " ") << "{ \"name\": " << jsonString(frontends[i])
      << ", \"address\": " << jsonString(address(frontends[i]));
    if (options_.http) j << ", \"http\": " << jsonString(httpAddress(frontends[i]));
    j << " }";
  }
  j << " ],\n  \"replicas\": [\n";
  auto names = replicaNames();
  for (size_t i = 0; i < names.size(); ++i) {
    const Node& n = node(names[i]);
    j << "    { \"name\": " << jsonString(n.name) << ", \"address\": " << jsonString(n.address)
      << ", \"dir\": " << jsonString(fs::path(n.dir).filename().string()) << " }"
      << (i + 1 < names.size() ? "," : "") << "\n";
  }
  j << "  ],\n  \"postcodes\": { \"urls\": [";
  auto urls =
      options_.postcodeUrls.empty() ? std::vector<std::string>{fakeUrl_} : options_.postcodeUrls;
  for (size_t i = 0; i < urls.size(); ++i) j << (i ? ", " : "") << jsonString(urls[i]);
  j << "], \"timeout_ms\": " << options_.postcodeTimeoutMs
    << ", \"when_unreachable\": " << jsonString(options_.whenUnreachable) << " },\n"
    << "  \"heartbeat_ms\": " << options_.heartbeatMs << ",\n"
    << "  \"call_timeout_ms\": " << options_.callTimeoutMs << ",\n"
    << "  \"sync_timeout_ms\": " << options_.syncTimeoutMs << ",\n"
    << "  \"min_acks\": " << options_.minAcks;
  if (!options_.secret.empty()) {
    std::string secretFile = dir_ + "/cluster.secret";
    writeFile(secretFile, options_.secret + "\n");
    fs::permissions(secretFile, fs::perms::owner_read | fs::perms::owner_write);
    j << ",\n  \"secret_file\": \"cluster.secret\"";
  }
  if (options_.http) {
    std::string pageDir = options_.pageDir.empty()
                              ? (fs::path(JH_SOURCE_DIR) / "resources" / "web").string()
                              : options_.pageDir;
    j << ",\n  \"http\": { \"page_dir\": " << jsonString(pageDir);
    if (!options_.httpSettings.empty()) j << ", " << options_.httpSettings;
    j << " }";
  }
  if (!options_.extraJson.empty()) j << ",\n  " << options_.extraJson;
  j << "\n}\n";
  writeFile(clusterFile_, j.str());
}

void TestCluster::waitReady() {
  for (auto& name : replicaNames()) {
    if (node(name).process && !waitReplicaReady(name, options_.readyTimeout)) {
      fail(name + " did not become READY within " + std::to_string(options_.readyTimeout.count()) +
           " ms");
    }
  }
  // Tests start from the steady state (not whichever replica finished catching up first).
  for (auto& frontend : frontendNames()) {
    if (node(frontend).process && !waitSettled(options_.readyTimeout, false, frontend)) {
      fail(frontend + " did not see every replica READY within " +
           std::to_string(options_.readyTimeout.count()) + " ms");
    }
  }
}

bool TestCluster::waitSettled(std::chrono::milliseconds timeout, bool equalCounts,
                              const std::string& frontend) const {
  return waitUntil(
      [&]() {
        auto status = frontendStatus(frontend);
        if (!status || status->primary.empty()) return false;
        std::string first;
        std::optional<uint64_t> count;
        for (auto& r : status->replicas) {
          if (!node(r.name).process) continue;
          if (r.state != "READY") return false;
          if (equalCounts && count && *count != r.orderCount) return false;
          count = r.orderCount;
          if (first.empty()) first = r.name;
        }
        return status->primary == first;  // any hand-over to the first replica is done
      },
      timeout);
}

void TestCluster::fail(const std::string& what) const {
  std::ostringstream msg;
  msg << "TestCluster in " << dir_ << ": " << what << "\n";
  dumpLogs(msg, 20);
  throw std::runtime_error(msg.str());
}

std::vector<std::string> TestCluster::replicaNames() const {
  std::vector<std::string> names;
  for (size_t i = 1; i <= options_.replicas; ++i)
    names.push_back("replica.server" + std::to_string(i));
  return names;
}

std::vector<std::string> TestCluster::frontendNames() const {
  std::vector<std::string> names = {FRONTEND};
  for (size_t i = 2; i <= options_.frontends; ++i)
    names.push_back(std::string(FRONTEND) + "." + std::to_string(i));
  return names;
}

TestCluster::Node& TestCluster::node(const std::string& name) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) throw std::runtime_error("TestCluster: no process named '" + name + "'");
  return it->second;
}

const TestCluster::Node& TestCluster::node(const std::string& name) const {
  return const_cast<TestCluster*>(this)->node(name);
}

std::string TestCluster::address(const std::string& name) const { return node(name).address; }

std::string TestCluster::httpAddress(const std::string& frontend) const {
  return node(frontend).http;
}

uint16_t TestCluster::httpPort(const std::string& frontend) const {
  const std::string& http = node(frontend).http;
  return http.empty() ? 0 : static_cast<uint16_t>(std::stoul(http.substr(http.rfind(':') + 1)));
}

std::string TestCluster::replicaDir(const std::string& name) const { return node(name).dir; }

std::string TestCluster::logPath(const std::string& name, const char* stream) const {
  return dir_ + "/logs/" + name + "." + stream;
}

void TestCluster::start(const std::string& name) {
  Node& n = node(name);
  if (n.process && n.process->isRunning())
    throw std::runtime_error("TestCluster: " + name + " is already running");
  n.process.reset();
  std::vector<std::string> argv = n.argv;
  if (auto words = options_.prefix.find(name); words != options_.prefix.end()) {
    argv.insert(argv.begin(), words->second.begin(), words->second.end());
  }
  if (auto env = options_.environment.find(name); env != options_.environment.end()) {
    // env(1) sets them and execs the program: the pid stays the program's.
    argv.insert(argv.begin(), env->second.begin(), env->second.end());
    argv.insert(argv.begin(), "env");
  }
  n.process =
      std::make_unique<ChildProcess>(argv, dir_, logPath(name, "out"), logPath(name, "err"));
  n.startedAtMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
}

void TestCluster::run(const std::string& name, std::vector<std::string> argv) {
  if (argv.empty()) throw std::runtime_error("TestCluster: no command to run as '" + name + "'");
  if (auto it = nodes_.find(name); it != nodes_.end()) {
    if (!it->second.further)
      throw std::runtime_error("TestCluster: '" + name + "' is one of the cluster's own");
    if (isRunning(name)) throw std::runtime_error("TestCluster: " + name + " is still running");
  }
  Node& n = nodes_[name];
  n.name = name;
  n.further = true;
  n.argv = std::move(argv);
  start(name);
}

bool TestCluster::kill(const std::string& name, int signal) {
  Node& n = node(name);
  return n.process && n.process->signal(signal);
}

int TestCluster::stop(const std::string& name, std::chrono::milliseconds grace) {
  Node& n = node(name);
  if (!n.process) return -1;
  return n.process->stop(grace);
}

void TestCluster::restart(const std::string& name) {
  stop(name);
  start(name);
}

bool TestCluster::isRunning(const std::string& name) {
  Node& n = node(name);
  return n.process && n.process->isRunning();
}

pid_t TestCluster::pid(const std::string& name) const {
  const Node& n = node(name);
  return n.process ? n.process->pid() : -1;
}

int64_t TestCluster::startedAtMs(const std::string& name) const { return node(name).startedAtMs; }

std::optional<int> TestCluster::waitExit(const std::string& name,
                                         std::chrono::milliseconds timeout) {
  Node& n = node(name);
  if (!n.process) return std::nullopt;
  if (!waitUntil([&] { return !n.process->isRunning(); }, timeout)) return std::nullopt;
  return n.process->exitStatus();
}

std::string TestCluster::logText(const std::string& name) const {
  node(name);
  return readFile(logPath(name, "out")) + readFile(logPath(name, "err"));
}

std::string TestCluster::binary(const std::string& program) const {
  return requireBinary(binDir_, program);
}

CommandResult TestCluster::runClient(const std::vector<std::string>& args,
                                     std::chrono::milliseconds timeout) const {
  std::vector<std::string> argv = {binary("jh-client"), "--cluster", clusterFile_};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv, timeout);
}

std::optional<ReplicaProbe> TestCluster::replicaHealth(const std::string& name) const {
  return probeReplica(address(name), std::chrono::milliseconds(options_.callTimeoutMs),
                      options_.secret);
}

std::optional<FrontendProbe> TestCluster::frontendStatus(const std::string& frontend) const {
  return probeFrontend(address(frontend), std::chrono::milliseconds(options_.callTimeoutMs));
}

bool TestCluster::waitReplicaReady(const std::string& name,
                                   std::chrono::milliseconds timeout) const {
  return waitUntil(
      [&] {
        auto h = replicaHealth(name);
        return h && h->state == "READY";
      },
      timeout, std::chrono::milliseconds(50));
}

bool TestCluster::waitFrontendUp(std::chrono::milliseconds timeout,
                                 const std::string& frontend) const {
  return waitUntil(
      [&] {
        auto s = frontendStatus(frontend);
        return s && !s->primary.empty();
      },
      timeout, std::chrono::milliseconds(50));
}

std::string TestCluster::ordersPath(const std::string& replicaName) const {
  std::string path = replicaDir(replicaName) + "/orders.csv";
  if (!fs::exists(path) && fs::exists(path + ".partial")) path += ".partial";
  return path;
}

std::vector<OrderRecord> TestCluster::readOrdersCsv(const std::string& replicaName) const {
  std::string path = ordersPath(replicaName);
  std::string text = readFile(path);
  std::vector<OrderRecord> rows;
  CsvReader reader(text);
  std::vector<std::string> fields;
  bool header = true;
  for (;;) {
    auto r = reader.next(fields);
    if (r == CsvReader::Result::END || r == CsvReader::Result::TORN) break;
    if (r == CsvReader::Result::BAD) {
      throw std::runtime_error(path + ":" + std::to_string(reader.recordLine()) + ": " +
                               reader.error());
    }
    if (header) {
      header = false;
      continue;
    }
    std::string error;
    auto order = orderFromCsv(fields, error);
    if (!order)
      throw std::runtime_error(path + ":" + std::to_string(reader.recordLine()) + ": " + error);
    rows.push_back(std::move(*order));
  }
  return rows;
}

void TestCluster::dumpLogs(std::ostream& out, size_t lines) const {
  for (auto& [name, n] : nodes_) {
    for (const char* stream : {"out", "err"}) {
      std::string text = readFile(logPath(name, stream));
      if (text.empty()) continue;
      out << "----- " << name << " (std" << stream << ", last " << lines << " lines) -----\n"
          << tailLines(text, lines);
      if (text.back() != '\n') out << "\n";
    }
  }
}

}  // namespace jh::test
