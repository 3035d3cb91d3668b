// Text for people, at most 80 columns wide.
#include "client/text-output.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "schema/runtime/grouped-number.h"
#include "schema/orders/money.h"

namespace jh::client {

namespace {

bool isContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t columns(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += isContinuationByte(c) ? 0 : 1;
  return n;
}

// The first `count` code points of `text`.
std::string_view firstColumns(std::string_view text, size_t count) {
  size_t seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!isContinuationByte(text[i]) && seen++ == count) return text.substr(0, i);
  }
  return text;
}

std::string lastSeen(int64_t msAgo) {
  if (msAgo < 0) return "never";
  if (msAgo < 1000) return fmt::format("{} ms", msAgo);
  return fmt::format("{}.{} s", msAgo / 1000, msAgo % 1000 / 100);
}

// One line broken at spaces into lines of at most `width` columns where its words allow.
std::string wrapLine(std::string_view line, size_t width) {
  std::string out;
  while (columns(line) > width) {
    // The last space with at most `width` columns before it; else the first space there is.
    size_t space = firstColumns(line, width + 1).rfind(' ');
    if (space == std::string_view::npos || space == 0) space = line.find(' ', 1);
    if (space == std::string_view::npos) break;
    out.append(line.substr(0, space)).append("\n");
    line.remove_prefix(space);
    line.remove_prefix(std::min(line.find_first_not_of(' '), line.size()));
  }
  return out.append(line);
}

std::string withoutFinalStop(std::string text) {
  while (!text.empty() && (text.back() == '.' || text.back() == ' ' || text.back() == '\n')) {
    text.pop_back();
  }
  return text;
}

}  // namespace

Style Style::forStream(int fd) {
  if (std::getenv("NO_COLOR") != nullptr) return Style(false);
  const char* term = std::getenv("TERM");
  if (term == nullptr || std::strcmp(term, "dumb") == 0) return Style(false);
  return Style(isatty(fd) == 1);
}

std::string Style::wrap(const char* code, std::string_view text) const {
  if (!colour_) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

size_t terminalColumns(int fd) {
  winsize size{};
  if (isatty(fd) != 1 || ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

std::string counted(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

std::string cut(std::string_view text, size_t width) {
  if (columns(text) <= width) return std::string(text);
  if (width < 4) return std::string(firstColumns(text, width));
  return std::string(firstColumns(text, width - 3)) + "...";
}

std::string fit(std::string_view text, size_t width, bool right) {
  size_t n = columns(text);
  if (n >= width) return cut(text, width);
  std::string pad(width - n, ' ');
  return right ? pad + std::string(text) : std::string(text) + pad;
}

std::string wrapText(std::string_view text, size_t width) {
  std::string out;
  for (;;) {
    size_t eol = text.find('\n');
    out += wrapLine(text.substr(0, eol), width);
    if (eol == std::string_view::npos) return out;
    out += '\n';
    text.remove_prefix(eol + 1);
  }
}

std::string readableTime(std::string_view t) {
  // 2026-11-21T22:31:05.123Z
  if (t.size() != 24 || t[10] != 'T' || t[19] != '.' || t[23] != 'Z') return std::string(t);
  return fmt::format("{} {} UTC", t.substr(0, 10), t.substr(11, 8));
}

std::string menuText(const std::vector<MenuEntry>& items, const Style& style) {
  if (items.empty()) return "The menu is empty.\n";
  std::string out = style.bold("Menu") + "\n";
  for (size_t i = 0; i < items.size(); ++i) {
    out += fmt::format("  {:>2}) {} {}\n", i + 1, fit(items[i].item, 55),
                       fit(formatPounds(items[i].pricePence), 10, true));
  }
  return out;
}

std::string ordersText(const std::vector<OrderRecord>& orders, const Style& style) {
  if (orders.empty()) return "You have no orders yet.\n";
  std::string out = style.bold(fmt::format("Your orders ({})", orders.size())) + "\n";
  bool anyPending = false, anyConflict = false;
  for (auto& o : orders) {
    bool pending = o.status == STATUS_PENDING;
    anyPending = anyPending || pending;
    anyConflict = anyConflict || o.conflict;
    std::string mark = pending ? style.bad(" PENDING") : o.conflict ? style.bad(" CONFLICT") : "";
    out += fmt::format("  {}  {}  {}{}\n", fit(readableTime(o.timeStamp), 23),
                       fit(o.item, pending || o.conflict ? 31 : 40),
                       fit(formatPounds(o.pricePence), 9, true), mark);
    // The id is never cut: the area gives way.
    std::string where = fmt::format("    {}  to {}, ", o.orderId, o.postCode);
    size_t used = columns(where);
    out += where + cut(o.area, used < 79 ? 79 - used : 0) + "\n";
  }
  if (anyPending) {
    out +=
        "PENDING: stored, but not yet copied to enough backups to be confirmed; it will be, or\n"
        "ordering again with the same order id is safe (it never orders twice).\n";
  }
  if (anyConflict) {
    out +=
        "CONFLICT: a different order was confirmed earlier under the same order id, during a\n"
        "failover; both stand.\n";
  }
  return out;
}

std::string orderPlacedText(const OrderRecord& o, const Style& style) {
  return fmt::format("{} {}, {}, to {} ({}).\nOrder id: {}\nTime:     {}\n",
                     style.good("Order placed:"), o.item, formatPounds(o.pricePence), o.postCode,
                     o.area, o.orderId, readableTime(o.timeStamp));
}

std::string postcodeText(const PostcodeInfo& info) {
  if (!info.verified) {
    return fmt::format("{}: its area could not be checked (the postcode service is unreachable).\n",
                       info.postCode);
  }
  return fmt::format("{} is in {}.\n", info.postCode, info.area);
}

std::string statusText(const ClusterStatus& s, const Style& style) {
  std::string out = fmt::format(
      "Front-end {}, primary {}, heartbeat every {} ms.\n", s.frontend,
      s.primary.empty() ? style.bad("none (no replica is ready)") : style.good(s.primary),
      s.heartbeatMs);
  out +=
      style.bold(fmt::format("  {} {} {} {} {} {} {} {}", fit("Replica", 15), fit("Address", 15),
                             fit("State", 9), fit("Role", 7), fit("Seen", 6, true),
                             fit("Lag", 4, true), fit("Orders", 6, true), fit("Rows", 6, true))) +
      "\n";
  bool anyDiffers = false, anyDiverged = false;
  for (auto& r : s.replicas) {
    std::string role = fit(r.role, 7);
    if (r.role == "primary") role = style.good(role);
    if (r.role == "down") role = style.bad(role);
    std::string state = r.diverged ? style.bad(fit("DIVERGED", 9)) : fit(r.state, 9);
    out += fmt::format(
        "  {} {} {} {} {} {} {} {}{}\n", fit(r.name, 15), fit(r.address, 15), state, role,
        fit(lastSeen(r.lastSeenMsAgo), 6, true), fit(std::to_string(r.lag), 4, true),
        fit(std::to_string(r.orderCount), 6, true), fit(std::to_string(r.rowCount), 6, true),
        r.contentDiffers ? style.bad(" *") : "");
    anyDiffers = anyDiffers || r.contentDiffers;
    anyDiverged = anyDiverged || r.diverged;
  }
  if (anyDiffers) out += "  * its menu or motd differs from the primary's.\n";
  if (anyDiverged) {
    out += style.bad("  DIVERGED: two replicas hold different rows under one name (see the log).") +
           "\n";
  }
  out += "  Orders as users see them; Rows counts every stored copy.\n";
  for (auto& r : s.replicas) {
    if (r.role != "down" && !r.diverged) {
      if (r.state == "SYNCING") {
        out +=
            fmt::format("  {} is catching up: {} {} fetched{}.\n", r.name, groupedNumber(r.fetched),
                        r.fetched == 1 ? "row" : "rows",
                        s.primary.empty() ? "" : fmt::format(", {} to go", groupedNumber(r.lag)));
      } else if (r.state == "PROMOTING") {
        out += fmt::format("  {} is being promoted: it syncs with its peers before it serves.\n",
                           r.name);
      }
    }
  }
  for (auto& p : s.postcodeServices) {
    std::string state =
        p.state == "failing" ? fmt::format("failing, retry in {} ms", p.retryInMs) : p.state;
    std::string counts =
        fmt::format("({}, {} failed)", counted(p.requests, "request", "requests"), p.failures);
    std::string line = fmt::format("Postcodes: {} {} {}", p.url, state, counts);
    // A long url puts the state on a line of its own rather than losing it.
    if (columns(line) > 79) line = cut("Postcodes: " + p.url, 79) + "\n  " + state + " " + counts;
    out += line + "\n";
  }
  out += fmt::format("Orders through {}: {} acknowledged, {} refused as unavailable.\n", s.frontend,
                     groupedNumber(s.ordersPlaced), groupedNumber(s.ordersFailed));
  out += fmt::format("Postcode cache: {}, {}; when unreachable: {}.\n",
                     counted(s.cacheHits, "hit", "hits"), counted(s.cacheMisses, "miss", "misses"),
                     s.whenUnreachable);
  return out;
}

std::string reconnectedText(const Reconnection& r) {
  return fmt::format("Reconnected to {} ({}).", r.frontEnd, r.address);
}

std::string rejectionText(const Rejection& rejection) {
  if (rejection.message.empty()) {
    return fmt::format("The service refused the request ({}).", rejectCodeName(rejection.code));
  }
  return rejection.message;
}

std::string failureText(const kj::Exception& e) {
  std::string what = withoutFinalStop(e.getDescription().cStr());
  switch (e.getType()) {
    case kj::Exception::Type::DISCONNECTED:
    case kj::Exception::Type::OVERLOADED:
      return fmt::format("The service is unavailable: {}.", what);
    default: return fmt::format("The service could not carry out the request: {}.", what);
  }
}

}  // namespace jh::client
