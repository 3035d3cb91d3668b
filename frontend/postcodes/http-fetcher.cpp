// libcurl's multi interface driven by one thread: requests arrive through a locked queue and a
// curl_multi_wakeup(); results go back through cross-thread fulfillers.
#include "frontend/postcodes/http-fetcher.h"

#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <curl/curl.h>
#include <kj/debug.h>

namespace jh {
namespace {

constexpr size_t MAX_BODY = 1 << 20;     // bytes; a postcodes.io reply is about 2 KB
constexpr size_t MAX_IDLE_HANDLES = 16;  // easy handles kept for reuse
constexpr int POLL_MS = 1000;            // the worker also wakes at once on a new request

// The result travels boxed: moving a std::string through kj::ExceptionOr in XThreadFulfiller
// trips GCC 12's -Wmaybe-uninitialized (a false positive).
using Fulfiller = kj::Own<kj::CrossThreadPromiseFulfiller<kj::Own<HttpResult>>>;

// Every box is filled and emptied under this mutex: ThreadSanitizer sees the result cross through
// it, which it cannot see of KJ's fulfiller (its futex is inside uninstrumented libkj).
std::mutex resultMutex;

void deliver(const Fulfiller& fulfiller, HttpResult result) {
  kj::Own<HttpResult> box;
  {
    std::lock_guard lock(resultMutex);
    box = kj::heap<HttpResult>(std::move(result));
  }
  fulfiller->fulfill(kj::mv(box));
}

struct Request {
  std::string url;
  uint32_t timeoutMs;
  Fulfiller fulfiller;
};

// One transfer in progress; owned by the worker thread.
struct Transfer {
  Fulfiller fulfiller;
  std::string body;
  bool tooLarge = false;
  char errorText[CURL_ERROR_SIZE] = {};
};

size_t appendBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->body.size() + bytes > MAX_BODY) {
    transfer->tooLarge = true;
    return 0;  // makes libcurl abort the transfer
  }
  transfer->body.append(data, bytes);
  return bytes;
}

void initCurlOnce() {
  static std::once_flag once;
  // Never paired with curl_global_cleanup(): other threads may still use libcurl at exit.
  std::call_once(once, [] { KJ_ASSERT(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK); });
}

}  // namespace

class HttpFetcher::Worker {
 public:
  Worker() : multi(curl_multi_init()) {
    KJ_ASSERT(multi != nullptr, "curl_multi_init failed");
    headers = curl_slist_append(nullptr, "Accept: application/json");
    thread = std::thread([this] { run(); });
  }

  ~Worker() {
    {
      std::lock_guard lock(mutex);
      shared.stopping = true;
    }
    curl_multi_wakeup(multi);
    thread.join();
    for (auto& [easy, transfer] : active) {
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
    }
    active.clear();  // drops the fulfillers: their promises reject
    for (CURL* easy : idle) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi);
    curl_slist_free_all(headers);
  }

  // Any thread.
  void submit(Request request) {
    {
      std::lock_guard lock(mutex);
      shared.queue.push_back(std::move(request));
    }
    curl_multi_wakeup(multi);
  }

 private:
  struct Shared {
    std::vector<Request> queue;
    bool stopping = false;
  };

  void run() {
    for (;;) {
      std::vector<Request> fresh;
      {
        std::lock_guard lock(mutex);
        if (shared.stopping) return;
        fresh.swap(shared.queue);
      }
      for (Request& request : fresh) start(std::move(request));
      int running = 0;
      curl_multi_perform(multi, &running);
      finishDone();
      curl_multi_poll(multi, nullptr, 0, POLL_MS, nullptr);
    }
  }

  void start(Request request) {
    CURL* easy = nullptr;
    if (idle.empty()) {
      easy = curl_easy_init();
    } else {
      easy = idle.back();
      idle.pop_back();
      curl_easy_reset(easy);  // keeps its connection and DNS caches
    }
    if (easy == nullptr) {
      deliver(request.fulfiller, HttpResult{0, {}, "curl_easy_init failed"});
      return;
    }
    auto transfer = std::make_unique<Transfer>();
    transfer->fulfiller = std::move(request.fulfiller);
    curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "just-hungry");
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeoutMs));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeoutMs));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, appendBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->errorText);
    CURLMcode added = curl_multi_add_handle(multi, easy);
    if (added != CURLM_OK) {
      deliver(transfer->fulfiller, HttpResult{0, {}, curl_multi_strerror(added)});
      curl_easy_cleanup(easy);
      return;
    }
    active.emplace(easy, std::move(transfer));
  }

  void finishDone() {
    int left = 0;
    while (CURLMsg* message = curl_multi_info_read(multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      CURLcode code = message->data.result;
      auto found = active.find(easy);
      KJ_ASSERT(found != active.end());
      std::unique_ptr<Transfer> transfer = std::move(found->second);
      active.erase(found);
      curl_multi_remove_handle(multi, easy);
      HttpResult result;
      if (code == CURLE_OK) {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &result.status);
        result.body = std::move(transfer->body);
      } else if (transfer->tooLarge) {
        result.error = "the reply was larger than 1 MiB";
      } else {
        result.error =
            transfer->errorText[0] != '\0' ? transfer->errorText : curl_easy_strerror(code);
      }
      deliver(transfer->fulfiller, std::move(result));
      if (idle.size() < MAX_IDLE_HANDLES) {
        idle.push_back(easy);
      } else {
        curl_easy_cleanup(easy);
      }
    }
  }

  CURLM* multi;
  curl_slist* headers = nullptr;
  std::mutex mutex;  // a std::mutex, which ThreadSanitizer sees (kj::Mutex it does not)
  Shared shared;     // under mutex
  // Worker thread only (and the destructor, after the join):
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> active;
  std::vector<CURL*> idle;
  std::thread thread;
};

HttpFetcher::HttpFetcher() {
  initCurlOnce();
  worker = kj::heap<Worker>();
}

HttpFetcher::~HttpFetcher() {}

kj::Promise<HttpResult> HttpFetcher::get(std::string url, uint32_t timeoutMs) {
  auto paf = kj::newPromiseAndCrossThreadFulfiller<kj::Own<HttpResult>>();
  worker->submit(Request{std::move(url), timeoutMs, std::move(paf.fulfiller)});
  return paf.promise.then([](kj::Own<HttpResult>&& result) {
    std::lock_guard lock(resultMutex);
    return std::move(*result);
  });
}

}  // namespace jh
