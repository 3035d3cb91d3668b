#!/usr/bin/env bash
# Writes seed inputs made from real files (the menus, the cluster file, recorded postcodes.io
# replies, orders.csv files as replicas write them) into OUT/<target>/. Used once to start the
# committed corpora and again whenever a format changes; run-fuzzers.sh --minimise then folds
# them into tests/fuzz/corpus/ keeping only what adds coverage.
# Usage: tests/fuzz/seed-corpora.sh OUT   (needs jq; postcodes fixtures from ../shared/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=${1:?usage: seed-corpora.sh OUT}
fixtures=${JH_POSTCODES_FIXTURES:-../shared/postcodes-fixtures}
[[ -d $fixtures ]] || fixtures=/work/shared/postcodes-fixtures
mkdir -p "$out"/{order-csv,order-file,menu,cluster-config,postcode-reply,csv-roundtrip,http-request}

# orders.csv as replicas write it: header only, orders of two origins (quoted fields, UTF-8),
# a torn final record, and an unclosed quote before a complete record (damage).
header=$'order_id,user_code,item,price,time_stamp,post_code,area,status,origin,seq\r\n'
row1=$'86c703d5-e2f8-4561-a3c5-e43dae4d3ff1,ann,HAMBURGER,7.85,2026-11-21T22:46:55.031Z,AB10 1AB,Aberdeen City,CONFIRMED,replica.server1,1\r\n'
row2=$'f5d154e4-b141-4f71-834d-62e591eb32d5,"ann,""o\'hara""","Two\r\nline dish",11.85,2026-11-21T22:46:56.002Z,SE1 2DL,Southwark,CONFIRMED,replica.server1,2\r\n'
row3=$'order-7,b\xc3\xa9a,CR\xc3\x88ME BR\xc3\x9bL\xc3\x89E,0.5,2026-11-21T22:47:01.120Z,M1 1AD,unverified,CONFIRMED,replica.server2,1\r\n'
for t in order-csv order-file; do
  printf '%s' "$header" >"$out/$t/header-only.csv"
  printf '%s' "$header$row1$row2$row3" >"$out/$t/two-origins.csv"
  printf '%s' "$header$row1${row2:0:60}" >"$out/$t/torn-tail.csv"
  printf '%s' "$header"$'order-6,"ann\r\n'"$row3" >"$out/$t/unclosed-quote.csv"
done

# Menus: the shipped ones, and one with quoting, a blank line and no final line break.
cp resources/replica-server-1/menu.csv "$out/menu/shipped.csv"
printf 'item,price\r\n"FISH, CHIPS",6.5\r\n\r\n"THE ""BIG"" ONE",12\r\nCR\xc3\x88ME BR\xc3\x9bL\xc3\x89E,0.05' \
  >"$out/menu/quoted.csv"

# Cluster files: the shipped one, and one with every optional key.
cp resources/cluster.json "$out/cluster-config/shipped.json"
cat >"$out/cluster-config/every-key.json" <<'JSON'
{ "frontends": [ { "name": "fe", "address": "[::1]:9000" } ],
  "replicas": [ { "name": "r1", "address": "127.0.0.1:9001", "dir": "d1" },
                { "name": "r2", "address": "localhost:9002", "dir": "/abs/d2" } ],
  "postcodes": { "urls": ["http://127.0.0.1:8080/", "https://api.postcodes.io"], "timeout_ms": 500,
                 "when_unreachable": "reject", "cache_found_s": 60, "cache_not_found_s": 10,
                 "cache_max": 1000, "breaker_ms": 100 },
  "heartbeat_ms": 100, "call_timeout_ms": 300, "min_acks": 1, "sync_timeout_ms": 0,
  "secret_file": "secret.txt" }
JSON

# postcodes.io replies: "STATUS POSTCODE\n" then the body, byte for byte as recorded.
n=0
while IFS= read -r line; do
  pc=$(jq -r .postcode <<<"$line")
  status=$(jq -r .status <<<"$line")
  body=${line#*,\"body\":}
  printf '%s %s\n%s' "$status" "$pc" "${body%\}}" >"$out/postcode-reply/sample-$n"
  n=$((n + 1))
done <"$fixtures/postcodes-sample.jsonl"
n=0
while IFS= read -r line; do
  # The postcode asked for, normalised as the front-end would: upper case, one space before the
  # inward code.
  pc=$(jq -r .path <<<"$line")
  pc=${pc#/postcodes/}; pc=${pc%%\?*}; pc=${pc%%/*}
  pc=${pc//%20/}; pc=${pc//%09/}; pc=${pc//%C2%A0/}; pc=${pc//+/}; pc=${pc^^}
  ((${#pc} < 5)) || pc="${pc:0:${#pc}-3} ${pc: -3}"
  jq -j '"\(.status) '"${pc:-AB10 1AB}"'\n\(.body)"' <<<"$line" >"$out/postcode-reply/edge-$n"
  n=$((n + 1))
done <"$fixtures/edge-cases.jsonl"

# CSV round trip: any bytes make records; real CSV text is as good a start as any.
cp "$out/order-csv/two-origins.csv" "$out/menu/quoted.csv" "$out/csv-roundtrip/"
# HTTP requests as the door sees them: "METHOD TARGET", a few headers, an empty line, the body.
h=$out/http-request
printf 'GET /\nHost: 127.0.0.1:8080\n\n' >"$h/page"
printf 'GET /api/orders?user=ann%%20o%%27hara&limit=20&cursor=c%%2B1\nHost: 127.0.0.1:8080\n\n' >"$h/orders"
printf 'GET /api/postcodes/ab10%%201ab\n\n' >"$h/postcode"
printf 'GET /api/events?after=12\n\n' >"$h/events"
printf 'POST /api/orders\nHost: 127.0.0.1:8080\nOrigin: http://127.0.0.1:8080\nContent-Type: application/json; charset=utf-8\nIdempotency-Key: 6f1c2a8e-0c4b-4b0e-9d7c-1f2e3d4c5b6a\nContent-Length: 60\n\n{"user_code":"ann","item":"HAMBURGER","post_code":"AB10 1AB"}' >"$h/order"
printf 'POST /api/orders\nHost: 127.0.0.1:8080\nContent-Type: application/json\nIdempotency-Key: k\n\n{"user_code":"a\\u00e9\\u0000","item":["x"],"post_code":null,"price":"0.01"}' >"$h/order-bad-types"
printf 'POST /api/orders\nHost: 127.0.0.1:8080\nOrigin: http://evil.example\nContent-Type: text/plain\n\n{' >"$h/order-cross-site"
printf 'DELETE /api/orders\n\n' >"$h/delete"

echo "seed-corpora: wrote $(find "$out" -type f | wc -l) seeds under $out"
