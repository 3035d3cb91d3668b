// Look-ups go cache, then a request already on its way, then the urls in order, each skipped
// while its breaker is open.
#include "frontend/postcodes/postcode-service.h"

#include <algorithm>

#include <kj/debug.h>

#include "frontend/postcodes/postcode-response.h"
#include "schema/runtime/log.h"
#include "schema/orders/postcode-format.h"

namespace jh {
namespace {

using Kind = PostcodeAnswer::Kind;

// Input longer than this is not repeated back: a postcode is eight characters.
constexpr size_t MAX_SHOWN_INPUT = 32;

std::string invalidInputMessage(std::string_view input) {
  bool showable =
      !input.empty() && input.size() <= MAX_SHOWN_INPUT &&
      std::all_of(input.begin(), input.end(), [](char c) { return c >= ' ' && c <= '~'; });
  return showable ? fmt::format("\"{}\" is not a valid UK postcode (such as SW1A 1AA).", input)
                  : "That is not a valid UK postcode (such as SW1A 1AA).";
}

// `postCode` is normalised, so only its one space needs escaping.
std::string requestUrl(std::string_view base, const std::string& postCode) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  std::string url = fmt::format("{}/postcodes/", base);
  for (char c : postCode) {
    if (c == ' ') {
      url += "%20";
    } else {
      url += c;
    }
  }
  return url;
}

}  // namespace

PostcodeService::PostcodeService(PostcodeBook& book, kj::Timer& timer)
    : book(book), config(book.config()), timer(timer), tasks(taskErrorLogger) {}

PostcodeService::PostcodeService(const PostcodeConfig& config, kj::Timer& timer)
    : ownBook(kj::heap<PostcodeBook>(config)), book(*ownBook), config(book.config()), timer(timer),
      tasks(taskErrorLogger) {}

PostcodeService::~PostcodeService() {}

std::optional<PostcodeAnswer> PostcodeService::cached(const std::string& postCode) {
  return book.cached(postCode, timer.now());
}

kj::Promise<PostcodeAnswer> PostcodeService::lookup(std::string input) {
  std::optional<std::string> postCode = normalisePostcode(input);
  if (!postCode) return PostcodeAnswer{Kind::INVALID, {}, {}, invalidInputMessage(input)};
  if (std::optional<PostcodeAnswer> answer = cached(*postCode)) return std::move(*answer);
  // Every caller waits the same way, whichever loop sends the request: through the book.
  auto paf = kj::newPromiseAndCrossThreadFulfiller<kj::Own<PostcodeAnswer>>();
  auto answer = paf.promise.then([](kj::Own<PostcodeAnswer>&& a) { return std::move(*a); });
  uint64_t id = book.join(*postCode, kj::mv(paf.fulfiller));
  if (id == 0) return answer;
  // The waiters are answered in the turn the answer arrives; if this loop stops first, they are
  // dropped (and reject) rather than left waiting for ever.
  kj::Promise<void> answered =
      askFrom(*postCode, 0)
          .then([this, id](PostcodeAnswer&& answer) { book.finish(id, answer); },
                [this, id](kj::Exception&& exception) {
                  book.abandon(id);
                  kj::throwFatalException(std::move(exception));
                })
          .attach(kj::defer([this, id]() { book.abandon(id); }));
  tasks.add(std::move(answered));
  return answer;
}

kj::Promise<PostcodeAnswer> PostcodeService::askFrom(std::string postCode, size_t firstUrl) {
  kj::TimePoint now = timer.now();
  for (size_t i = firstUrl; i < book.urlCount(); ++i) {
    if (!book.tryAcquire(i, now)) continue;
    std::string url = requestUrl(book.url(i), postCode);
    return book.fetcher()
        .get(std::move(url), std::max<uint32_t>(config.timeoutMs, 1))
        .then([this, i, postCode = std::move(postCode)](HttpResult&& result) mutable {
          return answerFrom(i, std::move(postCode), std::move(result));
        });
  }
  return PostcodeAnswer{
      Kind::UNREACHABLE, std::move(postCode), {}, "postcodes.io could not be reached."};
}

kj::Promise<PostcodeAnswer> PostcodeService::answerFrom(size_t url, std::string postCode,
                                                        HttpResult result) {
  PostcodeReply reply = result.status == 0
                            ? PostcodeReply{std::nullopt, std::move(result.error)}
                            : parsePostcodeReply(result.status, result.body, postCode);
  if (reply.answer) {
    if (book.succeeded(url)) { JH_INFO("the postcode service at {} answers again", book.url(url)); }
    book.remember(*reply.answer, timer.now());
    return std::move(*reply.answer);
  }
  JH_WARN("the postcode service at {} could not check {} ({}); skipping it for {} ms",
          book.url(url), postCode, reply.failure, config.breakerMs);
  book.failed(url, timer.now());
  return askFrom(std::move(postCode), url + 1);
}

PostcodeStats PostcodeService::stats() const { return book.stats(timer.now()); }

void PostcodeService::TaskErrorLogger::taskFailed(kj::Exception&& exception) {
  JH_WARN("a postcode look-up failed: {}", exception.getDescription().cStr());
}

}  // namespace jh
