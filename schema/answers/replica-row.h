// One replica as the front-end's health table shows it: what FrontEnd.status() carries, in plain
// C++ for the front-end that fills it and the client that prints it.
#pragma once

#include <cstdint>
#include <string>

namespace jh {

struct ReplicaRow {
  std::string name;
  std::string address;
  std::string state;  // READY, SYNCING, PROMOTING, DEGRADED, STOPPING or DOWN
  std::string role;   // primary, backup or down
  int64_t lastSeenMsAgo = -1;
  uint64_t lag = 0;         // rows it lacks compared with the primary
  uint64_t orderCount = 0;  // orders as users see them
  bool contentDiffers = false;
  uint64_t rowCount = 0;  // rows held, every copy counted
  bool diverged = false;  // holds rows that another replica holds differently under one name
  uint64_t fetched = 0;   // rows pulled from peers since it started
};

}  // namespace jh
