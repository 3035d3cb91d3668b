// The cluster file: the repo's own file loads, every key has a default, and every mistake is an
// error naming the file and the key.
#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>

#include "schema/config/cluster-config.h"
#include "tests/schema/temp-dir.h"

using jh::ClusterConfig;
using jh::ConfigError;
using jh::test::TempDir;

namespace {

const char* const TWO_REPLICAS = R"(
  "replicas": [
    { "name": "r1", "address": "127.0.0.1:9001", "dir": "d1" },
    { "name": "r2", "address": "127.0.0.1:9002", "dir": "/abs/d2" }
  ])";

// The message of the ConfigError that loading `json` throws, or "" if it loads.
std::string loadError(const TempDir& dir, const std::string& json) {
  std::string path = dir.write("cluster.json", json);
  try {
    jh::loadClusterConfig(path);
  } catch (const ConfigError& e) { return e.what(); }
  return "";
}

// Checks that loading `json` fails with a message naming the file and `key`.
void checkRefused(const std::string& json, const std::string& key) {
  TempDir dir;
  std::string message = loadError(dir, json);
  CAPTURE(json);
  CAPTURE(message);
  REQUIRE_FALSE(message.empty());
  CHECK(message.find(dir.file("cluster.json")) != std::string::npos);
  CHECK(message.find(key) != std::string::npos);
}

std::string withReplicas(const std::string& rest) {
  return std::string("{") + TWO_REPLICAS + rest + "}";
}

// Sets or clears an environment variable for the life of the object, then puts it back.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE(
    "the repository's cluster file gives three replicas in priority order with absolute folders") {
  std::string path = JH_SOURCE_DIR "/resources/cluster.json";
  ClusterConfig c = jh::loadClusterConfig(path);
  CHECK(c.path == path);
  REQUIRE(c.replicas.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    std::string n = std::to_string(i + 1);
    CHECK(c.replicas[i].name == "replica.server" + n);
    CHECK(c.replicas[i].address == "127.0.0.1:900" + n);
    CHECK(c.replicas[i].dir == JH_SOURCE_DIR "/resources/replica-server-" + n);
    CHECK(std::filesystem::path(c.replicas[i].dir).is_absolute());
    CHECK(c.replicaIndex(c.replicas[i].name) == i);
  }
  CHECK_FALSE(c.replicaIndex("replica.server4").has_value());
  REQUIRE(c.frontends.size() == 1);
  CHECK(c.frontends[0].address == "127.0.0.1:9000");
  REQUIRE(c.findFrontend("just.hungry") != nullptr);
  CHECK(c.findFrontend("just.hungry")->address == "127.0.0.1:9000");
  CHECK(c.findFrontend("just.hungry")->http == "127.0.0.1:8080");
  CHECK(c.findFrontend("nobody") == nullptr);
  CHECK(c.http.pageDir == JH_SOURCE_DIR "/resources/web");
  CHECK(std::filesystem::exists(c.http.pageDir + "/index.html"));
}

TEST_CASE("keys left out take their defaults and a relative dir resolves beside the file") {
  TempDir dir;
  ClusterConfig c = jh::loadClusterConfig(dir.write("cluster.json", withReplicas("")));
  CHECK(c.frontends.empty());
  CHECK(c.heartbeatMs == 500);
  CHECK(c.callTimeoutMs == 1000);
  CHECK(c.minAcks == 0);
  CHECK(c.syncTimeoutMs == 3000);
  CHECK(c.secretFile.empty());
  CHECK(c.postcodes.urls == std::vector<std::string>{"https://api.postcodes.io"});
  CHECK(c.postcodes.timeoutMs == 2000);
  CHECK(c.postcodes.whenUnreachable == jh::WhenUnreachable::ACCEPT);
  REQUIRE(c.replicas.size() == 2);
  CHECK(c.replicas[0].dir == dir.path() + "/d1");
  CHECK(c.replicas[1].dir == "/abs/d2");
  CHECK(c.http.pageDir == dir.path() + "/web");
  CHECK(c.http.ratePerS == 20);
  CHECK(c.http.rateBurst == 40);
  CHECK(c.http.headerTimeoutMs == 10000);
  CHECK(c.http.idleTimeoutMs == 5000);
}

TEST_CASE(
    "a front-end's http address and the http settings are read, the page folder beside the file") {
  TempDir dir;
  ClusterConfig c = jh::loadClusterConfig(dir.write("cluster.json", withReplicas(R"(,
    "frontends": [ { "name": "fe", "address": "127.0.0.1:9000", "http": "127.0.0.1:8080" },
                   { "name": "fe2", "address": "127.0.0.1:9010" } ],
    "http": { "page_dir": "pages", "rate_per_s": 0, "rate_burst": 5, "header_timeout_ms": 300,
              "idle_timeout_ms": 200 })")));
  REQUIRE(c.frontends.size() == 2);
  CHECK(c.frontends[0].http == "127.0.0.1:8080");
  CHECK(c.frontends[1].http.empty());
  CHECK(c.http.pageDir == dir.path() + "/pages");
  CHECK(c.http.ratePerS == 0);
  CHECK(c.http.rateBurst == 5);
  CHECK(c.http.headerTimeoutMs == 300);
  CHECK(c.http.idleTimeoutMs == 200);
}

TEST_CASE("a bad or reused http address and unknown http settings are errors naming the key") {
  checkRefused(
      withReplicas(
          R"(, "frontends": [ { "name": "fe", "address": "127.0.0.1:9000", "http": "8080" } ])"),
      "frontends[0].http");
  checkRefused(
      withReplicas(
          R"(, "frontends": [ { "name": "fe", "address": "127.0.0.1:9000", "http": 8080 } ])"),
      "frontends[0].http");
  checkRefused(withReplicas(R"(, "frontends": [ { "name": "fe", "address": "127.0.0.1:9000",
                                                  "http": "127.0.0.1:9001" } ])"),
               "127.0.0.1:9001");
  checkRefused(withReplicas(R"(, "http": { "rate": 5 })"), "http.rate");
  checkRefused(withReplicas(R"(, "http": { "rate_burst": 0 })"), "http.rate_burst");
  checkRefused(withReplicas(R"(, "http": { "header_timeout_ms": 1 })"), "http.header_timeout_ms");
  checkRefused(withReplicas(R"(, "http": "127.0.0.1:8080")"), "http");
}

TEST_CASE(
    "a front-end's threads are read, absent as 0 (the cores), and out of range an error naming the "
    "key") {
  TempDir dir;
  ClusterConfig c = jh::loadClusterConfig(dir.write("cluster.json", withReplicas(R"(,
    "frontends": [ { "name": "fe", "address": "127.0.0.1:9000", "threads": 4 },
                   { "name": "fe2", "address": "127.0.0.1:9010" } ])")));
  REQUIRE(c.frontends.size() == 2);
  CHECK(c.frontends[0].threads == 4);
  CHECK(c.frontends[1].threads == 0);
  checkRefused(
      withReplicas(
          R"(, "frontends": [ { "name": "fe", "address": "127.0.0.1:9000", "threads": 0 } ])"),
      "frontends[0].threads");
  checkRefused(
      withReplicas(
          R"(, "frontends": [ { "name": "fe", "address": "127.0.0.1:9000", "threads": 65 } ])"),
      "frontends[0].threads");
  checkRefused(
      withReplicas(
          R"(, "frontends": [ { "name": "fe", "address": "127.0.0.1:9000", "threads": "2" } ])"),
      "frontends[0].threads");
}

TEST_CASE("keys that are given override the defaults") {
  TempDir dir;
  ClusterConfig c = jh::loadClusterConfig(dir.write("cluster.json", withReplicas(R"(,
    "heartbeat_ms": 250, "call_timeout_ms": 100, "min_acks": 1, "sync_timeout_ms": 0,
    "postcodes": { "urls": ["http://127.0.0.1:8080/", "https://b.example"], "timeout_ms": 50,
                   "when_unreachable": "reject" })")));
  CHECK(c.heartbeatMs == 250);
  CHECK(c.callTimeoutMs == 100);
  CHECK(c.minAcks == 1);
  CHECK(c.syncTimeoutMs == 0);
  CHECK(c.postcodes.urls == std::vector<std::string>{"http://127.0.0.1:8080", "https://b.example"});
  CHECK(c.postcodes.timeoutMs == 50);
  CHECK(c.postcodes.whenUnreachable == jh::WhenUnreachable::REJECT);
}

TEST_CASE("an unknown top-level key is an error naming the file and the key") {
  checkRefused(withReplicas(R"(, "heartbeat": 500)"), "heartbeat");
}

TEST_CASE("an unknown key inside one replica is an error naming that replica's place") {
  checkRefused(R"({ "replicas": [
    { "name": "r1", "address": "127.0.0.1:9001", "dir": "d1" },
    { "name": "r2", "address": "127.0.0.1:9002", "dir": "d2", "port": 9002 } ] })",
               "replicas[1].port");
}

TEST_CASE("a duplicate name is an error, within replicas or across front-ends and replicas") {
  checkRefused(R"({ "replicas": [
    { "name": "r1", "address": "127.0.0.1:9001", "dir": "d1" },
    { "name": "r1", "address": "127.0.0.1:9002", "dir": "d2" } ] })",
               "replicas[1].name");
  checkRefused(R"({ "frontends": [ { "name": "r1", "address": "127.0.0.1:9000" } ],
    "replicas": [ { "name": "r1", "address": "127.0.0.1:9001", "dir": "d1" } ] })",
               "r1");
}

TEST_CASE("a duplicate address is an error naming the address") {
  checkRefused(R"({ "replicas": [
    { "name": "r1", "address": "127.0.0.1:9001", "dir": "d1" },
    { "name": "r2", "address": "127.0.0.1:9001", "dir": "d2" } ] })",
               "127.0.0.1:9001");
}

TEST_CASE("a bad address is an error naming the key and the address") {
  for (const char* address : {"localhost", "1.2.3.4:0", "1.2.3.4:70000", "a b:1", ":9001", ""}) {
    std::string json = std::string(R"({ "replicas": [ { "name": "r1", "address": ")") + address +
                       R"(", "dir": "d1" } ] })";
    checkRefused(json, "replicas[0].address");
  }
}

TEST_CASE("a file that is not JSON is an error in words naming the file, the line and the column") {
  TempDir dir;
  CHECK(loadError(dir, "{\n  \"replicas\": [],\n  oops\n}") ==
        "the cluster file " + dir.file("cluster.json") +
            " is not JSON: missing a name for object member at line 3, column 3");
  CHECK(loadError(dir, "# Just Hungry\n") == "the cluster file " + dir.file("cluster.json") +
                                                 " is not JSON: invalid value at line 1, column 1");
  // Columns count characters, not bytes.
  CHECK(loadError(dir, "{\"é\": x}") == "the cluster file " + dir.file("cluster.json") +
                                            " is not JSON: invalid value at line 1, column 7");
  checkRefused(withReplicas(", }"), "is not JSON");
  checkRefused("[1, 2]", "(top)");
}

TEST_CASE("an empty cluster file is an error saying so") {
  TempDir dir;
  CHECK(loadError(dir, "") == "the cluster file " + dir.file("cluster.json") + " is empty");
  CHECK(loadError(dir, " \n\n") == "the cluster file " + dir.file("cluster.json") + " is empty");
}

TEST_CASE("a missing file or a folder is an error naming the file and the system's reason") {
  TempDir dir;
  std::string path = dir.file("absent.json");
  std::string message;
  try {
    jh::loadClusterConfig(path);
    FAIL("a missing file loaded");
  } catch (const ConfigError& e) { message = e.what(); }
  CHECK(message == "cannot read the cluster file " + path + ": No such file or directory");
  std::filesystem::create_directory(dir.file("folder.json"));
  try {
    jh::loadClusterConfig(dir.file("folder.json"));
    FAIL("a folder loaded");
  } catch (const ConfigError& e) { message = e.what(); }
  CHECK(message == "cannot read the cluster file " + dir.file("folder.json") + ": Is a directory");
}

TEST_CASE("min_acks greater than the number of backups is an error") {
  checkRefused(withReplicas(R"(, "min_acks": 2)"), "min_acks");
  TempDir dir;
  CHECK(loadError(dir, withReplicas(R"(, "min_acks": 1)")).empty());
}

TEST_CASE("a cluster without replicas is an error") {
  checkRefused(R"({ "replicas": [] })", "replicas");
  checkRefused(R"({ "frontends": [] })", "replicas");
}

TEST_CASE("a when_unreachable other than accept or reject is an error") {
  checkRefused(withReplicas(R"(, "postcodes": { "when_unreachable": "maybe" })"),
               "postcodes.when_unreachable");
}

TEST_CASE("a postcodes url without http:// or https:// is an error") {
  checkRefused(withReplicas(R"(, "postcodes": { "urls": ["api.postcodes.io"] })"),
               "postcodes.urls");
  checkRefused(withReplicas(R"(, "postcodes": { "urls": [] })"), "postcodes.urls");
  checkRefused(withReplicas(R"(, "postcodes": { "urls": ["ftp://x"] })"), "postcodes.urls");
}

TEST_CASE("numbers of the wrong kind or out of range are errors naming the key") {
  checkRefused(withReplicas(R"(, "heartbeat_ms": -5)"), "heartbeat_ms");
  checkRefused(withReplicas(R"(, "heartbeat_ms": 1.5)"), "heartbeat_ms");
  checkRefused(withReplicas(R"(, "call_timeout_ms": "1000")"), "call_timeout_ms");
  checkRefused(withReplicas(R"(, "heartbeat_ms": 0)"), "heartbeat_ms");
  checkRefused(withReplicas(R"(, "postcodes": { "timeout_ms": 0 })"), "postcodes.timeout_ms");
}

TEST_CASE("a replica without a dir, name or address is an error naming the missing key") {
  checkRefused(R"({ "replicas": [ { "name": "r1", "address": "127.0.0.1:9001" } ] })",
               "replicas[0].dir");
  checkRefused(R"({ "replicas": [ { "address": "127.0.0.1:9001", "dir": "d" } ] })",
               "replicas[0].name");
  checkRefused(R"({ "replicas": [ { "name": "r1", "dir": "d" } ] })", "replicas[0].address");
}

TEST_CASE("parseAddress splits host and port and refuses what is not host:port") {
  auto v4 = jh::parseAddress("127.0.0.1:9001");
  REQUIRE(v4.has_value());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 9001);
  auto v6 = jh::parseAddress("[::1]:65535");
  REQUIRE(v6.has_value());
  CHECK(v6->host == "[::1]");
  CHECK(v6->port == 65535);
  auto named = jh::parseAddress("replica-1.example:1");
  REQUIRE(named.has_value());
  CHECK(named->host == "replica-1.example");
  CHECK(named->port == 1);
  for (const char* bad :
       {"localhost", "1.2.3.4:0", "1.2.3.4:70000", "a b:1", ":80", "host:", "host:+80", "host:8o",
        "[::1]", "[::1:80", "[]:80", "::1:80", "host:123456", "h/x:80", ""}) {
    CAPTURE(std::string(bad));
    CHECK_FALSE(jh::parseAddress(bad).has_value());
  }
}

TEST_CASE("chooseClusterPath takes the flag first, then JH_CLUSTER") {
  {
    ScopedEnv env("JH_CLUSTER", "/from/env.json");
    CHECK(jh::chooseClusterPath(std::string("/from/flag.json"), nullptr) == "/from/flag.json");
    CHECK(jh::chooseClusterPath(std::nullopt, nullptr) == "/from/env.json");
  }
  {
    ScopedEnv env("JH_CLUSTER", nullptr);
    std::string chosen = jh::chooseClusterPath(std::nullopt, nullptr);
    CHECK(chosen != "/from/env.json");
    CHECK(chosen.size() >= std::string("resources/cluster.json").size());
    CHECK(chosen.substr(chosen.size() - 22) == "resources/cluster.json");
  }
  {
    ScopedEnv env("JH_CLUSTER", "");  // set but empty counts as unset
    CHECK(jh::chooseClusterPath(std::nullopt, nullptr) != "");
  }
}
