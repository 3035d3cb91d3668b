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

PostcodeService::PostcodeService(const PostcodeConfig& config, kj::Timer& timer)
    : config(config), timer(timer), cache(config.cacheMax), tasks(taskErrorLogger) {
  for (const std::string& url : config.urls) {
    breakers.emplace_back(url, config.breakerMs * kj::MILLISECONDS);
  }
}

PostcodeService::~PostcodeService() {}

std::optional<PostcodeAnswer> PostcodeService::cached(const std::string& postCode) {
  std::optional<PostcodeAnswer> answer = cache.find(postCode, timer.now());
  if (answer) ++cacheHits;
  return answer;
}

kj::Promise<PostcodeAnswer> PostcodeService::lookup(std::string input) {
  std::optional<std::string> postCode = normalisePostcode(input);
  if (!postCode) return PostcodeAnswer{Kind::INVALID, {}, {}, invalidInputMessage(input)};
  if (std::optional<PostcodeAnswer> answer = cached(*postCode)) return std::move(*answer);
  auto paf = kj::newPromiseAndFulfiller<PostcodeAnswer>();
  auto running = inFlight.find(*postCode);
  if (running != inFlight.end()) {
    ++cacheHits;
    running->second.push_back(std::move(paf.fulfiller));
    return std::move(paf.promise);
  }
  ++cacheMisses;
  inFlight[*postCode].push_back(std::move(paf.fulfiller));
  // Waiters are answered, and the entry removed, in the same turn as the answer arrives.
  kj::Promise<void> answered = askFrom(*postCode, 0).then(
      [this, key = *postCode](PostcodeAnswer&& answer) {
        for (auto& waiter : takeWaiters(key)) waiter->fulfill(PostcodeAnswer(answer));
      },
      [this, key = *postCode](kj::Exception&& exception) {
        for (auto& waiter : takeWaiters(key)) waiter->reject(kj::cp(exception));
        kj::throwFatalException(std::move(exception));
      });
  tasks.add(std::move(answered));
  return std::move(paf.promise);
}

std::vector<kj::Own<kj::PromiseFulfiller<PostcodeAnswer>>> PostcodeService::takeWaiters(
    const std::string& postCode) {
  auto found = inFlight.find(postCode);
  KJ_ASSERT(found != inFlight.end());
  auto waiters = std::move(found->second);
  inFlight.erase(found);
  return waiters;
}

kj::Promise<PostcodeAnswer> PostcodeService::askFrom(std::string postCode, size_t firstUrl) {
  kj::TimePoint now = timer.now();
  for (size_t i = firstUrl; i < breakers.size(); ++i) {
    if (!breakers[i].tryAcquire(now)) continue;
    std::string url = requestUrl(breakers[i].url(), postCode);
    return fetcher.get(std::move(url), std::max<uint32_t>(config.timeoutMs, 1))
        .then([this, i, postCode = std::move(postCode)](HttpResult&& result) mutable {
          return answerFrom(i, std::move(postCode), std::move(result));
        });
  }
  return PostcodeAnswer{
      Kind::UNREACHABLE, std::move(postCode), {}, "postcodes.io could not be reached."};
}

kj::Promise<PostcodeAnswer> PostcodeService::answerFrom(size_t url, std::string postCode,
                                                        HttpResult result) {
  UrlBreaker& breaker = breakers[url];
  PostcodeReply reply = result.status == 0
                            ? PostcodeReply{std::nullopt, std::move(result.error)}
                            : parsePostcodeReply(result.status, result.body, postCode);
  if (reply.answer) {
    if (breaker.failing()) {
      JH_INFO("the postcode service at {} answers again", breaker.url());
    }
    breaker.succeeded();
    remember(*reply.answer);
    return std::move(*reply.answer);
  }
  JH_WARN("the postcode service at {} could not check {} ({}); skipping it for {} ms", breaker.url(), postCode,
          reply.failure, config.breakerMs);
  breaker.failed(timer.now());
  return askFrom(std::move(postCode), url + 1);
}

void PostcodeService::remember(const PostcodeAnswer& answer) {
  if (answer.kind == Kind::UNREACHABLE) return;
  uint32_t seconds = answer.kind == Kind::FOUND ? config.cacheFoundS : config.cacheNotFoundS;
  if (seconds > 0) cache.put(answer, timer.now() + seconds * kj::SECONDS);
}

PostcodeStats PostcodeService::stats() const {
  PostcodeStats stats{{}, cacheHits, cacheMisses};
  kj::TimePoint now = timer.now();
  for (const UrlBreaker& breaker : breakers) {
    stats.urls.push_back(PostcodeUrlStatus{breaker.url(), breaker.state(), breaker.retryInMs(now),
                                           breaker.requests(), breaker.failures()});
  }
  return stats;
}

void PostcodeService::TaskErrorLogger::taskFailed(kj::Exception&& exception) {
  JH_WARN("a postcode look-up failed: {}", exception.getDescription().cStr());
}

}  // namespace jh
