// Where the interactive client reads a person's answers from: libedit (line editing, history)
// on a terminal, plain lines from any stream otherwise (so that a script can be piped in).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace jh::client {

class LineInput {
 public:
  virtual ~LineInput() = default;

  // Shows `prompt` and returns the next line without its line end, or nullopt at the end of
  // the input (Ctrl-D). Blocks: the client has nothing else to do while a person types.
  virtual std::optional<std::string> readLine(const std::string& prompt) = 0;

  // The answers that Tab completes from now on (the line typed so far is matched against their
  // beginnings, ignoring case). Ignored where nobody presses Tab.
  virtual void setCompletions(std::vector<std::string> answers) { (void)answers; }
};

// Lines from `in`. The prompt goes to `echo`, followed by the line read, so that a transcript
// reads as a person at a terminal would see it; no escape codes.
class StreamLineInput final : public LineInput {
 public:
  StreamLineInput(std::istream& in, std::ostream& echo) : in_(in), echo_(echo) {}
  std::optional<std::string> readLine(const std::string& prompt) override;

 private:
  std::istream& in_;
  std::ostream& echo_;
};

// Lines from the terminal through libedit's readline interface, with history and completion
// of the answers set by setCompletions(). Only one may
// exist at a time (libedit's readline state is global). Switches the C library to a UTF-8
// character type, so that "Zoë" edits as three characters. At the end of the input, ends the
// prompt's line on `echo`.
class EditLineInput final : public LineInput {
 public:
  explicit EditLineInput(std::ostream& echo);
  ~EditLineInput() override;
  EditLineInput(const EditLineInput&) = delete;
  EditLineInput& operator=(const EditLineInput&) = delete;

  std::optional<std::string> readLine(const std::string& prompt) override;
  void setCompletions(std::vector<std::string> answers) override;

 private:
  std::ostream& echo_;
};

}  // namespace jh::client
