// The jh-client binary itself, end to end: its exit codes, and a real run against the fake
// front-end (the test's event loop serves the fake while it reads the child's output).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "client/command-line.h"
#include "tests/client/client-rig.h"
#include "tests/schema/parse-json.h"
#include "tests/schema/temp-dir.h"

namespace jh::client::test {

using jh::test::parseJson;

namespace {

struct Run {
  int exit = -1;
  std::string out;  // standard output and standard error
};

std::string quoted(const std::string& arg) {
  std::string q = "'";
  for (char c : arg) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `stdinText | jh-client ARGS`, serving the event loop while the child runs.
Run runClient(kj::AsyncIoContext& io, const std::vector<std::string>& args,
              const std::string& stdinText = "") {
  std::string command = "printf %s " + quoted(stdinText) + " | NO_COLOR=1 " JH_CLIENT_BINARY;
  for (auto& a : args) command += " " + quoted(a);
  command += " 2>&1";
  FILE* child = popen(command.c_str(), "r");
  REQUIRE(child != nullptr);
  Run run;
  {
    auto stream = io.lowLevelProvider->wrapInputFd(fileno(child));
    run.out = stream->readAllText().wait(io.waitScope).cStr();
  }
  int status = pclose(child);
  run.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// A cluster file in a temporary folder, listing the given front-end addresses.
std::string writeCluster(const jh::test::TempDir& dir, const std::vector<std::string>& frontends) {
  std::string text = R"({"frontends": [)";
  for (size_t i = 0; i < frontends.size(); ++i) {
    text += fmt::format(R"({}{{"name": "fe{}", "address": "{}"}})", i ? "," : "", i, frontends[i]);
  }
  text += R"(], "replicas": [{"name": "r1", "address": "127.0.0.1:1", "dir": "r1"}]})";
  return dir.write("cluster.json", text);
}

}  // namespace

TEST_CASE("the binary prints its usage with --help and exits 0") {
  auto io = kj::setupAsyncIo();
  auto run = runClient(io, {"--help"});
  CHECK(run.exit == EXIT_DONE);
  CHECK(run.out.rfind("Usage: jh-client", 0) == 0);
}

TEST_CASE(
    "the binary exits 2 on a usage error and on a cluster file that cannot be read or is "
    "not JSON, saying so in words") {
  auto io = kj::setupAsyncIo();
  auto run = runClient(io, {"fly"});
  CHECK(run.exit == EXIT_USAGE);
  CHECK(run.out == "Unknown command 'fly'.\nRun 'jh-client --help' for how to use it.\n");
  run = runClient(io, {"--json", "--cluster", "/nonexistent/cluster.json", "menu"});
  CHECK(run.exit == EXIT_USAGE);
  CHECK(run.out == R"({"error":{"code":"CONFIG","message":"cannot read the cluster file )"
                   R"(/nonexistent/cluster.json: No such file or directory"}})"
                   "\n");
  jh::test::TempDir dir;
  std::string notJson = dir.write("README.md", "# Just Hungry\n");
  run = runClient(io, {"--cluster", notJson, "menu"});
  CHECK(run.exit == EXIT_USAGE);
  CHECK(run.out == "the cluster file " + notJson +
                       " is not JSON: invalid value at line 1, column 1\n"
                       "Run 'jh-client --help' for how to use it.\n");
}

TEST_CASE(
    "the binary exits 1 on a bad user code, 2 on an unknown --frontend, and 3 when no "
    "front-end answers") {
  auto io = kj::setupAsyncIo();
  jh::test::TempDir dir;
  std::string cluster = writeCluster(dir, {LoopbackServer::closedAddress()});
  auto run = runClient(io, {"--cluster", cluster, "--user", "", "menu"});
  CHECK(run.exit == EXIT_REJECTED);
  CHECK(run.out == "The user code is empty.\n");
  run = runClient(io, {"--cluster", cluster, "--frontend", "nope", "menu"});
  CHECK(run.exit == EXIT_USAGE);
  run = runClient(io, {"--cluster", cluster, "--json", "menu"});
  CHECK(run.exit == EXIT_UNAVAILABLE);
  CHECK(std::string(parseJson(run.out)["rejected"]["code"].GetString()) == "UNAVAILABLE");
}

TEST_CASE("the binary orders through a front-end and runs an interactive session from a pipe") {
  ClientRig rig;
  jh::test::TempDir dir;
  std::string cluster = writeCluster(dir, {rig.server.address()});
  auto run = runClient(rig.io, {"--cluster", cluster, "--json", "--user", "ann", "order",
                                "Margherita pizza", "sw1a1aa", "--id", "bin-1"});
  CHECK(run.exit == EXIT_DONE);
  CHECK(run.out.find(R"("order_id":"bin-1")") != std::string::npos);

  run = runClient(rig.io, {"--cluster", cluster}, "ann\n2\n4\n");
  CHECK(run.exit == EXIT_DONE);
  CAPTURE(run.out);
  CHECK(run.out.find("Welcome, ann.") != std::string::npos);
  CHECK(run.out.find("    bin-1  to SW1A 1AA, Westminster, London\n") != std::string::npos);
  CHECK(run.out.find("Goodbye.") != std::string::npos);
  CHECK(run.out.find("\x1b") == std::string::npos);
}

}  // namespace jh::client::test
