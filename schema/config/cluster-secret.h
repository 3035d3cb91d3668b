// The cluster secret: the bytes of the file named by secret_file in cluster.json, which front-ends
// and replicas present to replicas (ReplicaGate.open). Read once at start.
#pragma once

#include <string>

#include "schema/config/cluster-config.h"

namespace jh {

// The secret, or "" when the cluster file names none. Throws ConfigError naming the file when it
// cannot be read, is empty, or can be read by anyone but its owner (like ssh's keys: chmod 600).
std::string loadClusterSecret(const ClusterConfig& config);

// Whether `given` is `secret`, in time that does not depend on where they differ.
bool secretMatches(const std::string& secret, const std::string& given);

}  // namespace jh
