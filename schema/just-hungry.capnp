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
  status @7 :Text;       # "CONFIRMED" as stored; reads show "PENDING" until min_acks backups hold it
  origin @8 :Text;       # the replica that accepted the order from the front-end
  seq @9 :UInt64;        # that incarnation's own counter: 1, 2, 3… without gaps
  incarnation @10 :UInt64;
  # The origin's process start that stored it (DESIGN.md §4): (origin, incarnation, seq) names one
  # row for ever. 0 for rows written before incarnations.
  conflict @11 :Bool;
  # In reads only: an earlier, different order was acknowledged under the same (user_code,
  # order_id) on the other side of a failover. Both are listed; this one is the later.
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
  notReady @7;           # a replica serves no client calls now (syncing, not promoted, stopping,
                         # or its disk failing): the front-end moves on to the next
  tooManyOrders @8;      # no longer sent: lists are paged
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
    orders @0 :List(Order);
    # One page of the user's orders, newest first: one per (user_code, order_id), except that a
    # conflicting later order is listed too (marked `conflict`).
    rejected @1 :Rejection;
  }
  nextCursor @2 :Text;  # "" on the last page; else what to pass for the next (older) page
}

struct VersionEntry {
  # What a replica holds of one origin: for each of its incarnations (ascending), every row with
  # seq 1..seqs[i]. An old incarnation never grows again; the origin's name is sent once.
  origin @0 :Text;
  incarnations @1 :List(UInt64);
  seqs @2 :List(UInt64);
  digests @3 :List(UInt64);  # in health replies only: a digest of those rows, per incarnation
}

enum ReplicaState {
  syncing @0;   # catching up after start; serves no client work
  ready @1;
  degraded @2;  # cannot write orders.csv (disk full, I/O error): serves no client calls until a
                # front-end promotes it again, and checks the disk every second until it can write
  stopping @3;  # asked to stop (SIGTERM): finishing what it took, taking nothing new
}

struct Health {
  name @0 :Text;
  state @1 :ReplicaState;
  vector @2 :List(VersionEntry);  # with digests
  rowCount @3 :UInt64;          # rows held, every copy counted
  contentDigest @4 :Text;       # hex digest of menu.csv and motd.txt as loaded
  pid @5 :UInt32;
  startedAtMs @6 :Int64;        # wall clock, ms since the epoch
  peers @7 :List(PeerProgress); # what this replica knows of its peers' vectors
  orderCount @8 :UInt64;        # orders as users see them: one per (user_code, order_id)
  incarnation @9 :UInt64;       # this process's own (DESIGN.md §4)
  promoted @10 :Bool;           # a front-end promoted it: it serves client calls
  holdsHistory @11 :Bool;
  # False while it started without its orders.csv and has not yet synced with every peer: it
  # cannot vouch for the orders its earlier life held.
  fetched @12 :UInt64;          # rows pulled from peers since it started (catch-up, promotions)
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

  getOrders @2 (userCode :Text, limit :UInt32, cursor :Text, minAcks :UInt32) -> (result :OrdersResult);
  # One page (at most `limit`, 0 for the default) of the user's orders older than `cursor` ("" for
  # the newest), from the in-memory index: the cost grows with the page, not the file. An order
  # that fewer than `minAcks` backups hold reads as PENDING. Refuses with notReady unless promoted.

  placeOrder @3 (order :Order, minAcks :UInt32) -> (result :OrderResult);
  # Stores the order (origin, incarnation and seq are assigned here, whatever the caller put) and
  # replies only once it is durable here and on `minAcks` backups. A repeat of (userCode, orderId)
  # returns the stored copy, or conflictingOrderId when item or post code differ. Refuses with
  # notReady unless promoted. Throws OVERLOADED-type errors only for transport reasons; a failure to reach
  # minAcks backups in time is rejected as `unavailable` and the order is not acknowledged
  # (it is stored, and will reach every replica in time).

  health @4 () -> (health :Health);

  replicate @5 (sender :Text, orders :List(Order)) -> (vector :List(VersionEntry));
  # Push from the replica named `sender`: rows in seq order per origin incarnation. Each is
  # applied only when its seq is exactly one past what is held for its origin incarnation; lower
  # ones are skipped, and a gap stops the batch.
  # Replies after what was applied is durable, with the receiver's vector, so the sender knows
  # where to resume.

  pull @6 (vector :List(VersionEntry), limit :UInt32, sender :Text)
      -> (orders :List(Order), more :Bool, holdsHistory :Bool, held :List(VersionEntry));
  # Catch-up: up to `limit` rows the caller lacks, judged by the caller's vector, in seq order per
  # origin incarnation. `more` says whether there are more to fetch; `holdsHistory` whether this
  # replica can vouch for every row its earlier lives held (see Health); `held` its vector.
  # `sender` names the calling replica. A call from a replica (either method) tells this one that
  # it is back: a push to it that was backing off is tried again at once.

  placeOrders @7 (orders :List(Order), minAcks :UInt32) -> (results :List(OrderResult));
  # placeOrder for several orders in one call (the front-end gathers concurrent orders):
  # results[i] answers orders[i]. The new ones among them share one write to disk.

  promote @8 (frontend :Text, minAcks :UInt32, skip :List(Text)) -> (result :PromoteResult);
  # A front-end makes this replica its primary (DESIGN.md §4 "Promotion"): it pulls from its peers
  # and answers once it has synced with enough of them to hold every order acknowledged with
  # `minAcks`, serving client calls from then on. Peers named in `skip` (the front-end saw them
  # down) are pulled from in the background but not waited for.
}

struct PromoteResult {
  union {
    promoted :group {
      syncedWith @0 :List(Text);  # the peers it synced with for this promotion
      fetched @1 :UInt64;         # rows it pulled from them
    }
    refused @2 :Rejection;        # notReady, or unavailable: too few peers answered
  }
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
  state @2 :Text;          # "READY", "SYNCING", "PROMOTING", "DEGRADED" or "DOWN"
  role @3 :Text;           # "primary", "backup" or "down"
  lastSeenMsAgo @4 :Int64; # -1 when never seen
  lag @5 :UInt64;          # rows the replica lacks compared with the primary
  orderCount @6 :UInt64;   # orders as users see them
  contentDiffers @7 :Bool; # its menu or motd differs from the primary's
  rowCount @8 :UInt64;     # rows held, every copy counted
  diverged @9 :Bool;       # holds rows that another replica holds differently under the same name
  fetched @10 :UInt64;     # rows pulled from peers since it started
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
  ordersPlaced @8 :UInt64;  # orders acknowledged through this front-end since it started
  ordersFailed @9 :UInt64;  # orders answered UNAVAILABLE
  lastEvent @10 :UInt64;    # the id of the newest event (see FrontEnd.events)
}

enum EventKind {
  replicaDown @0;       # a replica stopped answering
  replicaUp @1;         # a replica answers again (READY, SYNCING or DEGRADED)
  replicaReady @2;      # a replica finished catching up
  promoting @3;         # the front-end asked a replica to become its primary
  promoted @4;          # it synced with its peers (count: rows fetched) and serves
  promotionFailed @5;   # it could not (too few peers answered, or it is not ready)
  handOver @6;          # a planned change of primary to a returning, higher-priority replica
  noPrimary @7;         # no replica can serve: orders are refused as unavailable
  diverged @8;          # two replicas hold different rows under the same name
  started @9;           # the front-end started
}

struct ClusterEvent {
  # One thing the cluster did, as this front-end saw it: the feed behind the failover
  # demonstration's timeline and the web page's live view.
  id @0 :UInt64;        # 1, 2, 3… within this front-end's run
  atMs @1 :Int64;       # wall clock, ms since the epoch
  kind @2 :EventKind;
  replica @3 :Text;     # the replica concerned, if any
  count @4 :UInt64;     # rows fetched, orders caught up, where it applies
  message @5 :Text;     # one sentence for a person
}

interface FrontEnd {
  # The only door for clients. Never throws for expected outcomes; a result union says why.

  getMotd @0 () -> (motd :Text, rejected :Rejection, ok :Bool);
  getMenu @1 () -> (items :List(MenuItem), rejected :Rejection, ok :Bool);
  getOrders @2 (userCode :Text, limit :UInt32, cursor :Text) -> (result :OrdersResult);
  # One page of the user's orders, newest first (see Replica.getOrders).

  placeOrder @3 (orderId :Text, userCode :Text, item :Text, postCode :Text)
      -> (result :OrderResult);
  # The front-end validates, stamps the time, puts on the menu price and looks up the area.
  # Repeating a call with the same orderId never places a second order.

  validatePostcode @4 (postCode :Text) -> (result :PostcodeCheck);
  status @5 () -> (status :ClusterStatus);

  setHeartbeat @6 (ms :UInt32) -> ();
  # Changes the heartbeat period while running (10 ms .. 60 s).

  events @7 (after :UInt64) -> (events :List(ClusterEvent));
  # The events with ids above `after` that this front-end still keeps (the newest few hundred),
  # oldest first.
}
