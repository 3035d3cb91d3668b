// The interactive client's two sources of lines.
#include "client/line-input.h"

#include <langinfo.h>

#include <cctype>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <istream>
#include <ostream>

#include <editline/readline.h>

#include "client/ctrl-c.h"

namespace jh::client {

namespace {

// Lines each prompt's history keeps.
constexpr size_t MAX_HISTORY = 100;

// libedit's completion state is global, and so is what it completes from.
std::vector<std::string> completionAnswers;
std::vector<std::string> completionMatches;  // of the completion under way

bool startsWithIgnoringCase(const std::string& text, const std::string& prefix) {
  if (prefix.size() > text.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

// The byte offset of the `n`-th code point of UTF-8 `text` (its size when shorter): libedit
// counts in characters, in a UTF-8 locale.
size_t byteOffset(const std::string& text, size_t n) {
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && n-- == 0) return i;
  }
  return text.size();
}

// libedit's generator: the n-th match, malloc'ed, then nullptr.
char* nextMatch(const char*, int state) {
  static size_t next = 0;
  if (state == 0) next = 0;
  if (next >= completionMatches.size()) return nullptr;
  return strdup(completionMatches[next++].c_str());
}

// Completes the whole line typed so far, so that answers of several words ("FISH FINGERS")
// complete too: each match is what replaces the word being typed, from `start` on.
char** completeAnswer(const char* word, int start, int end) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  std::string line = rl_line_buffer != nullptr ? rl_line_buffer : "";
  std::string typed = line.substr(0, byteOffset(line, static_cast<size_t>(end)));
  completionMatches.clear();
  for (auto& answer : completionAnswers) {
    if (startsWithIgnoringCase(answer, typed)) {
      completionMatches.push_back(answer.substr(byteOffset(answer, static_cast<size_t>(start))));
    }
  }
  if (completionMatches.empty()) return nullptr;
  return rl_completion_matches(word, nextMatch);
}

}  // namespace

Answer StreamLineInput::readLine(const std::string& prompt, const std::string&) {
  echo_ << prompt;
  echo_.flush();
  std::string line;
  if (!std::getline(in_, line)) {
    echo_ << '\n';
    return Answer{Answer::Kind::END, {}};
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  echo_ << line << '\n';
  return Answer{Answer::Kind::LINE, line};
}

EditLineInput::EditLineInput(std::ostream& echo, CtrlC& ctrlC) : echo_(echo), ctrlC_(ctrlC) {
  std::setlocale(LC_CTYPE, "");
  if (std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0) std::setlocale(LC_CTYPE, "C.UTF-8");
  rl_readline_name = "jh-client";
  rl_attempted_completion_function = completeAnswer;
  using_history();
  stifle_history(static_cast<int>(MAX_HISTORY));
}

EditLineInput::~EditLineInput() {
  clear_history();
  rl_attempted_completion_function = nullptr;
  completionAnswers.clear();
}

void EditLineInput::setCompletions(std::vector<std::string> answers) {
  completionAnswers = std::move(answers);
}

void EditLineInput::useHistory(const std::string& history) {
  if (history == current_) return;
  // libedit's readline interface has one history list: it is refilled when the prompt changes.
  clear_history();
  for (auto& line : histories_[history]) add_history(line.c_str());
  current_ = history;
}

Answer EditLineInput::readLine(const std::string& prompt, const std::string& history) {
  useHistory(history);
  ctrlC_.take();  // a Ctrl-C pressed while nothing was asked is forgotten
  char* raw = readline(prompt.c_str());
  if (raw == nullptr) {
    bool cancelled = ctrlC_.take();
    echo_ << (cancelled ? "^C\n" : "\n");
    echo_.flush();
    return Answer{cancelled ? Answer::Kind::CANCEL : Answer::Kind::BACK, {}};
  }
  std::string line(raw);
  std::free(raw);
  auto& lines = histories_[history];
  if (!line.empty() && (lines.empty() || lines.back() != line)) {
    lines.push_back(line);
    if (lines.size() > MAX_HISTORY) lines.erase(lines.begin());
    add_history(line.c_str());
  }
  return Answer{Answer::Kind::LINE, line};
}

}  // namespace jh::client
