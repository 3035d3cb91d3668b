// Loading and checking the cluster secret.
#include "schema/config/cluster-secret.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace jh {

std::string loadClusterSecret(const ClusterConfig& config) {
  if (config.secretFile.empty()) return {};
  const std::string& path = config.secretFile;
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    throw ConfigError(
        fmt::format("{}: secret_file: {} cannot be read (./startup.sh creates it; by hand: "
                    "head -c 32 /dev/urandom | base64 > FILE && chmod 600 FILE)",
                    config.path, path));
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    throw ConfigError(fmt::format(
        "{}: secret_file: {} must be readable by its owner only (chmod 600)", config.path, path));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string secret = buf.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (!in || secret.empty()) {
    throw ConfigError(
        fmt::format("{}: secret_file: {} is empty or cannot be read", config.path, path));
  }
  return secret;
}

bool secretMatches(const std::string& secret, const std::string& given) {
  unsigned char diff = secret.size() == given.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ (secret.empty() ? 0 : secret[i % secret.size()]));
  }
  return diff == 0;
}

}  // namespace jh
