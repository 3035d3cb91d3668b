// One replica as the front-end's health table shows it: what FrontEnd.status() carries, in plain
// C++ for the front-end that fills it and the client that prints it.
#pragma once

#include <cstdint>
#include <string>

namespace jh {

struct ReplicaRow {
  std::string name;
  std::string address;
  std::string state;  // READY, SYNCING, DEGRADED or DOWN
  std::string role;   // primary, backup or down
  int64_t lastSeenMsAgo = -1;
  uint64_t lag = 0;
  uint64_t orderCount = 0;
  bool contentDiffers = false;
};

}  // namespace jh
