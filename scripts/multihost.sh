#!/usr/bin/env bash
# A market across three hosts on one machine: a node, a verifying follower of it and a datatrust
# that follows the follower, each in its own network namespace, joined by veth pairs:
#
#   node 10.213.1.1 ──── 10.213.1.2 follower 10.213.2.1 ──── 10.213.2.2 datatrust
#
# The node and the datatrust cannot reach each other: everything the datatrust reads and
# submits goes through the follower. The parties run `dmctl --node http://10.213.1.2:8546`
# inside the follower's namespace; the buyer queries from the datatrust's.
#
# Usage: scripts/multihost.sh [path/to/dmctl]   (default .build/debug/dmctl; needs root and `ip`)
# Without the privileges to create namespaces it says why and exits 0 (skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$(realpath "${1:-.build/debug/dmctl}")"
[ -x "$BIN" ] || { echo "multihost: $BIN is not an executable dmctl; build it first (swift build)" >&2; exit 1; }
command -v ip >/dev/null || { echo "multihost: skipped: the ip command (iproute2) is missing" >&2; exit 0; }
[ "$(id -u)" = 0 ] || { echo "multihost: skipped: creating network namespaces needs root" >&2; exit 0; }

TAG="dm$$"
NODE="${TAG}n" FOLLOWER="${TAG}f" DT="${TAG}d"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "$NODE" "$FOLLOWER" "$DT"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! ip netns add "$NODE" 2>"$WORK/netns.err"; then
  echo "multihost: skipped: cannot create a network namespace: $(cat "$WORK/netns.err")" >&2
  exit 0
fi
ip netns add "$FOLLOWER"
ip netns add "$DT"
# Two cables: node–follower and follower–datatrust.
ip link add "${TAG}a" type veth peer name "${TAG}b"
ip link set "${TAG}a" netns "$NODE"
ip link set "${TAG}b" netns "$FOLLOWER"
ip link add "${TAG}c" type veth peer name "${TAG}e"
ip link set "${TAG}c" netns "$FOLLOWER"
ip link set "${TAG}e" netns "$DT"
ip -n "$NODE" addr add 10.213.1.1/24 dev "${TAG}a"
ip -n "$FOLLOWER" addr add 10.213.1.2/24 dev "${TAG}b"
ip -n "$FOLLOWER" addr add 10.213.2.1/24 dev "${TAG}c"
ip -n "$DT" addr add 10.213.2.2/24 dev "${TAG}e"
for pair in "$NODE ${TAG}a" "$FOLLOWER ${TAG}b" "$FOLLOWER ${TAG}c" "$DT ${TAG}e"; do
  set -- $pair
  ip -n "$1" link set "$2" up
  ip -n "$1" link set lo up
done

export DMCTL_PASSPHRASE="multihost passphrase"
LEADER_HOME="$WORK/node" FOLLOWER_HOME="$WORK/follower"
on() { local ns="$1"; shift; ip netns exec "$ns" "$BIN" "$@" --home "$LEADER_HOME"; }
party() { on "$FOLLOWER" "$@" --node http://10.213.1.2:8546 >/dev/null; }
wait_for() {  # wait_for FILE TEXT: until FILE contains TEXT (30 s)
  for _ in $(seq 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "multihost: timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}
head_of() { ip netns exec "$1" curl -s "$2/head"; }
field() { sed -n "s/.*\"$1\" *: *\"\{0,1\}\([^,\"]*\).*/\1/p" | head -1; }

# Keys, chain and the leader (node host).
for k in alice dt bob buyer; do "$BIN" key new --name "$k" --home "$LEADER_HOME" >/dev/null; done
"$BIN" chain init --key alice --home "$LEADER_HOME" >/dev/null
ip netns exec "$NODE" "$BIN" node serve --host 10.213.1.1 --port 8545 --dev --block-interval 50 --home "$LEADER_HOME" \
  >"$WORK/node.out" 2>"$WORK/node.err" &
PIDS+=($!)
wait_for "$WORK/node.out" "listening on"
# The follower (follower host) replicates it, verifying every block.
ip netns exec "$FOLLOWER" "$BIN" node serve --host 0.0.0.0 --port 8546 --follow http://10.213.1.1:8545 --home "$FOLLOWER_HOME" \
  >"$WORK/follower.out" 2>"$WORK/follower.err" &
PIDS+=($!)
wait_for "$WORK/follower.out" "listening on"
echo "multihost: node on 10.213.1.1:8545, follower on 10.213.1.2:8546 / 10.213.2.1:8546"

# The market, played through the follower; chain time warped on the dev leader. The round:
# a backend, bob's listing, a paid query through the datatrust, then a challenge that removes it.
warp() { ip netns exec "$NODE" curl -sf -X POST -H 'Content-Type: application/json' -d "{\"seconds\": $1}" http://10.213.1.1:8545/chain/warp >/dev/null; }
for who in bob buyer; do party token transfer --token DMT --to "$who" --amount 1000 --key alice; done
party market create heart --network-token DMT --set voteBy=60 --set councilThreshold=0 --key alice
party market invest heart 10 --key alice
party market backend propose heart --url http://10.213.2.2:8080 --address "$("$BIN" key show dt --json --home "$LEADER_HOME" | field address)" --key alice
party market vote heart 1 yea --key alice
warp 61
party market resolve heart 1 --key alice

# The datatrust (datatrust host) follows the follower and submits through it.
mkdir -p "$LEADER_HOME/datatrust"
cat >"$LEADER_HOME/datatrust/config.json" <<'EOF'
{"name": "dt-multihost", "markets": [{"market": "heart", "allowRawSQL": true, "baseCost": "0", "costPerRow": "0",
  "schema": {"format": "csv", "columns": [{"name": "age", "type": "integer", "min": 0, "max": 120}]}}]}
EOF
ip netns exec "$DT" "$BIN" datatrust serve --host 10.213.2.2 --port 8080 --key dt --node http://10.213.2.1:8546 --home "$LEADER_HOME" \
  >"$WORK/dt.out" 2>"$WORK/dt.err" &
PIDS+=($!)
wait_for "$WORK/dt.err" " on http://"
echo "multihost: datatrust on 10.213.2.2:8080, following the follower"

printf 'age\n11\n12\n13\n' >"$WORK/bob.csv"
listing="$(on "$FOLLOWER" market apply heart --file "$WORK/bob.csv" --key bob --node http://10.213.1.2:8546 | sed -n 's/.*listing=\(0x[0-9a-f]\{64\}\).*/\1/p' | head -1)"
[ -n "$listing" ] || { echo "multihost: market apply printed no listing id" >&2; exit 1; }
on "$DT" datatrust add --url http://10.213.2.2:8080 --market heart "$WORK/bob.csv" --key bob >/dev/null
for _ in $(seq 300); do
  ip netns exec "$FOLLOWER" curl -s "http://10.213.1.2:8546/events?kind=Attested" | grep -q Attested && break
  sleep 0.1
done
party market vote heart 2 yea --key alice
warp 61
party market resolve heart 2 --key alice
party market pay heart --max-price 10 --backend "$("$BIN" key show dt --json --home "$LEADER_HOME" | field address)" --key buyer
rows="$(on "$DT" datatrust query --url http://10.213.2.2:8080 --market heart --job heart=1 --sql 'SELECT age FROM heart ORDER BY age' --json --key buyer)"
echo "$rows" | tr -d ' \n' | grep -q '"rows":\[\[11\],\[12\],\[13\]\]' || { echo "multihost: unexpected query answer: $rows" >&2; exit 1; }

# The council challenges bob's listing (poll 3); the vote removes it.
party market challenge heart "$listing" --key alice
party market vote heart 3 yea --key alice
warp 61
outcome="$(on "$FOLLOWER" market resolve heart 3 --key bob --node http://10.213.1.2:8546)"
echo "$outcome" | grep -q ChallengeSucceeded || { echo "multihost: the challenge did not succeed: $outcome" >&2; exit 1; }
if on "$FOLLOWER" market listings heart --json --node http://10.213.1.2:8546 | grep -q "$listing"; then
  echo "multihost: the challenged listing $listing is still listed" >&2; exit 1
fi
echo "multihost: challenge of bob's listing succeeded; it is removed"

# The same state on both chain hosts.
for _ in $(seq 300); do
  n="$(head_of "$NODE" http://10.213.1.1:8545 | field stateHash)"
  f="$(head_of "$FOLLOWER" http://10.213.1.2:8546 | field stateHash)"
  [ -n "$n" ] && [ "$n" = "$f" ] && break
  sleep 0.1
done
[ -n "$n" ] && [ "$n" = "$f" ] || { echo "multihost: the follower's state hash $f differs from the node's $n" >&2; exit 1; }
echo "multihost: node and follower at state hash $n"
echo "multihost: round finished"
