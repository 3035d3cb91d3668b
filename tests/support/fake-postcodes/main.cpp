// jh-fake-postcodes: an imitation of postcodes.io on 127.0.0.1 for tests.
//   jh-fake-postcodes --port N [--fixtures DIR] [--mode MODE]
// Prints "listening on 127.0.0.1:PORT" once listening; exits 0 on SIGTERM. The port is required
// and never 0, whose port the kernel would take from the ephemeral range: tests pick one below
// it (jh::test::pickFreePort(), jh-cluster's free-port).
#include <charconv>
#include <csignal>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include <kj/async-io.h>
#include <kj/async-unix.h>
#include <kj/debug.h>
#include <kj/main.h>

#include "tests/support/fake-postcodes/fake-server.h"

namespace jh::fake {
namespace {

class FakePostcodesMain {
 public:
  explicit FakePostcodesMain(kj::ProcessContext& context) : context(context) {}

  kj::MainFunc getMain() {
    return kj::MainBuilder(context, "jh-fake-postcodes",
                           "Serves the postcodes.io fixtures on 127.0.0.1, misbehaving on request.")
        .addOptionWithArg({"port"}, KJ_BIND_METHOD(*this, setPort), "<n>",
                          "Port to listen on (required; 1-65535).")
        .addOptionWithArg({"fixtures"}, KJ_BIND_METHOD(*this, setFixtures), "<dir>",
                          "Folder holding postcodes.jsonl.gz and outcodes.jsonl.")
        .addOptionWithArg({"mode"}, KJ_BIND_METHOD(*this, setMode), "<mode>",
                          "normal (default), slow:MS, error500, html, hang or close.")
        .callAfterParsing(KJ_BIND_METHOD(*this, run))
        .build();
  }

 private:
  kj::MainBuilder::Validity setPort(kj::StringPtr text) {
    std::string_view digits(text.cStr(), text.size());
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
        port == 0) {
      return "expected a port number 1-65535";
    }
    return true;
  }

  kj::MainBuilder::Validity setFixtures(kj::StringPtr dir) {
    fixturesDir = dir.cStr();
    return true;
  }

  kj::MainBuilder::Validity setMode(kj::StringPtr text) {
    std::optional<FakeMode> parsed = parseFakeMode(text.cStr());
    if (!parsed) return UNKNOWN_MODE.data();
    mode = *parsed;
    return true;
  }

  kj::MainBuilder::Validity run() {
    if (port == 0) return "--port is required";
    std::unique_ptr<FixtureStore> fixtures;
    try {
      fixtures = std::make_unique<FixtureStore>(fixturesDir);
    } catch (const std::runtime_error& error) { return kj::str(error.what()); }
    kj::UnixEventPort::captureSignal(SIGTERM);
    auto io = kj::setupAsyncIo();
    kj::HttpHeaderTable::Builder headers;
    FakeServer service(*fixtures, io.provider->getTimer(), headers, mode);
    auto headerTable = headers.build();
    kj::HttpServerSettings settings;
    settings.errorHandler = service;
    kj::HttpServer server(io.provider->getTimer(), *headerTable, service, settings);

    auto address = io.provider->getNetwork().parseAddress("127.0.0.1", port).wait(io.waitScope);
    auto listener = address->listen();
    std::printf("listening on 127.0.0.1:%u\n", listener->getPort());
    std::fflush(stdout);

    auto serving = server.listenHttp(*listener);
    io.unixEventPort.onSignal(SIGTERM)
        .exclusiveJoin(serving.then([]() -> siginfo_t { KJ_FAIL_ASSERT("stopped listening"); }))
        .wait(io.waitScope);
    return true;
  }

  kj::ProcessContext& context;
  uint16_t port = 0;  // 0: not given
  std::string fixturesDir = JH_DEFAULT_FIXTURES_DIR;
  FakeMode mode;
};

}  // namespace
}  // namespace jh::fake

KJ_MAIN(jh::fake::FakePostcodesMain)
