// Version vectors (DESIGN.md §4): for each origin incarnation, the highest seq a replica holds,
// knowing that it holds every seq below it too.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "schema/just-hungry.capnp.h"

namespace jh {

// One start of one replica's process: the rows it stores are named (origin, incarnation, seq)
// for ever. Incarnation 0 holds the rows written before incarnations existed.
struct OriginIncarnation {
  std::string origin;
  uint64_t incarnation = 0;
  auto operator<=>(const OriginIncarnation&) const = default;
};

// The same, viewing its origin's text elsewhere: for look-ups without a copy.
struct OriginIncarnationView {
  std::string_view origin;
  uint64_t incarnation = 0;
};

struct OriginIncarnationLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    int c = std::string_view(a.origin).compare(std::string_view(b.origin));
    return c < 0 || (c == 0 && a.incarnation < b.incarnation);
  }
};

// Per origin incarnation, a digest of its rows 1..seq (see OrderStore): two replicas that hold
// the same seq of an incarnation with different digests hold different rows under one name.
using IncarnationDigests = std::map<OriginIncarnation, uint64_t, OriginIncarnationLess>;

class VersionVector {
 public:
  using Entries = std::map<OriginIncarnation, uint64_t, OriginIncarnationLess>;

  uint64_t get(std::string_view origin, uint64_t incarnation) const {
    auto it = seqs_.find(OriginIncarnationView{origin, incarnation});
    return it == seqs_.end() ? 0 : it->second;
  }
  uint64_t get(const OriginIncarnation& source) const {
    return get(source.origin, source.incarnation);
  }
  void set(std::string_view origin, uint64_t incarnation, uint64_t seq);
  void set(const OriginIncarnation& source, uint64_t seq) {
    set(source.origin, source.incarnation, seq);
  }

  // True when this vector holds at least everything `other` holds.
  bool covers(const VersionVector& other) const;
  // How many rows this vector lacks compared with `other`.
  uint64_t lagBehind(const VersionVector& other) const;
  uint64_t total() const;
  bool empty() const { return seqs_.empty(); }

  const Entries& entries() const { return seqs_; }
  bool operator==(const VersionVector&) const = default;

  // The wire form groups the entries by origin, so that an origin's name is sent once however
  // many incarnations it had. With `digests`, each incarnation's digest travels beside its seq.
  size_t origins() const;
  void toWire(capnp::List<rpc::VersionEntry>::Builder out,
              const IncarnationDigests* digests = nullptr) const;
  // Sets the size of a list field and fills it: `init` is e.g. [&](uint n){ return b.initVector(n);
  // }.
  template <typename Init>
  void fill(Init&& init, const IncarnationDigests* digests = nullptr) const {
    toWire(init(static_cast<unsigned>(origins())), digests);
  }
  // Reads a wire form; with `digests`, also the digests it carries (none when it carries none).
  static VersionVector fromWire(capnp::List<rpc::VersionEntry>::Reader in,
                                IncarnationDigests* digests = nullptr);

  // "replica.server1:12 replica.server1#1733412345678901:3": incarnation 0 is shown bare.
  std::string toString() const;

 private:
  Entries seqs_;
};

}  // namespace jh
