// The error handler for kj::TaskSets whose tasks run in the background: a failure is logged,
// with what the tasks were for, and nothing else (STYLE.md: fire-and-forget work logs).
#pragma once

#include <kj/async.h>

#include "schema/runtime/log.h"

namespace jh {

class LogTaskFailures final : public kj::TaskSet::ErrorHandler {
 public:
  // `what` names the tasks ("replication"); it must outlive the handler.
  LogTaskFailures(const char* what, LogLevel level = LogLevel::WARN) : what_(what), level_(level) {}

  void taskFailed(kj::Exception&& e) override {
    log(level_, "a background {} job failed: {}", what_, e.getDescription().cStr());
  }

 private:
  const char* what_;
  LogLevel level_;
};

}  // namespace jh
