// Version vector comparison and wire form.
#include "schema/orders/version-vector.h"

#include <kj/debug.h>

namespace jh {

void VersionVector::set(std::string_view origin, uint64_t incarnation, uint64_t seq) {
  auto it = seqs_.find(OriginIncarnationView{origin, incarnation});
  if (it != seqs_.end()) {
    it->second = seq;
  } else {
    seqs_.emplace(OriginIncarnation{std::string(origin), incarnation}, seq);
  }
}

bool VersionVector::covers(const VersionVector& other) const {
  for (auto& [source, seq] : other.seqs_) {
    if (get(source) < seq) return false;
  }
  return true;
}

uint64_t VersionVector::lagBehind(const VersionVector& other) const {
  uint64_t lag = 0;
  for (auto& [source, seq] : other.seqs_) {
    uint64_t mine = get(source);
    if (mine < seq) lag += seq - mine;
  }
  return lag;
}

uint64_t VersionVector::total() const {
  uint64_t sum = 0;
  for (auto& entry : seqs_) sum += entry.second;
  return sum;
}

size_t VersionVector::origins() const {
  size_t n = 0;
  const std::string* last = nullptr;
  for (auto& entry : seqs_) {
    if (!last || *last != entry.first.origin) ++n;
    last = &entry.first.origin;
  }
  return n;
}

void VersionVector::toWire(capnp::List<rpc::VersionEntry>::Builder out,
                           const IncarnationDigests* digests) const {
  unsigned i = 0;
  for (auto it = seqs_.begin(); it != seqs_.end();) {
    const std::string& origin = it->first.origin;
    auto end = it;
    unsigned n = 0;
    while (end != seqs_.end() && end->first.origin == origin) ++end, ++n;
    auto entry = out[i++];
    entry.setOrigin(origin);
    auto incarnations = entry.initIncarnations(n);
    auto seqs = entry.initSeqs(n);
    auto sums = digests ? entry.initDigests(n) : capnp::List<uint64_t>::Builder();
    for (unsigned k = 0; it != end; ++it, ++k) {
      incarnations.set(k, it->first.incarnation);
      seqs.set(k, it->second);
      if (digests) {
        auto d = digests->find(it->first);
        sums.set(k, d == digests->end() ? 0 : d->second);
      }
    }
  }
}

VersionVector VersionVector::fromWire(capnp::List<rpc::VersionEntry>::Reader in,
                                      IncarnationDigests* digests) {
  VersionVector v;
  for (auto e : in) {
    auto incarnations = e.getIncarnations();
    auto seqs = e.getSeqs();
    auto sums = e.getDigests();
    KJ_REQUIRE(incarnations.size() == seqs.size(), "a version entry's lists differ in length");
    std::string origin = e.getOrigin();
    for (unsigned k = 0; k < seqs.size(); ++k) {
      v.set(origin, incarnations[k], seqs[k]);
      if (digests && k < sums.size())
        (*digests)[OriginIncarnation{origin, incarnations[k]}] = sums[k];
    }
  }
  return v;
}

std::string VersionVector::toString() const {
  std::string out;
  for (auto& [source, seq] : seqs_) {
    if (!out.empty()) out += ' ';
    out += source.origin;
    if (source.incarnation != 0) out += "#" + std::to_string(source.incarnation);
    out += ":" + std::to_string(seq);
  }
  return out.empty() ? "(empty)" : out;
}

}  // namespace jh
