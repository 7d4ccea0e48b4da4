#!/usr/bin/env bash
# Builds the DocC documentation of every library product with warnings as errors, so a broken
# link, an ambiguous reference or a half-documented parameter fails `make docs` (and CI).
# Archives go to .build/docs/<Target>.doccarchive, each with docc's coverage table printed
# (its counts include the standard library's inherited members such as `!=`, so a summary
# missing on one of our own public symbols is still caught by scripts/undocumented-public.py).
#
#   scripts/docs.sh [Target ...]     (default: every library product)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(LedgerCore HECore MarketKit ModelMarketKit DatatrustKit ONNXKit ModelHostKit ChainNode LedgerPostgres DatatrustPostgres DataMarketTesting)
fi
out=.build/docs
mkdir -p "$out"
failed=()
for target in "${targets[@]}"; do
  echo "docs: $target" >&2
  if ! swift package --allow-writing-to-directory "$out" generate-documentation \
    --target "$target" --warnings-as-errors --output-path "$out/$target.doccarchive" \
    --experimental-documentation-coverage --coverage-summary-level brief; then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "docs: warnings or errors in ${failed[*]} (see above)" >&2
  exit 1
fi
echo "docs: ${#targets[@]} catalogues built without warnings" >&2
