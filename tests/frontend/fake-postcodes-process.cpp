// The fake's binary comes from the build (JH_FAKE_POSTCODES_BIN), started on a port from
// pickFreePort(); its first stdout line says it listens there.
#include "tests/frontend/fake-postcodes-process.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tests/support/harness/loopback-http.h"
#include "tests/support/harness/harness-util.h"

namespace jh::test {

using namespace std::chrono_literals;

FakePostcodesProcess::FakePostcodesProcess(const std::string& mode) {
  folder = (std::filesystem::temp_directory_path() / "jh-fake-postcodes-XXXXXX").string();
  if (mkdtemp(folder.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  // Should another program take the picked port before the fake binds it, the fake exits saying
  // so and this throws with its output, as TestCluster fails on a server that cannot bind.
  uint16_t picked = pickFreePort();
  process = std::make_unique<ChildProcess>(
      std::vector<std::string>{JH_FAKE_POSTCODES_BIN, "--port", std::to_string(picked), "--mode",
                               mode},
      "", folder + "/out.log", folder + "/err.log");
  const std::string expected = "listening on 127.0.0.1:" + std::to_string(picked) + "\n";
  bool listening = waitUntil(
      [&] {
        std::string out = readFile(folder + "/out.log");
        if (out.find('\n') == std::string::npos) return !process->isRunning();
        if (out.rfind(expected, 0) == 0) port_ = picked;
        return true;
      },
      10s, 5ms);
  if (!listening || port_ == 0) {
    std::string output = readFile(folder + "/out.log") + readFile(folder + "/err.log");
    process.reset();
    std::error_code ignored;
    std::filesystem::remove_all(folder, ignored);
    throw std::runtime_error("jh-fake-postcodes did not start: " + output);
  }
}

FakePostcodesProcess::~FakePostcodesProcess() {
  process.reset();
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
}

void FakePostcodesProcess::setMode(const std::string& mode) {
  HttpExchange reply = httpExchange(port_, "POST", "/__fake/mode", mode);
  if (reply.status != 200) throw std::runtime_error("the fake refused mode " + mode);
}

uint64_t FakePostcodesProcess::requests() {
  HttpExchange reply = httpExchange(port_, "GET", "/__fake/requests");
  if (reply.status != 200) throw std::runtime_error("GET /__fake/requests failed");
  return std::stoull(reply.body);
}

void FakePostcodesProcess::resetRequests() {
  if (httpExchange(port_, "POST", "/__fake/reset").status != 200) {
    throw std::runtime_error("POST /__fake/reset failed");
  }
}

int FakePostcodesProcess::stop() { return process->stop(); }

}  // namespace jh::test
