// The interactive client's two sources of lines.
#include "client/line-input.h"

#include <cstdlib>
#include <istream>
#include <ostream>

#include <editline/readline.h>

namespace jh::client {

std::optional<std::string> StreamLineInput::readLine(const std::string& prompt) {
  echo_ << prompt;
  echo_.flush();
  std::string line;
  if (!std::getline(in_, line)) {
    echo_ << '\n';
    return std::nullopt;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  echo_ << line << '\n';
  return line;
}

EditLineInput::EditLineInput() {
  rl_readline_name = "jh-client";
  using_history();
}

EditLineInput::~EditLineInput() { clear_history(); }

std::optional<std::string> EditLineInput::readLine(const std::string& prompt) {
  char* raw = readline(prompt.c_str());
  if (raw == nullptr) return std::nullopt;
  std::string line(raw);
  std::free(raw);
  if (!line.empty()) add_history(line.c_str());
  return line;
}

}  // namespace jh::client
