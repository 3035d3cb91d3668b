/* A model of DESIGN.md §4-§5 (promotion, incarnations, acknowledgement) for spin: three replicas,
 * one front-end, one client, faults within a budget. README.md beside it says what is abstracted
 * away and what each switch does; check-model.sh runs it.
 *
 * Invariants, as assertions:
 *   read   a replica that serves as primary holds every acknowledged order (with K = 0, except
 *          the orders that no up replica held on disk when it became primary: §4's exception);
 *   name   no two rows share a name (origin, incarnation, seq).
 * Switches that remove a rule (NO_PROMOTION, NO_INCARNATIONS, VOUCH_AS_WRITTEN, VOUCH_IN_MEMORY,
 * PROMOTE_BEFORE_OWN_SYNC, NO_NAME_CHECK) and the bounds below are described in README.md. */

#define N 3
#ifndef K
#define K 1                  /* min_acks */
#endif
#ifndef ORDERS
#define ORDERS 2             /* orders the client places, one after the other (at most 8) */
#endif
#ifndef FAULTS
#define FAULTS 3             /* freezes, kills and disk losses in all (resume and restart are free) */
#endif
#ifndef DISK_LOSSES
#define DISK_LOSSES 1        /* how many of those faults may also delete the replica's orders.csv */
#endif
#ifndef FREEZE_MASK
#define FREEZE_MASK 7        /* bit i: replica i+1 may be frozen (to confine a run to one schedule) */
#endif
#ifndef KILL_MASK
#define KILL_MASK 7          /* bit i: replica i+1 may be killed */
#endif
#ifndef READ_MASK
#define READ_MASK 7          /* bit i: reads served by replica i+1 are checked */
#endif
#ifndef ROWS
#define ROWS 4               /* rows ever written: first attempts, and retries on another primary */
#endif
#define NONE 255

#if ROWS > 6
#error "the propagation branches below are written out for 6 rows at most"
#endif

#define UP 0
#define FROZEN 1              /* SIGSTOP: holds its state, answers nothing, does nothing */
#define DOWN 2                /* killed: its memory is gone; orders.csv stays unless the disk was lost */

byte status[N];
byte inc[N];                  /* incarnation of the running or last process: each start takes the
                                 next, kept where a disk loss does not reach */
byte held[N];                 /* bit r: the replica holds row r (on disk, unless in unsynced[]) */
byte unsynced[N];             /* bit r: row r was written here and is not fdatasync'ed yet: a kill
                                 loses it; pushes may carry it (§4), vectors and pulls do not */
byte heldOrders[N];           /* bit o: it holds some row of order o (follows from held[]) */
bool vouches[N];              /* still holds every row it ever acknowledged: false from a start
                                 without orders.csv until a sync with N-K peers that vouch (a mark
                                 kept on disk, so that a further restart does not forget it) */
bool promoted[N];             /* the front-end made this process its primary (after promotion, with
                                 the rule) */
#if defined(VOUCH_AS_WRITTEN) || defined(VOUCH_IN_MEMORY)
bool startsEmpty[N];          /* its orders.csv was lost: the next start is without it */
#endif

/* Rows ever written, by every replica; row r is named (rowOrigin, rowInc, rowSeq). */
byte rowOrigin[ROWS];
byte rowInc[ROWS];
byte rowSeq[ROWS];
byte rowOrder[ROWS];
byte nrows;

byte prim = NONE;             /* the front-end's primary */
byte excused;                 /* K = 0: acknowledged orders that no up replica held on disk when
                                 prim became primary */

byte cur;                     /* the client's order in progress (ORDERS: all placed) */
byte curRow = NONE;           /* the row its call waits on for acks */
byte curAt = NONE;            /* the replica it was sent to */
byte acked;                   /* bit o: order o was acknowledged to the client */

byte faults;
byte diskLosses;
#ifdef WITNESS
byte firstAcker = NONE;       /* the replica that acknowledged order A */
#endif

/* Scratch for d_steps: not part of the state. */
hidden byte hi, hr, hq, hv, hcount, hneed;
hidden byte hok, hmore, hs;

#define bit(mask, b) (((mask) >> (b)) & 1)
#define LETTER(o) (65 + (o))          /* orders are A, B, C in what the replay prints */
#define NAME(r) rowOrigin[r] + 1, rowInc[r], rowSeq[r]

/* The replay's narration (spin -T -t): one line per step, each opening with "- ". */
inline printOrders(mask) {
  printf("{");
  hs = 0;
  do
  :: hs < ORDERS ->
     if
     :: bit(mask, hs) -> printf(" %c", LETTER(hs))
     :: else -> skip
     fi;
     hs++
  :: else -> break
  od;
  printf(" }")
}
#define durable(t) (held[t] & ~unsynced[t])   /* what t's store, vector and pull replies show */
#define serving(p) ((p) != NONE && status[p] == UP && promoted[p])

/* out := the vector entry of rows `rows` for origin o's incarnation n: the highest seq, every
 * lower one there too. */
inline vectorOf(rows, o, n, out) {
  out = 0;
  hr = 0;
  do
  :: hr < nrows ->
     if
     :: bit(rows, hr) && rowOrigin[hr] == o && rowInc[hr] == n -> out++
     :: else -> skip
     fi;
     hr++
  :: else -> break
  od
}

/* Replica t takes row r if it is the next of its origin incarnation (seq == held + 1); a row
 * whose name t already holds is skipped, whatever it holds under that name. */
inline offer(t, r) {
  vectorOf(held[t], rowOrigin[r], rowInc[r], hv);
  if
  :: hv + 1 == rowSeq[r] ->
     held[t] = held[t] | (1 << (r));
     heldOrders[t] = heldOrders[t] | (1 << rowOrder[r])
  :: hv >= rowSeq[r] ->
     printf("- replica %d skips order %c's row (%d,%d,%d): it holds another row by that name\n",
            t + 1, LETTER(rowOrder[r]), NAME(r))
  :: else -> skip
  fi
}

/* out := the orders that rows `rows` hold */
inline ordersOf(rows, out) {
  out = 0;
  hr = 0;
  do
  :: hr < nrows ->
     if
     :: bit(rows, hr) -> out = out | (1 << rowOrder[hr])
     :: else -> skip
     fi;
     hr++
  :: else -> break
  od
}

/* p pulls from q everything q holds durably that p can take, until nothing more comes. */
inline pullAll(p, q) {
  hmore = true;
  do
  :: hmore ->
     hmore = false;
     hq = 0;
     do
     :: hq < nrows ->
        if
        :: bit(durable(q), hq) && !bit(held[p], hq) ->
           offer(p, hq);
           if
           :: bit(held[p], hq) -> hmore = true
           :: else -> skip
           fi
        :: else -> skip
        fi;
        hq++
     :: else -> break
     od
  :: else -> break
  od
}

#ifdef VOUCH_AS_WRITTEN
#define VOUCHES(q) true
#else
#define VOUCHES(q) vouches[q]
#endif

/* p syncs with every peer that answers (the up ones); hcount := those that vouch, or all of them
 * under VOUCH_AS_WRITTEN (DESIGN.md's wording counts every peer that answers). */
inline syncWithPeers(p) {
  hcount = 0;
  if
  :: p != 0 && status[0] == UP -> pullAll(p, 0); if :: VOUCHES(0) -> hcount++ :: else -> skip fi
  :: else -> skip
  fi;
  if
  :: p != 1 && status[1] == UP -> pullAll(p, 1); if :: VOUCHES(1) -> hcount++ :: else -> skip fi
  :: else -> skip
  fi;
  if
  :: p != 2 && status[2] == UP -> pullAll(p, 2); if :: VOUCHES(2) -> hcount++ :: else -> skip fi
  :: else -> skip
  fi
}

/* A sync with N-K peers that vouch meets every acknowledged order's holders even without this
 * replica's own copy: it vouches again from then on. (K = 0: N-K > N-1, never.) */
inline regainVouching(p) {
  if
#ifndef VOUCH_AS_WRITTEN
  :: hcount >= N - K -> vouches[p] = true
#endif
  :: else -> skip
  fi
}

/* §4 promotion: sync with the peers, then serve only if enough of them vouch: N-K-1, or N-K when
 * p itself cannot vouch. K = 0 serves after syncing with those that answered. It also waits for
 * its own writes still on their way to disk: a pull skips its peers' copies of them (their seq is
 * taken), and reads show only what is on disk. hok := promoted. */
inline promote(p) {
#ifdef NO_PROMOTION
  hok = true;
  promoted[p] = true
#else
#ifndef PROMOTE_BEFORE_OWN_SYNC
  unsynced[p] = 0;
#endif
  syncWithPeers(p);
  regainVouching(p);
  hneed = (vouches[p] -> N - K - 1 : N - K);
  hok = (K == 0 || hcount >= hneed);
  promoted[p] = hok
#endif
}

/* K = 0's exception: the orders that no up replica held durably when p became primary. */
inline excuseAbsent() {
  if
  :: K == 0 ->
     hq = (status[0] == UP -> durable(0) : 0) | (status[1] == UP -> durable(1) : 0) |
          (status[2] == UP -> durable(2) : 0);
     ordersOf(hq, hv);
     excused = acked & ~hv
  :: else -> excused = 0
  fi
}

/* The front-end makes p its primary; a call still waiting on the old primary is given up
 * (its deadline: the client is told "unavailable, retrying is safe"). */
inline becomePrimary(p) {
  excuseAbsent();
  prim = p;
  curRow = NONE;
  curAt = NONE
}

/* ---- faults ---- */

/* A call on its way to a killed replica breaks: the front-end tells the client "unavailable,
 * retrying is safe". */
inline dropCall(i) {
  if
  :: curAt == i -> curRow = NONE; curAt = NONE
  :: else -> skip
  fi
}

#define FREEZABLE(i) bit(FREEZE_MASK, i)
#define KILLABLE(i) bit(KILL_MASK, i)

inline freeze(i) {
  d_step { FREEZABLE(i) && status[i] == UP && faults < FAULTS -> status[i] = FROZEN; faults++;
          printf("- replica %d is frozen (SIGSTOP)\n", i + 1) }
}

inline resume(i) {
  d_step { status[i] == FROZEN -> status[i] = UP; printf("- replica %d resumes (SIGCONT)\n", i + 1) }
}

inline kill(i) {
  d_step {
    KILLABLE(i) && status[i] != DOWN && faults < FAULTS ->
    status[i] = DOWN;
    promoted[i] = false;
    dropCall(i);
    if
    :: unsynced[i] == 0 -> printf("- replica %d is killed\n", i + 1)
    :: else -> printf("- replica %d is killed before its last write reached its disk: that row is lost here\n", i + 1)
    fi;
    held[i] = held[i] & ~unsynced[i];
    unsynced[i] = 0;
    ordersOf(held[i], heldOrders[i]);
    faults++
  }
}

inline killAndLoseDisk(i) {
  d_step {
    KILLABLE(i) && status[i] != DOWN && faults < FAULTS && diskLosses < DISK_LOSSES ->
    status[i] = DOWN;
    promoted[i] = false;
    dropCall(i);
    held[i] = 0;
    unsynced[i] = 0;
    heldOrders[i] = 0;
    vouches[i] = false;
#if defined(VOUCH_AS_WRITTEN) || defined(VOUCH_IN_MEMORY)
    startsEmpty[i] = true;
#endif
    faults++;
    diskLosses++;
    printf("- replica %d is killed and its orders.csv deleted\n", i + 1)
  }
}

/* Group commit: the rows written so far are durable. */
inline fsync(i) {
  d_step {
    status[i] == UP && unsynced[i] != 0 ->
    unsynced[i] = 0;
    printf("- replica %d's write reaches its disk\n", i + 1)
  }
}

/* A start: a new incarnation (NO_INCARNATIONS: the same one, 0, as before the rule), then
 * catch-up from the peers that answer, then READY. Under VOUCH_AS_WRITTEN or VOUCH_IN_MEMORY
 * only this start's own orders.csv counts: "it started without its orders.csv". */
inline restart(i) {
  d_step {
    status[i] == DOWN ->
    status[i] = UP;
#ifndef NO_INCARNATIONS
    inc[i]++;
#endif
#if defined(VOUCH_AS_WRITTEN) || defined(VOUCH_IN_MEMORY)
    vouches[i] = !startsEmpty[i];
    startsEmpty[i] = false;
#endif
    syncWithPeers(i);
    regainVouching(i);
    printf("- replica %d restarts as incarnation %d, catches up from the peers that answer, and holds orders ",
           i + 1, inc[i]);
    printOrders(heldOrders[i]);
    if
    :: vouches[i] -> printf("\n")
    :: else -> printf("; it cannot vouch for the orders acknowledged before\n")
    fi
  }
}

/* ---- background propagation: peer t takes row r from replica q ---- */

inline propagate(q, t, r) {
  d_step {
    r < nrows && status[q] == UP && status[t] == UP && bit(held[q], r) && !bit(held[t], r) ->
    offer(t, r);
    if
    :: bit(held[t], r) ->
       printf("- replica %d pushes order %c's row (%d,%d,%d) to replica %d\n", q + 1, LETTER(rowOrder[r]), NAME(r), t + 1)
    :: else -> skip
    fi
  }
}

#define PROPAGATE_ROWS(q, t) \
  :: propagate(q, t, 0) :: propagate(q, t, 1) :: propagate(q, t, 2) \
  :: propagate(q, t, 3) :: propagate(q, t, 4) :: propagate(q, t, 5)

/* ---- the front-end ---- */

/* The primary is gone (killed, frozen past the call deadline, or restarted and not promoted):
 * the first replica in priority order that is up and whose promotion succeeds; none: unavailable. */
inline failOver() {
  d_step {
    !serving(prim) ->
    hok = false;
    hi = 0;
    do
    :: hi < N && !hok ->
       if
       :: status[hi] == UP -> promote(hi)
       :: else -> skip
       fi;
       if
       :: !hok -> hi++
       :: else -> skip
       fi
    :: else -> break
    od;
    if
    :: hok ->
       becomePrimary(hi);
#ifdef NO_PROMOTION
       printf("- the front-end makes replica %d its primary, without promotion; it holds orders ", hi + 1);
#else
       printf("- the front-end promotes replica %d and makes it its primary; it holds orders ", hi + 1);
#endif
       printOrders(heldOrders[hi]);
       printf("\n")
    :: else ->
       becomePrimary(NONE);
       printf("- the front-end finds no replica it can promote: orders are refused as unavailable\n")
    fi
  }
}

/* A replica of higher priority than the primary is up: hand over to it, once no call is on its
 * way to the old primary (the router waits for those). Without promotion, the router's own
 * hand-over rule: once the newcomer holds all the old primary holds. */
inline switchBack(i) {
  d_step {
    serving(prim) && i < prim && status[i] == UP && curAt != prim ->
#ifdef NO_PROMOTION
    if
    :: (held[prim] & ~held[i]) == 0 ->
       becomePrimary(i);
       printf("- the front-end hands over to replica %d (it holds all the old primary holds)\n", i + 1)
    :: else -> skip
    fi
#else
    promote(i);
    if
    :: hok ->
       becomePrimary(i);
       printf("- the front-end promotes replica %d and hands over to it; it holds orders ", i + 1);
       printOrders(heldOrders[i]);
       printf("\n")
    :: else -> skip
    fi
#endif
  }
}

/* ---- the client's orders and reads ---- */

/* The primary writes order `cur` as a new row named (itself, its incarnation, next seq) — or,
 * holding a row of that order already (a retry), answers with that row once it has its acks. */
inline place() {
  d_step {
    cur < ORDERS && curRow == NONE && serving(prim) && (bit(heldOrders[prim], cur) || nrows < ROWS) ->
    if
    :: bit(heldOrders[prim], cur) ->
       hr = 0;
       do
       :: bit(held[prim], hr) && rowOrder[hr] == cur -> break
       :: else -> hr++
       od;
       curRow = hr;
       printf("- order %c is retried on replica %d, which holds it already as row (%d,%d,%d)\n",
              LETTER(cur), prim + 1, NAME(hr))
    :: else ->
       vectorOf(held[prim], prim, inc[prim], hv);
#ifndef NO_NAME_CHECK
       hr = 0;
       do
       :: hr < nrows ->
          assert(!(bit(held[0] | held[1] | held[2], hr) &&
                   rowOrigin[hr] == prim && rowInc[hr] == inc[prim] && rowSeq[hr] == hv + 1));  /* name */
          hr++
       :: else -> break
       od;
#endif
       rowOrigin[nrows] = prim;
       rowInc[nrows] = inc[prim];
       rowSeq[nrows] = hv + 1;
       rowOrder[nrows] = cur;
       held[prim] = held[prim] | (1 << nrows);
       unsynced[prim] = unsynced[prim] | (1 << nrows);
       heldOrders[prim] = heldOrders[prim] | (1 << cur);
       curRow = nrows;
       printf("- replica %d writes order %c as row (%d,%d,%d)\n", prim + 1, LETTER(cur), NAME(nrows));
       nrows++
    fi;
    curAt = prim
  }
}

/* The primary replies once K peers' vectors (as their replies reported them) cover the row's name. */
inline acknowledge() {
  d_step {
    curRow != NONE && curAt == prim && serving(prim) && !bit(unsynced[prim], curRow) ->
    hcount = 0;
    hq = 0;
    do
    :: hq < N ->
       if
       :: hq != prim ->
          vectorOf(durable(hq), rowOrigin[curRow], rowInc[curRow], hv);
          if
          :: hv >= rowSeq[curRow] -> hcount++
          :: else -> skip
          fi
       :: else -> skip
       fi;
       hq++
    :: else -> break
    od;
    if
    :: hcount >= K ->
       acked = acked | (1 << cur);
#ifdef WITNESS
       firstAcker = (cur == 0 -> prim : firstAcker);
#endif
       printf("- replica %d acknowledges order %c: %d peer(s) hold a row named (%d,%d,%d)\n", prim + 1,
              LETTER(cur), hcount, NAME(curRow));
       cur++;
       curRow = NONE;
       curAt = NONE
    :: else -> skip
    fi
  }
}

/* The user lists their orders: the primary answers from what its store holds (on disk). */
inline read() {
  d_step {
    serving(prim) && bit(READ_MASK, prim) ->
    ordersOf(durable(prim), hv);
    printf("- the user lists their orders on replica %d: ", prim + 1);
    printOrders(hv);
    printf(", acknowledged ");
    printOrders(acked);
    if
    :: excused != 0 -> printf(" (min_acks 0, every holder away: "); printOrders(excused); printf(")")
    :: else -> skip
    fi;
    printf("\n");
    assert((acked & ~excused & ~hv) == 0);  /* read */
#ifdef WITNESS
    /* Fails once every order is acknowledged and read on a replica other than the one that
     * acknowledged order A, none excused: the check above is not vacuous (check-model.sh requires
     * this to fail). */
    assert(!(acked == (1 << ORDERS) - 1 && excused == 0 && prim != firstAcker))
#else
    skip
#endif
  }
}

init {
  d_step {
    hr = 0;
    do
    :: hr < N ->
       status[hr] = UP;
#ifndef NO_INCARNATIONS
       inc[hr] = 1;
#endif
       vouches[hr] = true;
       hr++
    :: else -> break
    od
  };
end:
  do
  :: freeze(0) :: freeze(1) :: freeze(2)
  :: resume(0) :: resume(1) :: resume(2)
  :: kill(0) :: kill(1) :: kill(2)
  :: killAndLoseDisk(0) :: killAndLoseDisk(1) :: killAndLoseDisk(2)
  :: restart(0) :: restart(1) :: restart(2)
  :: fsync(0) :: fsync(1) :: fsync(2)
  PROPAGATE_ROWS(0, 1) PROPAGATE_ROWS(0, 2)
  PROPAGATE_ROWS(1, 0) PROPAGATE_ROWS(1, 2)
  PROPAGATE_ROWS(2, 0) PROPAGATE_ROWS(2, 1)
  :: failOver()
  :: switchBack(0) :: switchBack(1)
  :: place()
  :: acknowledge()
  :: read()
  od
}
