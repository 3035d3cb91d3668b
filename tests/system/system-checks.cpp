// Checks shared by the system tests.
#include "tests/system/system-checks.h"

#include <fstream>
#include <thread>

#include <kj/async-io.h>
#include <rapidjson/document.h>

#include "schema/rpc/rpc-link.h"

namespace jh::test {

std::multiset<std::string> idsOnFile(const TestCluster& cluster, const std::string& replica) {
  std::multiset<std::string> ids;
  for (auto& o : cluster.readOrdersCsv(replica)) ids.insert(o.orderId);
  return ids;
}

bool waitOnEveryReplica(const TestCluster& cluster, const std::vector<std::string>& ids,
                        std::chrono::milliseconds timeout) {
  return waitUntil(
      [&]() {
        for (auto& name : cluster.replicaNames()) {
          auto held = idsOnFile(cluster, name);
          for (auto& id : ids) {
            if (!held.count(id)) return false;
          }
        }
        return true;
      },
      timeout, std::chrono::milliseconds(50));
}

bool waitConverged(const TestCluster& cluster, std::chrono::milliseconds timeout) {
  return waitUntil(
      [&]() {
        std::optional<decltype(ReplicaProbe::vector)>
            first;  // digests included: the same rows, not only as many
        for (auto& name : cluster.replicaNames()) {
          auto h = cluster.replicaHealth(name);
          if (!h || h->state != "READY") return false;
          if (!first)
            first = h->vector;
          else if (*first != h->vector)
            return false;
        }
        return true;
      },
      timeout, std::chrono::milliseconds(50));
}

namespace {

// Calls the replica at `address` on a thread of its own (a test's event loop may be waiting
// elsewhere): `call` gets the connected client and returns the answer's promise; nullopt when the
// connection or the call fails, or no answer comes within `timeout`.
template <typename T, typename Call>
std::optional<T> askReplica(const std::string& address, const std::string& secret,
                            kj::Duration timeout, Call call) {
  std::optional<T> result;
  std::thread worker([&]() {
    try {
      auto io = kj::setupAsyncIo();
      auto& timer = io.provider->getTimer();
      RpcLink link(io.provider->getNetwork(), timer, address, 2000, replicaOpener(secret));
      auto answer = link.get<rpc::Replica>().then(
          [&](rpc::Replica::Client replica) -> kj::Promise<T> { return call(replica); });
      result = timer.timeoutAfter(timeout, kj::mv(answer)).wait(io.waitScope);
    } catch (...) { result.reset(); }
  });
  worker.join();
  return result;
}

}  // namespace

std::optional<std::vector<OrderRecord>> replicaOrders(const std::string& address,
                                                      const std::string& user,
                                                      const std::string& secret) {
  using Page = std::optional<std::vector<OrderRecord>>;
  auto page = askReplica<Page>(address, secret, 2 * kj::SECONDS, [&](rpc::Replica::Client replica) {
    auto req = replica.getOrdersRequest();
    req.setUserCode(user);
    req.setLimit(MAX_ORDERS_PAGE);  // (tests list at most a page)
    return req.send().then([](auto reply) -> Page {
      auto r = reply.getResult();
      if (!r.isOrders()) return std::nullopt;
      std::vector<OrderRecord> out;
      for (auto o : r.getOrders()) out.push_back(fromWire(o));
      return out;
    });
  });
  return page.value_or(std::nullopt);
}

bool promoteReplica(const std::string& address, const std::string& secret) {
  auto promoted =
      askReplica<bool>(address, secret, 5 * kj::SECONDS, [](rpc::Replica::Client replica) {
        auto req = replica.promoteRequest();
        req.setFrontend("a test");
        return req.send().then([](auto reply) { return reply.getResult().isPromoted(); });
      });
  return promoted.value_or(false);
}

ClusterOptions nothingStarted() {
  ClusterOptions o;
  o.waitReady = false;
  o.startReplicas = false;
  o.startFrontend = false;
  return o;
}

ClusterOptions replicasNotStarted(size_t replicas) {
  ClusterOptions o;
  o.replicas = replicas;
  o.waitReady = false;
  o.startReplicas = false;
  return o;
}

int exitOfRefusedStart(TestCluster& cluster, const std::string& name) {
  cluster.start(name);
  bool exited = waitUntil([&]() { return !cluster.isRunning(name); }, std::chrono::seconds(10));
  int status = cluster.stop(name);
  return exited ? status : -1;
}

std::vector<std::string> idsInOrdersJson(const std::string& json) {
  std::vector<std::string> ids;
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("orders")) return ids;
  for (auto& o : doc["orders"].GetArray()) ids.push_back(o["order_id"].GetString());
  return ids;
}

std::optional<std::vector<OrderRecord>> ordersInJson(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("orders") ||
      !doc["orders"].IsArray()) {
    return std::nullopt;
  }
  std::vector<OrderRecord> orders;
  for (auto& o : doc["orders"].GetArray()) {
    if (!o.IsObject()) return std::nullopt;
    auto text = [&o](const char* key) {
      auto it = o.FindMember(key);
      return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString())
                                                         : std::string();
    };
    OrderRecord r;
    r.orderId = text("order_id");
    r.userCode = text("user_code");
    r.item = text("item");
    r.timeStamp = text("time_stamp");
    r.postCode = text("post_code");
    r.area = text("area");
    r.status = text("status");
    r.origin = text("origin");
    if (auto seq = o.FindMember("seq"); seq != o.MemberEnd() && seq->value.IsUint64())
      r.seq = seq->value.GetUint64();
    orders.push_back(std::move(r));
  }
  return orders;
}

std::string jsonField(const std::string& json, const std::string& key) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError() || !doc.IsObject()) return {};
  auto it = doc.FindMember(key.c_str());
  if (it == doc.MemberEnd() || !it->value.IsString()) return {};
  return it->value.GetString();
}

std::vector<std::string> readLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::map<std::string, std::string> snapshotOrderFiles(const TestCluster& cluster) {
  std::map<std::string, std::string> files;
  for (auto& name : cluster.replicaNames()) files[name] = readFile(cluster.ordersPath(name));
  return files;
}

}  // namespace jh::test
