// What the system tests check again and again: orders seen in every replica's orders.csv,
// orders read straight from one replica, client output parsed, convergence waited for.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "schema/orders/order.h"
#include "tests/support/harness/test-cluster.h"

namespace jh::test {

// Order ids in a replica's orders.csv (every copy).
std::multiset<std::string> idsOnFile(const TestCluster& cluster, const std::string& replica);

// Whether every replica's orders.csv holds each of `ids`, within `timeout`.
bool waitOnEveryReplica(const TestCluster& cluster, const std::vector<std::string>& ids,
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Whether every running replica reports the same version vector, within `timeout`.
bool waitConverged(const TestCluster& cluster,
                   std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The first page (up to MAX_ORDERS_PAGE, newest first) of getOrders(user) asked of one replica
// directly, bypassing the front-end; nullopt when it does not answer or refuses (a replica that
// no front-end promoted refuses).
std::optional<std::vector<OrderRecord>> replicaOrders(const std::string& address,
                                                      const std::string& user,
                                                      const std::string& secret = {});

// Promotes the replica at `address` as a front-end would (Replica.promote, min_acks 0): true
// once it serves client calls, false when it refuses or does not answer.
bool promoteReplica(const std::string& address, const std::string& secret = {});

// The order ids in `jh-client --json orders` output, in order.
std::vector<std::string> idsInOrdersJson(const std::string& json);

// The orders in `jh-client --json orders` output, in order, with the fields it prints (price
// left at 0); nullopt when it is not such a document.
std::optional<std::vector<OrderRecord>> ordersInJson(const std::string& json);

// A string field of a one-level JSON object such as jh-client's order output ("" when absent).
std::string jsonField(const std::string& json, const std::string& key);

// Lines of a text file.
std::vector<std::string> readLines(const std::string& path);

// Options for a cluster that starts only the postcodes imitation: the test starts the rest.
ClusterOptions nothingStarted();
// Options for a cluster of `replicas` replicas that starts the postcodes imitation and the
// front-end but no replica: the test prepares their folders, then starts them.
ClusterOptions replicasNotStarted(size_t replicas = 3);

// Starts `name`, which is expected to refuse to start: waits (bounded) for it to exit and gives
// its exit status (-1 when it kept running, and is then stopped).
int exitOfRefusedStart(TestCluster& cluster, const std::string& name);

// The size of each replica's orders.csv, to show that nothing was written.
std::map<std::string, std::string> snapshotOrderFiles(const TestCluster& cluster);

}  // namespace jh::test
