# The wire contract of Just Hungry: what the client asks the front-end, and what the front-end
# and the replicas ask each other. Expected outcomes (a bad item, an unknown postcode) are data in
# result unions; exceptions only ever mean that a call could not be carried out.
@0x92f2884cb0af6f1b;

$import "/capnp/c++.capnp".namespace("jh::rpc");

struct Order {
  # One order as stored in every replica's orders.csv (DESIGN.md §3). Money is integer pence.

  orderId @0 :Text;      # chosen by the caller per order attempt; the idempotency key
  userCode @1 :Text;     # 1–64 characters of printable UTF-8
  item @2 :Text;         # a menu item, as spelled in menu.csv
  pricePence @3 :Int64;  # the menu price, put on by the front-end
  timeStamp @4 :Text;    # UTC, ISO 8601 with milliseconds, stamped by the front-end
  postCode @5 :Text;     # normalised: upper case, one space before the last three characters
  area @6 :Text;         # delivery area from postcodes.io, or "unverified"
  status @7 :Text;       # "CONFIRMED"
  origin @8 :Text;       # the replica that accepted the order from the front-end
  seq @9 :UInt64;        # that replica's own counter: 1, 2, 3… without gaps
}

struct MenuItem {
  item @0 :Text;
  pricePence @1 :Int64;
}

enum RejectCode {
  # Why a request was refused. Printed in JSON as INVALID_USER_CODE, UNKNOWN_ITEM, ...
  invalidUserCode @0;
  unknownItem @1;
  invalidPostcode @2;    # malformed: refused before any network call
  postcodeNotFound @3;   # well-formed, but postcodes.io does not know it
  unavailable @4;        # no replica (or, with when_unreachable=reject, no postcode service)
  conflictingOrderId @5; # the order_id was used before for another user, item or postcode
  invalidOrder @6;       # a malformed order or field (too long, bad id) that is nobody's typo
  notReady @7;           # a replica refuses client work while SYNCING; the front-end moves on
  tooManyOrders @8;      # a user's orders are more than one reply may carry (MAX_ORDERS_REPLY_BYTES)
}

struct Rejection {
  code @0 :RejectCode;
  message @1 :Text;      # one plain sentence for a person
}

struct OrderResult {
  union {
    placed @0 :Order;    # the stored order: on a repeat, the copy stored the first time
    rejected @1 :Rejection;
  }
}

struct OrdersResult {
  union {
    orders @0 :List(Order);  # one entry per order_id, sorted by (timeStamp, origin, seq)
    rejected @1 :Rejection;
  }
}

struct VersionEntry {
  # "This replica holds every order of `origin` with seq 1..seq."
  origin @0 :Text;
  seq @1 :UInt64;
}

enum ReplicaState {
  syncing @0;   # catching up after start; serves no client work
  ready @1;
  degraded @2;  # cannot write orders.csv (disk full, I/O error): takes no orders, still answers
                # reads of what it holds, and checks the disk every second until it can write
}

struct Health {
  name @0 :Text;
  state @1 :ReplicaState;
  vector @2 :List(VersionEntry);
  orderCount @3 :UInt64;        # rows held, every copy counted
  contentDigest @4 :Text;       # hex digest of menu.csv and motd.txt as loaded
  pid @5 :UInt32;
  startedAtMs @6 :Int64;        # wall clock, ms since the epoch
  peers @7 :List(PeerProgress); # what this replica knows of its peers' vectors
}

struct PeerProgress {
  name @0 :Text;
  reachable @1 :Bool;
  vector @2 :List(VersionEntry);  # the peer's vector, as of its last reply
}

interface Replica {
  # A replica server. The front-end calls the client-facing methods on the primary; replicas call
  # replicate and pull on each other. Every method may be called on any replica.

  getMotd @0 () -> (motd :Text);
  getMenu @1 () -> (items :List(MenuItem), contentDigest :Text);

  getOrders @2 (userCode :Text) -> (result :OrdersResult);
  # Served from the in-memory index: the cost grows with the user's orders, not the file.

  placeOrder @3 (order :Order, minAcks :UInt32) -> (result :OrderResult);
  # Stores the order (origin and seq are assigned here, whatever the caller put) and replies only
  # once it is durable here and on `minAcks` backups. A repeated orderId returns the stored copy,
  # or conflictingOrderId when user, item or post code differ. Refuses with notReady while
  # SYNCING. Throws OVERLOADED-type errors only for transport reasons; a failure to reach
  # minAcks backups in time is rejected as `unavailable` and the order is not acknowledged
  # (it is stored, and will reach every replica in time).

  health @4 () -> (health :Health);

  replicate @5 (sender :Text, orders :List(Order)) -> (vector :List(VersionEntry));
  # Push: orders in (origin, seq) order per origin. Each is applied only when its seq is exactly
  # one past what is held for its origin; lower ones are skipped, and a gap stops the batch.
  # Replies after what was applied is durable, with the receiver's vector, so the sender knows
  # where to resume.

  pull @6 (vector :List(VersionEntry), limit :UInt32) -> (orders :List(Order), more :Bool);
  # Catch-up: up to `limit` orders the caller lacks, judged by the caller's vector, in
  # (origin, seq) order per origin. `more` says whether there are more to fetch.

  placeOrders @7 (orders :List(Order), minAcks :UInt32) -> (results :List(OrderResult));
  # placeOrder for several orders in one call (the front-end gathers concurrent orders):
  # results[i] answers orders[i]. The new ones among them share one write to disk.
}

interface ReplicaGate {
  # What a replica's port serves to whoever connects: the Replica capability itself only for a
  # caller that presents the cluster secret (the file named by secret_file in cluster.json), so
  # that only the front-ends and the other replicas can place, replicate or pull orders.

  open @0 (secret :Data) -> (replica :Replica);
  # Fails (FAILED, "wrong cluster secret") unless `secret` is the cluster's. A cluster without a
  # secret file accepts any secret, and says so in its logs at start.
}

struct PostcodeCheck {
  union {
    valid :group {
      postCode @0 :Text;   # normalised
      area @1 :Text;       # delivery area, or "unverified" when the service was unreachable
      verified @2 :Bool;   # false when the area is "unverified"
    }
    rejected @3 :Rejection;
  }
}

struct ReplicaStatus {
  name @0 :Text;
  address @1 :Text;
  state @2 :Text;          # "READY", "SYNCING" or "DOWN"
  role @3 :Text;           # "primary", "backup" or "down"
  lastSeenMsAgo @4 :Int64; # -1 when never seen
  lag @5 :UInt64;          # orders the replica lacks compared with the primary
  orderCount @6 :UInt64;
  contentDiffers @7 :Bool; # its menu or motd differs from the primary's
}

struct PostcodeServiceStatus {
  url @0 :Text;
  state @1 :Text;          # "ok", "failing" (skipped until retryInMs) or "unknown"
  retryInMs @2 :Int64;
  requests @3 :UInt64;
  failures @4 :UInt64;
}

struct ClusterStatus {
  frontend @0 :Text;
  primary @1 :Text;         # empty when none is READY
  replicas @2 :List(ReplicaStatus);
  heartbeatMs @3 :UInt32;
  postcodeServices @4 :List(PostcodeServiceStatus);
  cacheHits @5 :UInt64;
  cacheMisses @6 :UInt64;
  whenUnreachable @7 :Text;
}

interface FrontEnd {
  # The only door for clients. Never throws for expected outcomes; a result union says why.

  getMotd @0 () -> (motd :Text, rejected :Rejection, ok :Bool);
  getMenu @1 () -> (items :List(MenuItem), rejected :Rejection, ok :Bool);
  getOrders @2 (userCode :Text) -> (result :OrdersResult);

  placeOrder @3 (orderId :Text, userCode :Text, item :Text, postCode :Text)
      -> (result :OrderResult);
  # The front-end validates, stamps the time, puts on the menu price and looks up the area.
  # Repeating a call with the same orderId never places a second order.

  validatePostcode @4 (postCode :Text) -> (result :PostcodeCheck);
  status @5 () -> (status :ClusterStatus);

  setHeartbeat @6 (ms :UInt32) -> ();
  # Changes the heartbeat period while running (10 ms .. 60 s).
}
