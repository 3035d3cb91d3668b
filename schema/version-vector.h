// Version vectors (DESIGN.md §4): for each origin, the highest seq a replica holds, knowing that
// it holds every seq below it too.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "schema/just-hungry.capnp.h"

namespace jh {

class VersionVector {
 public:
  uint64_t get(const std::string& origin) const {
    auto it = seqs_.find(origin);
    return it == seqs_.end() ? 0 : it->second;
  }
  void set(const std::string& origin, uint64_t seq) { seqs_[origin] = seq; }

  // True when this vector holds at least everything `other` holds.
  bool covers(const VersionVector& other) const;
  // How many orders this vector lacks compared with `other`.
  uint64_t lagBehind(const VersionVector& other) const;
  uint64_t total() const;

  const std::map<std::string, uint64_t>& entries() const { return seqs_; }
  bool operator==(const VersionVector&) const = default;

  void toWire(capnp::List<rpc::VersionEntry>::Builder out) const;
  // Sets the size of a list field and fills it: `init` is e.g. [&](uint n){ return b.initVector(n); }.
  template <typename Init>
  void fill(Init&& init) const {
    toWire(init(static_cast<unsigned>(seqs_.size())));
  }
  static VersionVector fromWire(capnp::List<rpc::VersionEntry>::Reader in);

  std::string toString() const;  // "replica.server1:12 replica.server2:3"

 private:
  std::map<std::string, uint64_t> seqs_;
};

}  // namespace jh
