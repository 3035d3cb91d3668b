// Tests of the test harness itself: ports, polling, child processes, command timeouts. They use
// only standard programs (sleep, sh), never the servers' binaries.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "tests/support/harness/child-process.h"
#include "tests/support/harness/harness-util.h"
#include "tests/support/harness/loopback-listener.h"
#include "tests/support/harness/rpc-probe.h"
#include "tests/support/harness/test-cluster.h"

using namespace std::chrono_literals;
using namespace jh::test;

namespace {

// A folder removed at the end of a test.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    path = (std::filesystem::temp_directory_path() / "jh-harness-XXXXXX").string();
    REQUIRE(mkdtemp(path.data()) != nullptr);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("free ports are distinct, non-zero and bindable again") {
  auto ports = pickFreePorts(8);
  std::set<uint16_t> unique(ports.begin(), ports.end());
  CHECK(unique.size() == 8);
  CHECK(unique.count(0) == 0);
  CHECK(pickFreePort() != 0);
}

TEST_CASE("free ports and free-port listeners are below the ephemeral range, and accept") {
  for (auto port : pickFreePorts(8)) {
    CHECK(port >= 1024);
    CHECK(port < 32768);
  }
  auto io = kj::setupAsyncIo();
  auto& network = io.provider->getNetwork();
  auto listener = listenOnFreePort(network, io.waitScope);
  CHECK(listener->getPort() >= 1024);
  CHECK(listener->getPort() < 32768);
  auto accepted = listener->accept();
  auto client = network.parseAddress("127.0.0.1", listener->getPort())
                    .wait(io.waitScope)
                    ->connect()
                    .wait(io.waitScope);
  CHECK(accepted.wait(io.waitScope).get() != nullptr);
}

TEST_CASE("waitUntil returns true as soon as the predicate holds") {
  int calls = 0;
  auto start = std::chrono::steady_clock::now();
  CHECK(waitUntil([&] { return ++calls == 3; }, 5s, 1ms));
  CHECK(calls == 3);
  CHECK(std::chrono::steady_clock::now() - start < 4s);
}

TEST_CASE("waitUntil gives up after its timeout (timing-dependent)") {
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(waitUntil([] { return false; }, 100ms, 10ms));
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(took >= 100ms);
  CHECK(took < 5s);
}

TEST_CASE("runCommand collects stdout, stderr and the exit code") {
  auto r = runCommand({"sh", "-c", "echo out; echo err >&2; exit 3"}, 10s);
  CHECK_FALSE(r.timedOut);
  CHECK(r.exitCode == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
}

TEST_CASE("runCommand kills a command that outlives its timeout (timing-dependent)") {
  auto start = std::chrono::steady_clock::now();
  auto r = runCommand({"sleep", "30"}, 200ms);
  CHECK(r.timedOut);
  CHECK(r.exitCode == -1);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("runCommand's timeout also ends what the command started in the background") {
  // The grandchild keeps the output pipe open; the whole process group must be killed.
  auto start = std::chrono::steady_clock::now();
  auto r = runCommand({"sh", "-c", "sleep 30 & echo started; wait"}, 300ms);
  CHECK(r.timedOut);
  CHECK(r.out == "started\n");
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("runCommand reports a program that does not exist") {
  CHECK_THROWS_AS(runCommand({"/nonexistent/jh-nothing"}, 1s), std::runtime_error);
  CHECK_THROWS_AS(runCommand({"jh-no-such-program-in-path"}, 1s), std::runtime_error);
}

TEST_CASE("a child process writes its output to its log files and reports its exit code") {
  ScratchDir dir;
  std::string out = dir.path + "/c.out", err = dir.path + "/c.err";
  ChildProcess child({"sh", "-c", "pwd; echo oops >&2; exit 7"}, dir.path, out, err);
  CHECK(child.pid() > 0);
  REQUIRE(waitUntil([&] { return !child.isRunning(); }, 10s));
  CHECK(child.exitStatus() == 7);
  CHECK(readFile(out) == std::filesystem::canonical(dir.path).string() + "\n");
  CHECK(readFile(err) == "oops\n");
}

TEST_CASE("stop ends a child with TERM, and with KILL when it ignores TERM (timing-dependent)") {
  ScratchDir dir;
  std::string log = dir.path + "/log";
  ChildProcess polite({"sleep", "30"}, "", log, log);
  CHECK(polite.isRunning());
  CHECK(polite.stop(5s) == 128 + SIGTERM);
  CHECK_FALSE(polite.isRunning());

  ChildProcess stubborn({"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"}, "",
                        log, log);
  REQUIRE(waitUntil([&] { return readFile(log).find("ready") != std::string::npos; }, 10s));
  auto start = std::chrono::steady_clock::now();
  CHECK(stubborn.stop(300ms) == 128 + SIGKILL);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("a stopped (SIGSTOP) child still counts as running and stop still ends it") {
  ScratchDir dir;
  std::string log = dir.path + "/log";
  ChildProcess child({"sleep", "30"}, "", log, log);
  CHECK(child.signal(SIGSTOP));
  CHECK(child.isRunning());
  CHECK(child.stop(5s) == 128 + SIGTERM);
  CHECK_FALSE(child.signal(SIGTERM));
}

TEST_CASE("a child that cannot be started is reported at once") {
  ScratchDir dir;
  CHECK_THROWS_AS(ChildProcess({"/nonexistent/jh-nothing"}, "", dir.path + "/l", dir.path + "/l"),
                  std::runtime_error);
  CHECK_THROWS_AS(
      ChildProcess({"sleep", "1"}, "/nonexistent-folder", dir.path + "/l", dir.path + "/l"),
      std::runtime_error);
}

TEST_CASE("probes of a port where nothing listens give nothing, within their timeout") {
  auto port = pickFreePort();
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(probeReplica("127.0.0.1:" + std::to_string(port), 500ms).has_value());
  CHECK_FALSE(probeFrontend("127.0.0.1:" + std::to_string(port), 500ms).has_value());
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("tailLines keeps the last lines") {
  CHECK(tailLines("a\nb\nc\n", 2) == "b\nc\n");
  CHECK(tailLines("a\nb\nc", 2) == "b\nc");
  CHECK(tailLines("a\n", 5) == "a\n");
  CHECK(tailLines("", 5) == "");
}

TEST_CASE("a cluster whose binaries are missing fails saying which, and leaves no folder") {
  ScratchDir tmp;
  setenv("JH_BIN_DIR", "/nonexistent-bin", 1);
  setenv("TMPDIR", tmp.path.c_str(), 1);
  std::string message;
  try {
    TestCluster cluster;
  } catch (const std::runtime_error& e) { message = e.what(); }
  unsetenv("JH_BIN_DIR");
  unsetenv("TMPDIR");
  CHECK(message.find("jh-replica is not built") != std::string::npos);
  CHECK(message.find("/nonexistent-bin/jh-replica") != std::string::npos);
  CHECK(std::filesystem::is_empty(tmp.path));
}

TEST_CASE("a cluster in a folder it was given leaves that folder, even when it fails") {
  ScratchDir tmp;
  setenv("JH_BIN_DIR", "/nonexistent-bin", 1);
  ClusterOptions options;
  options.dir = tmp.path + "/given";
  std::string message;
  try {
    TestCluster cluster(options);
  } catch (const std::runtime_error& e) { message = e.what(); }
  unsetenv("JH_BIN_DIR");
  CHECK(message.find("jh-replica is not built") != std::string::npos);
  CHECK(std::filesystem::is_directory(options.dir));
}
