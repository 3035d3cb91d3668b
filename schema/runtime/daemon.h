// What the two daemons (jh-replica, jh-frontend) share at start: their command line and their
// stop signals.
#pragma once

#include <optional>
#include <string>

#include <kj/async-io.h>
#include <kj/async-unix.h>
#include <kj/function.h>
#include <kj/timer.h>

namespace jh {

struct DaemonArgs {
  std::optional<std::string> cluster;  // --cluster FILE
  std::string name;                    // --name NAME ("" when absent)
  std::string logLevel;                // --log-level debug|info|warn|error ("" when absent)
};

// Parses --cluster, --name and --log-level, each followed by a value; nullopt on anything else.
std::optional<DaemonArgs> parseDaemonArgs(int argc, char** argv);

// Routes SIGTERM and SIGINT to the event loop and ignores SIGPIPE. Call before setupAsyncIo().
void captureStopSignals();

// Raises the soft limit on open descriptors to the hard limit, as Redis does at start: every
// client connection and every peer holds one, and the usual soft limit (1024) would let a
// thousand idle connections lock everyone else out. Logs the change; a failure leaves the limit.
void raiseDescriptorLimit();

// Runs a daemon's main body: a ConfigError or kj::Exception that escapes it is logged as
// "cannot start: why" and becomes exit status 1; otherwise the body's own status.
int runDaemon(kj::FunctionParam<int()> body);

// The listening socket for `address`; throws "cannot listen on ADDRESS: address already in use"
// and the like, in plain words.
kj::Own<kj::ConnectionReceiver> listenOn(kj::Network& network, const std::string& address,
                                         kj::WaitScope& waitScope);

// Resolves when SIGTERM or SIGINT arrives.
kj::Promise<void> stopSignal(kj::UnixEventPort& port);

// For a graceful stop: resolves once `done()` is true or `bound` has passed, checking every 5 ms
// (what is in flight is spread over promises owned by their calls), then lets the event loop
// run what is queued, so the replies of what just finished go out.
kj::Promise<void> drainUntil(kj::Timer& timer, kj::Function<bool()> done, kj::Duration bound);

}  // namespace jh
