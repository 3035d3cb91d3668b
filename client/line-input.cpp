// The interactive client's two sources of lines.
#include "client/line-input.h"

#include <langinfo.h>

#include <clocale>
#include <cstdlib>
#include <cstring>
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

EditLineInput::EditLineInput(std::ostream& echo) : echo_(echo) {
  std::setlocale(LC_CTYPE, "");
  if (std::strcmp(nl_langinfo(CODESET), "UTF-8") != 0) std::setlocale(LC_CTYPE, "C.UTF-8");
  rl_readline_name = "jh-client";
  using_history();
}

EditLineInput::~EditLineInput() { clear_history(); }

std::optional<std::string> EditLineInput::readLine(const std::string& prompt) {
  char* raw = readline(prompt.c_str());
  if (raw == nullptr) {
    echo_ << '\n';
    return std::nullopt;
  }
  std::string line(raw);
  std::free(raw);
  if (!line.empty()) add_history(line.c_str());
  return line;
}

}  // namespace jh::client
