// A jh-fake-postcodes started for one test on a free loopback port and stopped, by pid, when the
// test ends; plus the control requests tests make to it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tests/support/harness/child-process.h"

namespace jh::test {

class FakePostcodesProcess {
 public:
  // Starts it on a port from pickFreePort() and waits (bounded) for "listening on
  // 127.0.0.1:PORT"; throws std::runtime_error when it does not come.
  explicit FakePostcodesProcess(const std::string& mode = "normal");
  ~FakePostcodesProcess();

  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // POST /__fake/mode; throws std::runtime_error unless the fake accepts it.
  void setMode(const std::string& mode);
  // GET /__fake/requests: /postcodes/ requests received since start or the last reset.
  uint64_t requests();
  void resetRequests();

  // SIGTERM, bounded; its exit status.
  int stop();

 private:
  std::string folder;  // its stdout and stderr
  std::unique_ptr<ChildProcess> process;
  uint16_t port_ = 0;
};

}  // namespace jh::test
