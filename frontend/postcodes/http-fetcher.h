// The one wrapper around libcurl: HTTP GETs run with the multi interface on one worker thread, so
// a slow or hung server delays only its own requests; keep-alive connections are reused.
#pragma once

#include <cstdint>
#include <string>

#include <kj/async.h>
#include <kj/memory.h>

namespace jh {

struct HttpResult {
  long status = 0;  // 0 when no complete reply arrived
  std::string body;
  std::string error;  // when status is 0: why (refused, timed out, too large...)
};

class HttpFetcher {
 public:
  // Starts the worker thread. get() may be called from any thread with a KJ event loop.
  HttpFetcher();
  // Stops the worker; promises still pending reject (their transfers are abandoned).
  ~HttpFetcher();
  HttpFetcher(const HttpFetcher&) = delete;
  HttpFetcher& operator=(const HttpFetcher&) = delete;

  // GET `url`, giving up after `timeoutMs` (connecting included). Never blocks: the promise
  // resolves on the calling thread's event loop. Failures to get a reply are data (status 0).
  kj::Promise<HttpResult> get(std::string url, uint32_t timeoutMs);

 private:
  class Worker;
  kj::Own<Worker> worker;
};

}  // namespace jh
