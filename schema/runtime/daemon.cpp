// Shared daemon start-up.
#include "schema/runtime/daemon.h"

#include <signal.h>

#include <cstring>
#include <sys/resource.h>

#include "schema/config/cluster-config.h"
#include "schema/runtime/failure-words.h"
#include "schema/runtime/log.h"

namespace jh {

void raiseDescriptorLimit() {
  rlimit r{};
  // (The kernel never lets this hard limit be unlimited: it is at most fs.nr_open.)
  if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= r.rlim_max) return;
  rlim_t before = r.rlim_cur;
  r.rlim_cur = r.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &r) == 0) {
    JH_INFO("raised the limit on open descriptors from {} to {}, one for each connection", before,
            r.rlim_max);
  } else {
    JH_WARN(
        "the limit on open descriptors stays at {} ({}): at most about that many connections at "
        "once",
        before, strerror(errno));
  }
}

int runDaemon(kj::FunctionParam<int()> body) {
  try {
    return body();
  } catch (const ConfigError& e) {
    JH_ERROR("cannot start: {}", e.what());
  } catch (const kj::Exception& e) { JH_ERROR("cannot start: {}", failureReason(e)); }
  return 1;
}

kj::Own<kj::ConnectionReceiver> listenOn(kj::Network& network, const std::string& address,
                                         kj::WaitScope& waitScope) {
  try {
    return network.parseAddress(address).wait(waitScope)->listen();
  } catch (const kj::Exception& e) {
    throw plainException(kj::Exception::Type::FAILED,
                         fmt::format("cannot listen on {}: {}", address, failureReason(e)));
  }
}

std::optional<DaemonArgs> parseDaemonArgs(int argc, char** argv) {
  DaemonArgs a;
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return std::nullopt;
    std::string value = argv[i + 1];
    if (flag == "--cluster")
      a.cluster = value;
    else if (flag == "--name")
      a.name = value;
    else if (flag == "--log-level")
      a.logLevel = value;
    else
      return std::nullopt;
  }
  return a;
}

void captureStopSignals() {
  kj::UnixEventPort::captureSignal(SIGTERM);
  kj::UnixEventPort::captureSignal(SIGINT);
  signal(SIGPIPE, SIG_IGN);
}

kj::Promise<void> stopSignal(kj::UnixEventPort& port) {
  return port.onSignal(SIGTERM).exclusiveJoin(port.onSignal(SIGINT)).ignoreResult();
}

namespace {
kj::Promise<void> pollUntil(kj::Timer& timer, kj::Function<bool()>& done, kj::TimePoint deadline) {
  if (done() || timer.now() >= deadline) return kj::evalLast([]() {});
  return timer.afterDelay(5 * kj::MILLISECONDS).then([&timer, &done, deadline]() {
    return pollUntil(timer, done, deadline);
  });
}
}  // namespace

kj::Promise<void> drainUntil(kj::Timer& timer, kj::Function<bool()> done, kj::Duration bound) {
  auto owned = kj::heap<kj::Function<bool()>>(kj::mv(done));
  auto& ref = *owned;
  return pollUntil(timer, ref, timer.now() + bound).attach(kj::mv(owned));
}

}  // namespace jh
