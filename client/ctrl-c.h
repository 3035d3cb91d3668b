// Ctrl-C in the interactive client (DESIGN.md §7): it cancels the step under way instead of
// killing the client, both at a prompt and while a request waits for the front-end.
#pragma once

#include <signal.h>

#include <iosfwd>

#include <kj/async-io.h>

namespace jh::client {

// Where the interactive client learns that the person pressed Ctrl-C while it waits for the
// front-end.
class Interrupts {
 public:
  virtual ~Interrupts() noexcept(false) = default;

  // Resolves at the next Ctrl-C, with the screen at the start of a line; one pressed before the
  // call does not count.
  virtual kj::Promise<void> next() = 0;
};

// Ctrl-C on the terminal: a SIGINT handler, for the object's lifetime, that records the press and
// wakes the event loop through a pipe of its own. Only one may exist at a time. During libedit's
// readline, libedit's own handler runs first and makes readline return (EditLineInput then asks
// take()); elsewhere the handler restarts what it interrupts, so output is never cut short.
// A press that next() reports is shown on `echo` as "^C" and a line end (the terminal's own echo
// of it standing in for the "^C" where the terminal makes one).
class CtrlC final : public Interrupts {
 public:
  CtrlC(kj::LowLevelAsyncIoProvider& io, std::ostream& echo);
  ~CtrlC() noexcept(false) override;
  CtrlC(const CtrlC&) = delete;
  CtrlC& operator=(const CtrlC&) = delete;

  // Whether Ctrl-C was pressed since the last call of take() or next(); forgets the press.
  bool take();
  kj::Promise<void> next() override;

 private:
  std::ostream& echo_;
  int readEnd_;
  int writeEnd_;
  kj::Own<kj::AsyncInputStream> pipe_;
  struct sigaction previous_;
  char buffer_[64];  // what next() reads
};

}  // namespace jh::client
