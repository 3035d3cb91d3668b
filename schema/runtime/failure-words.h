// Failures in plain words for log lines and messages: "connection refused", "no answer in time",
// never kj's "connect(): Connection refused" or the list of variables that KJ_EXCEPTION appends.
#pragma once

#include <string>

#include <kj/exception.h>

namespace jh {

// Why `e` happened, in a few lower-case words: the system's reason ("connection refused", "too
// many open files", "address already in use"), "no answer in time" for a deadline, "the
// connection was closed" for a peer that went away; else its description without the name of
// the system call that failed.
std::string failureReason(const kj::Exception& e);

// An exception of `type` whose description is `description` exactly (KJ_EXCEPTION would append
// "; name = value" for each further argument, which then reaches every log line that prints it).
kj::Exception plainException(kj::Exception::Type type, std::string description,
                             const char* file = __builtin_FILE(), int line = __builtin_LINE());

}  // namespace jh
