// The launcher's commands, one function each, as `./startup.sh COMMAND` runs them. Each returns
// the exit status; a failure that ends a command is die()'s LaunchError.
#pragma once

#include "client/launcher/launch-options.h"

namespace jh::launch {

int startCommand(const Options& options);
int stopCommand(const Options& options);
int statusCommand(const Options& options);
int watchCommand(const Options& options);
int restartCommand(const Options& options);
int killCommand(const Options& options);
int logsCommand(const Options& options, bool follow);
int cleanCommand(const Options& options);
int pidCommand(const Options& options);

// The failover demonstration (demo.cpp) and its load on its own (scripts/demo-load.sh).
int demoCommand(const Options& options);
int loadCommand(const Options& options);

}  // namespace jh::launch
