#!/usr/bin/env bash
# A short tour of dmctl on a fresh, temporary state folder. Usage: scripts/tour.sh [DMCTL_BINARY]
# Every command here is also run by the test suite, so this file stays true.
set -euo pipefail
DMCTL=${1:-.build/release/dmctl}
export DMCTL_HOME=$(mktemp -d)
export DMCTL_PASSPHRASE="tour passphrase"
trap 'rm -rf "$DMCTL_HOME"' EXIT
step() { printf '\n\033[1m$ dmctl %s\033[0m\n' "$*"; "$DMCTL" "$@"; }

step key new --name alice
echo 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80 > "$DMCTL_HOME/dev.key"
printf '\n\033[1m$ dmctl key import --name dev < dev.key\033[0m\n'; "$DMCTL" key import --name dev < "$DMCTL_HOME/dev.key"
step key list
printf 'a datapoint\n' > "$DMCTL_HOME/datapoint.txt"
step hash keccak "$DMCTL_HOME/datapoint.txt"
SIG=$("$DMCTL" sign --key dev --message "hello DataMarket")
echo; echo "signature: $SIG"
step verify --address 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --message "hello DataMarket" --signature "$SIG"
step key new --name bob
step chain init --key alice
step token transfer --key alice --to bob --token DMT --amount 250.5
step token balance --account bob --token DMT
step nft mint --key bob --class data --content-file "$DMCTL_HOME/datapoint.txt" --meta name=first-datapoint
step stream open --key alice --to bob --token DMT --amount 100 --start +1m --end +61m
step chain warp 30m
step stream claim --key bob 1
step token balance --account bob --token DMT
step chain events --kind StreamClaim
step chain verify
step chain info
echo; echo "tour finished: state folder $DMCTL_HOME is removed on exit"
