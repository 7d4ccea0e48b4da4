#!/usr/bin/env bash
# Installs the C libraries DataMarket links against, only when they are missing.
# Debian/Ubuntu; needs root (or sudo) the first time. iproute2 (`ip`) is for scripts/multihost.sh,
# jq for scripts/docs.sh (it reads the symbol graphs to find public symbols without a summary).
set -euo pipefail
need=()
for pkg in libsodium-dev libsecp256k1-dev libgmp-dev pkg-config iproute2 jq; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: the Swift 6 toolchain is required (swift not on PATH)" >&2; exit 1; }
