// Token buckets per client address.
#include "frontend/rate-limiter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

namespace jh {

RateLimiter::RateLimiter(uint32_t perS, uint32_t burst, size_t maxClients)
    : perS_(perS), capacity_(uint64_t(std::max<uint32_t>(burst, 1)) * 1000),
      maxClients_(std::max<size_t>(maxClients, 1)) {}

uint32_t RateLimiter::take(const std::string& client, int64_t nowMs) {
  if (perS_ == 0) return 0;
  std::lock_guard lock(mutex_);
  auto found = index_.find(client);
  if (found == index_.end()) {
    if (buckets_.size() >= maxClients_) {
      index_.erase(buckets_.back().client);
      buckets_.pop_back();
    }
    buckets_.push_front(Bucket{client, capacity_, nowMs});
    found = index_.emplace(buckets_.front().client, buckets_.begin()).first;
  } else {
    buckets_.splice(buckets_.begin(), buckets_, found->second);
  }
  Bucket& b = *found->second;
  if (nowMs > b.atMs) {
    // perS tokens a second is perS milliTokens a millisecond (perS >= 1: a wait longer than
    // capacity_ ms refills the bucket, and the product below cannot overflow).
    uint64_t elapsed = static_cast<uint64_t>(nowMs - b.atMs);
    b.milliTokens =
        elapsed > capacity_ ? capacity_ : std::min(capacity_, b.milliTokens + elapsed * perS_);
    b.atMs = nowMs;
  }
  if (b.milliTokens >= 1000) {
    b.milliTokens -= 1000;
    return 0;
  }
  uint64_t waitMs = (1000 - b.milliTokens + perS_ - 1) / perS_;
  return static_cast<uint32_t>(std::max<uint64_t>(1, (waitMs + 999) / 1000));
}

size_t RateLimiter::clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

std::string rateLimitKey(const sockaddr* address, size_t length) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return text;
  }
  if (address->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    in6_addr prefix = in6->sin6_addr;
    if (!IN6_IS_ADDR_V4MAPPED(&prefix)) std::fill(prefix.s6_addr + 8, prefix.s6_addr + 16, 0);
    inet_ntop(AF_INET6, &prefix, text, sizeof text);
    return text;
  }
  return "";
}

}  // namespace jh
