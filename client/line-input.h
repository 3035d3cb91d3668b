// Where the interactive client reads a person's answers from: libedit (line editing, history)
// on a terminal, plain lines from any stream otherwise (so that a script can be piped in).
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace jh::client {

class CtrlC;

// What a person did at a prompt.
struct Answer {
  enum class Kind {
    LINE,    // typed a line (perhaps empty)
    CANCEL,  // pressed Ctrl-C
    BACK,    // pressed Ctrl-D on an empty line
    END,     // the input ended for good (a script ran out); every later answer is END too
  };
  Kind kind = Kind::END;
  std::string text;  // LINE only: the line without its line end
};

class LineInput {
 public:
  virtual ~LineInput() = default;

  // Shows `prompt` and returns what the person did. `history` names the prompt's own history:
  // Up and Down recall only lines answered to prompts of that name. Blocks: the client has
  // nothing else to do while a person types.
  virtual Answer readLine(const std::string& prompt, const std::string& history) = 0;

  // The answers that Tab completes from now on (the line typed so far is matched against their
  // beginnings, ignoring case). Ignored where nobody presses Tab.
  virtual void setCompletions(std::vector<std::string> answers) { (void)answers; }
};

// Lines from `in`, and END at its end (a pipe has no Ctrl-C or Ctrl-D). The prompt goes to
// `echo`, followed by the line read, so that a transcript reads as a person at a terminal would
// see it; no escape codes.
class StreamLineInput final : public LineInput {
 public:
  StreamLineInput(std::istream& in, std::ostream& echo) : in_(in), echo_(echo) {}
  Answer readLine(const std::string& prompt, const std::string& history) override;

 private:
  std::istream& in_;
  std::ostream& echo_;
};

// Lines from the terminal through libedit's readline interface, with a history per prompt name
// and completion of the answers set by setCompletions(); Ctrl-C (seen through `ctrlC`) is
// CANCEL and Ctrl-D is BACK, each ending the prompt's line on `echo` ("^C" for Ctrl-C). Only one
// may exist at a time (libedit's readline state is global). Switches the C library to a UTF-8
// character type, so that "Zoë" edits as three characters.
class EditLineInput final : public LineInput {
 public:
  EditLineInput(std::ostream& echo, CtrlC& ctrlC);
  ~EditLineInput() override;
  EditLineInput(const EditLineInput&) = delete;
  EditLineInput& operator=(const EditLineInput&) = delete;

  Answer readLine(const std::string& prompt, const std::string& history) override;
  void setCompletions(std::vector<std::string> answers) override;

 private:
  // Makes libedit's one history list hold `history`'s lines.
  void useHistory(const std::string& history);

  std::ostream& echo_;
  CtrlC& ctrlC_;
  std::map<std::string, std::vector<std::string>> histories_;  // oldest first
  std::string current_;                                        // whose lines libedit's list holds
};

}  // namespace jh::client
