// Loading of the cluster file with RapidJSON; nothing outside this file sees a rapidjson::Value.
#include "schema/config/cluster-config.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace jh {

namespace fs = std::filesystem;
using rapidjson::Value;

namespace {

// Where byte `offset` of `text` is, as a 1-based line and column (a column per code point).
std::pair<size_t, size_t> lineAndColumn(const std::string& text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {line, column};
}

// RapidJSON's "Invalid value." as "invalid value", to sit inside a sentence.
std::string asClause(std::string message) {
  while (!message.empty() && (message.back() == '.' || message.back() == ' ')) message.pop_back();
  if (!message.empty() && message[0] >= 'A' && message[0] <= 'Z')
    message[0] = char(message[0] - 'A' + 'a');
  return message;
}

class Loader {
 public:
  explicit Loader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    throw ConfigError(fmt::format("{}: {}: {}", path_, key, what));
  }

  void onlyKeys(const Value& obj, const std::string& where,
                std::initializer_list<const char*> keys) {
    for (auto& m : obj.GetObject()) {
      bool known = false;
      for (const char* k : keys) known = known || m.name.GetString() == std::string_view(k);
      if (!known) {
        fail(where.empty() ? m.name.GetString() : where + "." + m.name.GetString(), "unknown key");
      }
    }
  }

  uint32_t uintIn(const Value& obj, const char* key, const std::string& where, uint32_t def,
                  uint32_t lo, uint32_t hi) {
    auto it = obj.FindMember(key);
    if (it == obj.MemberEnd()) return def;
    std::string name = where.empty() ? key : where + "." + key;
    if (!it->value.IsUint()) fail(name, "must be a whole number");
    uint32_t v = it->value.GetUint();
    if (v < lo || v > hi) fail(name, fmt::format("must be between {} and {}", lo, hi));
    return v;
  }

  std::string stringIn(const Value& obj, const char* key, const std::string& where, bool required) {
    auto it = obj.FindMember(key);
    std::string name = where + "." + key;
    if (it == obj.MemberEnd()) {
      if (required) fail(name, "missing");
      return {};
    }
    if (!it->value.IsString() || it->value.GetStringLength() == 0) {
      fail(name, "must be a non-empty string");
    }
    return it->value.GetString();
  }

  std::vector<NodeConfig> nodes(const Value& root, const char* key, bool withDir,
                                std::set<std::string>& names) {
    std::vector<NodeConfig> out;
    auto it = root.FindMember(key);
    if (it == root.MemberEnd()) return out;
    if (!it->value.IsArray()) fail(key, "must be a list");
    size_t i = 0;
    for (auto& v : it->value.GetArray()) {
      std::string where = fmt::format("{}[{}]", key, i++);
      if (!v.IsObject()) fail(where, "must be an object");
      if (withDir) {
        onlyKeys(v, where, {"name", "address", "dir"});
      } else {
        onlyKeys(v, where, {"name", "address", "http", "threads"});
      }
      NodeConfig n;
      n.name = stringIn(v, "name", where, true);
      n.address = stringIn(v, "address", where, true);
      if (!parseAddress(n.address))
        fail(where + ".address", "'" + n.address + "' is not host:port");
      if (!names.insert(n.name).second) fail(where + ".name", "duplicate name '" + n.name + "'");
      if (!withDir) {
        n.http = stringIn(v, "http", where, false);
        if (!n.http.empty() && !parseAddress(n.http))
          fail(where + ".http", "'" + n.http + "' is not host:port");
        n.threads = uintIn(v, "threads", where, 0, 1, MAX_FRONTEND_THREADS);
      }
      if (withDir) {
        n.dir = stringIn(v, "dir", where, true);
        fs::path d(n.dir);
        if (d.is_relative()) d = fs::absolute(fs::path(path_)).parent_path() / d;
        n.dir = d.lexically_normal().string();
      }
      out.push_back(std::move(n));
    }
    return out;
  }

  ClusterConfig load() {
    std::string text = readWhole();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      throw ConfigError(fmt::format("the cluster file {} is empty", path_));
    }
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(text.c_str(),
                                              text.size());  // no recursion on deep nesting
    if (doc.HasParseError()) {
      auto [line, column] = lineAndColumn(text, doc.GetErrorOffset());
      throw ConfigError(
          fmt::format("the cluster file {} is not JSON: {} at line {}, column {}", path_,
                      asClause(rapidjson::GetParseError_En(doc.GetParseError())), line, column));
    }
    if (!doc.IsObject()) fail("(top)", "must be an object");
    onlyKeys(doc, "",
             {"frontends", "replicas", "postcodes", "http", "heartbeat_ms", "call_timeout_ms",
              "min_acks", "sync_timeout_ms", "secret_file"});

    ClusterConfig c;
    c.path = path_;
    std::set<std::string> names;
    c.frontends = nodes(doc, "frontends", false, names);
    c.replicas = nodes(doc, "replicas", true, names);
    if (c.replicas.empty()) fail("replicas", "at least one replica is needed");
    std::set<std::string> addresses;
    for (auto* list : {&c.frontends, &c.replicas}) {
      for (auto& n : *list) {
        for (auto* a : {&n.address, &n.http}) {
          if (!a->empty() && !addresses.insert(*a).second)
            fail(n.name, "address " + *a + " is used twice");
        }
      }
    }
    c.heartbeatMs = uintIn(doc, "heartbeat_ms", "", c.heartbeatMs, 10, 60000);
    c.callTimeoutMs = uintIn(doc, "call_timeout_ms", "", c.callTimeoutMs, 10, 600000);
    c.syncTimeoutMs = uintIn(doc, "sync_timeout_ms", "", c.syncTimeoutMs, 0, 600000);
    c.minAcks = uintIn(doc, "min_acks", "", c.minAcks, 0, 1000);
    if (c.minAcks > c.replicas.size() - 1) {
      fail("min_acks",
           fmt::format("cannot exceed the number of backups ({})", c.replicas.size() - 1));
    }
    if (auto it = doc.FindMember("secret_file"); it != doc.MemberEnd()) {
      if (!it->value.IsString()) fail("secret_file", "must be a string");
      fs::path p(it->value.GetString());
      if (p.is_relative()) p = fs::absolute(fs::path(path_)).parent_path() / p;
      c.secretFile = p.lexically_normal().string();
    }

    c.http.pageDir =
        (fs::absolute(fs::path(path_)).parent_path() / "web").lexically_normal().string();
    if (auto it = doc.FindMember("http"); it != doc.MemberEnd()) {
      const Value& h = it->value;
      if (!h.IsObject()) fail("http", "must be an object");
      onlyKeys(h, "http",
               {"page_dir", "rate_per_s", "rate_burst", "header_timeout_ms", "idle_timeout_ms"});
      if (h.HasMember("page_dir")) {
        fs::path d(stringIn(h, "page_dir", "http", true));
        if (d.is_relative()) d = fs::absolute(fs::path(path_)).parent_path() / d;
        c.http.pageDir = d.lexically_normal().string();
      }
      c.http.ratePerS = uintIn(h, "rate_per_s", "http", c.http.ratePerS, 0, 1000000);
      c.http.rateBurst = uintIn(h, "rate_burst", "http", c.http.rateBurst, 1, 1000000);
      c.http.headerTimeoutMs =
          uintIn(h, "header_timeout_ms", "http", c.http.headerTimeoutMs, 10, 600000);
      c.http.idleTimeoutMs = uintIn(h, "idle_timeout_ms", "http", c.http.idleTimeoutMs, 10, 600000);
    }

    if (auto it = doc.FindMember("postcodes"); it != doc.MemberEnd()) {
      const Value& p = it->value;
      if (!p.IsObject()) fail("postcodes", "must be an object");
      onlyKeys(p, "postcodes",
               {"urls", "timeout_ms", "when_unreachable", "cache_found_s", "cache_not_found_s",
                "cache_max", "breaker_ms"});
      if (auto u = p.FindMember("urls"); u != p.MemberEnd()) {
        if (!u->value.IsArray() || u->value.Empty())
          fail("postcodes.urls", "must be a non-empty list");
        c.postcodes.urls.clear();
        for (auto& url : u->value.GetArray()) {
          std::string s = url.IsString() ? url.GetString() : "";
          if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0) {
            fail("postcodes.urls", "each url must start with http:// or https://");
          }
          while (!s.empty() && s.back() == '/') s.pop_back();
          c.postcodes.urls.push_back(s);
        }
      }
      c.postcodes.timeoutMs =
          uintIn(p, "timeout_ms", "postcodes", c.postcodes.timeoutMs, 1, 600000);
      c.postcodes.cacheFoundS =
          uintIn(p, "cache_found_s", "postcodes", c.postcodes.cacheFoundS, 0, 1u << 30);
      c.postcodes.cacheNotFoundS =
          uintIn(p, "cache_not_found_s", "postcodes", c.postcodes.cacheNotFoundS, 0, 1u << 30);
      c.postcodes.cacheMax = uintIn(p, "cache_max", "postcodes", c.postcodes.cacheMax, 0, 1u << 30);
      c.postcodes.breakerMs =
          uintIn(p, "breaker_ms", "postcodes", c.postcodes.breakerMs, 0, 3600000);
      if (auto w = p.FindMember("when_unreachable"); w != p.MemberEnd()) {
        std::string s = w->value.IsString() ? w->value.GetString() : "";
        if (s == "accept") {
          c.postcodes.whenUnreachable = WhenUnreachable::ACCEPT;
        } else if (s == "reject") {
          c.postcodes.whenUnreachable = WhenUnreachable::REJECT;
        } else {
          fail("postcodes.when_unreachable", "must be \"accept\" or \"reject\"");
        }
      }
    }
    return c;
  }

 private:
  // The file's bytes; a ConfigError with the system's reason when it cannot be read.
  std::string readWhole() const {
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) cannotRead(errno);
    std::string text;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int e = errno;
        ::close(fd);
        cannotRead(e);  // a folder fails here, with EISDIR
      }
      if (n == 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return text;
  }

  [[noreturn]] void cannotRead(int error) const {
    throw ConfigError(
        fmt::format("cannot read the cluster file {}: {}", path_, std::strerror(error)));
  }

  std::string path_;
};

}  // namespace

std::optional<size_t> ClusterConfig::replicaIndex(const std::string& name) const {
  for (size_t i = 0; i < replicas.size(); ++i) {
    if (replicas[i].name == name) return i;
  }
  return std::nullopt;
}

const NodeConfig* ClusterConfig::findFrontend(const std::string& name) const {
  for (auto& f : frontends) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

ClusterConfig loadClusterConfig(const std::string& path) { return Loader(path).load(); }

std::string chooseClusterPath(const std::optional<std::string>& flag, const char* argv0) {
  if (flag) return *flag;
  if (const char* env = std::getenv("JH_CLUSTER"); env && *env) return env;
  fs::path local = "resources/cluster.json";
  if (fs::exists(local)) return local.string();
  std::error_code ec;
  fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (ec && argv0) exe = fs::absolute(argv0);
  fs::path beside = exe.parent_path().parent_path().parent_path() / "resources" / "cluster.json";
  if (fs::exists(beside)) return beside.string();
  return local.string();
}

std::optional<HostPort> parseAddress(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return std::nullopt;
  } else {
    for (char c : host) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '-';
      if (!ok) return std::nullopt;
    }
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  unsigned long p = std::stoul(port);
  if (p == 0 || p > 65535) return std::nullopt;
  return HostPort{host, static_cast<uint16_t>(p)};
}

}  // namespace jh
