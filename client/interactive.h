// The interactive client (DESIGN.md §7): asks for the user code, shows the motd, then a home
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

#include "client/ctrl-c.h"
#include "client/front-end-api.h"
#include "client/line-input.h"
#include "client/text-output.h"

namespace jh::client {

class InteractiveSession {
 public:
  // `userCode`: from --user and already checked, or nullopt to ask for it. `interrupts`: where a
  // Ctrl-C during a request comes from; without it, requests are waited for to the end.
  InteractiveSession(FrontEndApi& api, LineInput& input, std::ostream& out, Style style,
                     std::optional<std::string> userCode = std::nullopt,
                     Interrupts* interrupts = nullptr);

  // Runs until the person leaves (exit, Ctrl-D or Ctrl-C twice at the home prompt) or the input
  // ends: EXIT_DONE. EXIT_UNAVAILABLE when the service could not be reached at the start and the
  // person chose not to retry.
  //
  // At a prompt inside a step, Ctrl-C cancels the step (back to the home prompt) and Ctrl-D goes
  // back one prompt; Ctrl-C while a request is under way stops waiting for it (for an order,
  // offering to try again with the same order id).
  kj::Promise<int> run();

 private:
  // How a call made through retrying() ended.
  template <typename T>
  struct Outcome {
    std::optional<T> reply;  // nullopt: not carried out, and the person did not try again
    bool cancelled = false;  // the person pressed Ctrl-C while waiting
  };

  kj::Promise<void> home();
  kj::Promise<void> order();
  kj::Promise<void> pickItem(std::vector<MenuEntry> menu);
  kj::Promise<void> askPostcode(std::vector<MenuEntry> menu, MenuEntry item);
  kj::Promise<void> confirmAndPlace(std::vector<MenuEntry> menu, MenuEntry item,
                                    PostcodeInfo where);
  kj::Promise<void> showOrders();
  kj::Promise<void> showStatus();

  // Runs `call`; when it fails, or the service answers UNAVAILABLE, says so in a sentence and
  // offers to try again (the same call, so an order keeps its id). A Ctrl-C while it is under
  // way stops waiting: for an `order`, with an offer to try again, else at once.
  template <typename T>
  kj::Promise<Outcome<T>> retrying(kj::Function<kj::Promise<T>()> call, bool order = false);

  // What the person did at `prompt`, a line trimmed; END once the person is leaving. Up and Down
  // recall `history`'s earlier lines; Tab completes `completions`.
  Answer ask(const std::string& prompt, const char* history,
             std::vector<std::string> completions = {});
  // Asks until the answer is yes or no: a LINE "y" or "n", or what else the person did.
  Answer askYesNo(const std::string& prompt);
  bool askUserCode();
  // At the first-level prompts: whether a Ctrl-C leaves (the second in a row) or, the first
  // time, prints how to leave.
  bool leavesOnCtrlC(bool& pressedBefore);
  void say(const std::string& text);
  // One sentence about something that went wrong, wrapped to 80 columns; in the alarm colour
  // when the service failed rather than refused.
  void sayError(const std::string& sentence, bool alarming = false);

  FrontEndApi& api_;
  LineInput& input_;
  std::ostream& out_;
  Style style_;
  std::string userCode_;
  Interrupts* interrupts_;
  bool ended_ = false;     // the person is leaving (or the input ended): nothing more is asked
  bool reachable_ = true;  // the last call was carried out: the home prompt says when not
};

}  // namespace jh::client
