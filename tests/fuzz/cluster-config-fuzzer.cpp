// loadClusterConfig on a cluster file holding any bytes. Invariants: it either throws ConfigError
// or returns a configuration that keeps every promise of schema/config/cluster-config.h.
#include <filesystem>
#include <set>
#include <string>

#include "schema/config/cluster-config.h"
#include "tests/fuzz/fuzz-support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = jh::fuzz::writeScratch("cluster.json", jh::fuzz::asText(data, size));
  jh::ClusterConfig config;
  try {
    config = jh::loadClusterConfig(path);
  } catch (const jh::ConfigError&) { return 0; }
  JH_FUZZ_CHECK(config.path == path, "the configuration names its file");
  JH_FUZZ_CHECK(!config.replicas.empty(), "there is a replica");
  JH_FUZZ_CHECK(config.minAcks + 1 <= config.replicas.size(), "min_acks fits the backups");
  std::set<std::string> names, addresses;
  for (auto* list : {&config.frontends, &config.replicas}) {
    for (auto& node : *list) {
      JH_FUZZ_CHECK(!node.name.empty() && names.insert(node.name).second, "names are distinct");
      JH_FUZZ_CHECK(jh::parseAddress(node.address).has_value(), "addresses are host:port");
      JH_FUZZ_CHECK(addresses.insert(node.address).second, "addresses are distinct");
    }
  }
  for (auto& replica : config.replicas) {
    JH_FUZZ_CHECK(std::filesystem::path(replica.dir).is_absolute(), "replica folders are absolute");
  }
  JH_FUZZ_CHECK(config.secretFile.empty() || std::filesystem::path(config.secretFile).is_absolute(),
                "the secret file is absolute");
  JH_FUZZ_CHECK(!config.postcodes.urls.empty(), "there is a postcodes url");
  for (auto& url : config.postcodes.urls) {
    JH_FUZZ_CHECK(url.starts_with("http://") || url.starts_with("https://"), "urls are http(s)");
    JH_FUZZ_CHECK(url.back() != '/', "urls lose their trailing slashes");
  }
  JH_FUZZ_CHECK(config.heartbeatMs >= 10 && config.heartbeatMs <= 60000, "heartbeat_ms in range");
  JH_FUZZ_CHECK(config.callTimeoutMs >= 10 && config.callTimeoutMs <= 600000,
                "call_timeout_ms in range");
  JH_FUZZ_CHECK(config.postcodes.timeoutMs >= 1, "postcodes.timeout_ms in range");
  return 0;
}
