// What the client shows to people: menus, orders and status as text that fits 80 columns, prices
// as £7.85, failures as one plain sentence. Used by the one-shot commands and the interactive
// screens alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <kj/exception.h>

#include "client/front-end-api.h"

namespace jh::client {

// Colour (ANSI escapes) or none. Everything that adds an escape code goes through here.
class Style {
 public:
  explicit Style(bool colour = false) : colour_(colour) {}

  // Colour only on a terminal, and never when NO_COLOR is set or TERM is "dumb".
  static Style forStream(int fd);

  bool colour() const { return colour_; }
  std::string bold(std::string_view text) const { return wrap("1", text); }
  std::string good(std::string_view text) const { return wrap("32", text); }
  std::string bad(std::string_view text) const { return wrap("31", text); }
  std::string dim(std::string_view text) const { return wrap("2", text); }

 private:
  std::string wrap(const char* code, std::string_view text) const;
  bool colour_;
};

// The width of the terminal on `fd` in columns; 0 when `fd` is not a terminal.
size_t terminalColumns(int fd);

// "1 request", "2 requests", "0 requests": `n` and the word that goes with it.
std::string counted(uint64_t n, std::string_view one, std::string_view many);

// `text` in at most `width` columns (one per code point): cut with "..." when longer.
std::string cut(std::string_view text, size_t width);
// `text` in exactly `width` columns (one per code point): cut with "..." or padded with spaces
// on the right (or on the left when `right` is set).
std::string fit(std::string_view text, size_t width, bool right = false);

// `text` with each line longer than `width` columns broken at spaces (a word longer than the
// width stays whole); its own line breaks are kept.
std::string wrapText(std::string_view text, size_t width);

// "2026-11-21T22:31:05.123Z" -> "2026-11-21 22:31:05 UTC"; anything else is returned unchanged.
std::string readableTime(std::string_view timeStamp);

// A numbered list: "  1) Margherita pizza ..... £7.85".
std::string menuText(const std::vector<MenuEntry>& items, const Style& style);
// Two lines an order, oldest first, or a sentence when there are none.
std::string ordersText(const std::vector<OrderRecord>& orders, const Style& style);
// The confirmation of a placed order: its id and time, what, where and how much.
std::string orderPlacedText(const OrderRecord& order, const Style& style);
// "SW1A 1AA is in Westminster, London.", or a sentence saying that the area is unverified.
std::string postcodeText(const PostcodeInfo& info);
// The replicas' table (the primary in green), a line for each replica catching up (rows fetched,
// rows still to go) or being promoted, then the orders through this front-end, the postcode
// services and cache.
std::string statusText(const ClusterStatus& status, const Style& style);

// "Reconnected to just.hungry.2 (127.0.0.1:9004)."
std::string reconnectedText(const Reconnection& r);

// The rejection as one sentence for a person.
std::string rejectionText(const Rejection& rejection);
// A request that could not be carried out, as one sentence for a person.
std::string failureText(const kj::Exception& e);

}  // namespace jh::client
