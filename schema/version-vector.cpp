// Version vector comparison and wire form.
#include "schema/version-vector.h"

namespace jh {

bool VersionVector::covers(const VersionVector& other) const {
  for (auto& [origin, seq] : other.seqs_) {
    if (get(origin) < seq) return false;
  }
  return true;
}

uint64_t VersionVector::lagBehind(const VersionVector& other) const {
  uint64_t lag = 0;
  for (auto& [origin, seq] : other.seqs_) {
    uint64_t mine = get(origin);
    if (mine < seq) lag += seq - mine;
  }
  return lag;
}

uint64_t VersionVector::total() const {
  uint64_t sum = 0;
  for (auto& entry : seqs_) sum += entry.second;
  return sum;
}

void VersionVector::toWire(capnp::List<rpc::VersionEntry>::Builder out) const {
  unsigned i = 0;
  for (auto& [origin, seq] : seqs_) {
    out[i].setOrigin(origin);
    out[i].setSeq(seq);
    ++i;
  }
}

VersionVector VersionVector::fromWire(capnp::List<rpc::VersionEntry>::Reader in) {
  VersionVector v;
  for (auto e : in) v.set(e.getOrigin(), e.getSeq());
  return v;
}

std::string VersionVector::toString() const {
  std::string out;
  for (auto& [origin, seq] : seqs_) {
    if (!out.empty()) out += ' ';
    out += origin + ":" + std::to_string(seq);
  }
  return out.empty() ? "(empty)" : out;
}

}  // namespace jh
