// The one-shot commands (`jh-client menu`, `order ITEM POSTCODE`…): one request, one answer on
// standard output (text, or one JSON document with --json), and an exit code.
#pragma once

#include <ostream>
#include <optional>
#include <string>
#include <string_view>

#include <kj/async.h>

#include "client/command-line.h"
#include "client/front-end-api.h"
#include "client/text-output.h"

namespace jh::client {

// Where an outcome goes, and the exit code it means. With --json every outcome is one JSON
// document on `out`; otherwise results go to `out` and failures, as one sentence, to `err`.
class Reporter {
 public:
  // `widthFd`: the terminal that results go to, whose width long lines are wrapped to (-1: none).
  Reporter(std::ostream& out, std::ostream& err, bool json, Style style = Style(), int widthFd = -1)
      : out_(out), err_(err), json_(json), style_(style), widthFd_(widthFd) {}

  bool json() const { return json_; }
  const Style& style() const { return style_; }
  // The terminal's width now, in columns; 0 when results do not go to a terminal.
  size_t width() const { return widthFd_ < 0 ? 0 : terminalColumns(widthFd_); }

  // Prints a result (a JSON document or text) and returns EXIT_DONE.
  int done(std::string_view result);
  // The command line (code "USAGE") or the cluster file (code "CONFIG") is wrong: EXIT_USAGE.
  int usageError(std::string_view code, std::string_view message);
  // EXIT_REJECTED, or EXIT_UNAVAILABLE when the code is UNAVAILABLE.
  int rejected(const Rejection& rejection);
  // A request that could not be carried out: EXIT_UNAVAILABLE.
  int failed(const kj::Exception& e);
  // A sentence for the person on the error stream, whatever the form of the results.
  void note(std::string_view sentence);
  // Whether results can still be written (false once the reader of a pipe went away).
  bool good() const { return out_.good(); }

 private:
  std::ostream& out_;
  std::ostream& err_;
  bool json_;
  Style style_;
  int widthFd_;
};

// What the client refuses before making any call: a bad --user code (INVALID_USER_CODE) or a
// bad --id (INVALID_ORDER).
std::optional<Rejection> checkBeforeCalling(const CommandLine& commandLine);

// Runs `commandLine.command` (which parseCommandLine accepted, and is not empty) against `api`
// and returns the exit code. Nothing is asked of `api` when checkBeforeCalling refuses. An
// order's ITEM is looked up in the menu first, by number or name (findDish), and refused with
// UNKNOWN_ITEM, naming the closest dishes, when it is not on it. An order without --id gets a
// fresh order id, the same for every retry inside `api`.
kj::Promise<int> runOneShot(const CommandLine& commandLine, FrontEndApi& api, Reporter& reporter);

}  // namespace jh::client
