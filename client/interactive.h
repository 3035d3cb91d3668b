// The interactive client (DESIGN.md §6): asks for the user code, shows the motd, then a home
// screen to order from the menu, see one's orders and the service's status, until the person
// leaves. Reads answers from a LineInput and writes screens to a stream, so that a test can
// drive it with a script and a fake front-end.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <kj/async.h>
#include <kj/function.h>

#include "client/front-end-api.h"
#include "client/line-input.h"
#include "client/text-output.h"

namespace jh::client {

class InteractiveSession {
 public:
  // `userCode`: from --user and already checked, or nullopt to ask for it.
  InteractiveSession(FrontEndApi& api, LineInput& input, std::ostream& out, Style style,
                     std::optional<std::string> userCode = std::nullopt);

  // Runs until the person chooses exit or the input ends (Ctrl-D): EXIT_DONE. EXIT_UNAVAILABLE
  // when the service could not be reached at the start and the person chose not to retry.
  kj::Promise<int> run();

 private:
  kj::Promise<void> home();
  kj::Promise<void> order();
  kj::Promise<void> pickItem(std::vector<MenuEntry> menu);
  kj::Promise<void> askPostcode(MenuEntry item);
  kj::Promise<void> confirmAndPlace(MenuEntry item, PostcodeInfo where);
  kj::Promise<void> showOrders();
  kj::Promise<void> showStatus();

  // Runs `call`; when it fails, or the service answers UNAVAILABLE, says so in a sentence and
  // offers to try again (the same call, so an order keeps its id). nullopt when the person
  // declines or the input ends.
  template <typename T>
  kj::Promise<std::optional<T>> retrying(kj::Function<kj::Promise<T>()> call);

  // The next answer, trimmed; nullopt at the end of the input (and from then on). Tab completes
  // `completions`.
  std::optional<std::string> ask(const std::string& prompt,
                                 std::vector<std::string> completions = {});
  // Asks until the answer is yes or no; nullopt at the end of the input.
  std::optional<bool> askYesNo(const std::string& prompt);
  bool askUserCode();
  void say(const std::string& text);
  // One sentence about something that went wrong, wrapped to 80 columns; in the alarm colour
  // when the service failed rather than refused.
  void sayError(const std::string& sentence, bool alarming = false);

  FrontEndApi& api_;
  LineInput& input_;
  std::ostream& out_;
  Style style_;
  std::string userCode_;
  bool ended_ = false;  // the input ended or the person chose exit
  bool reachable_ = true;  // the last call was carried out: the home prompt says when not
};

}  // namespace jh::client
