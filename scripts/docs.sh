#!/usr/bin/env bash
# Builds the DocC documentation of every library product with warnings as errors, so a broken
# link, an ambiguous reference or a half-documented parameter fails `make docs` (and CI).
# Archives go to .build/docs/<Target>.doccarchive, docc's log to .build/docs/<Target>.log.
#
# Coverage: every public symbol written in Sources/ must carry its own `///` summary, or the
# run fails listing module, full name, kind and file:line. The check reads the symbol graph
# docc was given (the plugin extracts it at public level; `package` symbols are not in it):
#   - a symbol counts when its declaration lies under Sources/<Target>/. The compiler's members
#     (Codable's synthesised `init(from:)`, `hash(into:)`) have no location and do not count,
#     nor do the defaults another module provides (the standard library's `!=`, Hummingbird's
#     RequestContext members, LedgerCore's `BlockStore.append(contentsOf:)` on a
#     PostgresBlockStore): that module's own run checks them;
#   - it is documented when its doc comment is our module's own (a witness such as
#     `description` with no `///` inherits "A textual representation of this instance." from
#     the standard library; that is the protocol's summary, not ours) and begins with a summary
#     paragraph (not a `- Parameter` list), which is what docc calls an abstract.
# docc's own documentation-coverage.json is not used for this: its page paths disambiguate
# operators by hash (`TokenID/_(_:_:)-458ma` for `<`), so they cannot be joined back to the
# declarations reliably, and it has no file:line.
#
#   scripts/docs.sh [Target ...]     (default: every library product)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v jq >/dev/null || { echo "docs: jq is required (scripts/setup.sh installs it)" >&2; exit 1; }
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(LedgerCore HECore MarketKit ModelMarketKit DatatrustKit ONNXKit ModelHostKit ChainNode LedgerPostgres DatatrustPostgres DataMarketTesting)
fi
root=$(pwd -P)
out=.build/docs
mkdir -p "$out"
failed=()
for target in "${targets[@]}"; do
  echo "docs: $target" >&2
  archive="$out/$target.doccarchive"
  log="$out/$target.log"
  if ! swift package --allow-writing-to-directory "$out" generate-documentation \
    --target "$target" --verbose --warnings-as-errors --output-path "$archive" \
    > "$log" 2>&1; then
    grep -E "(warning|error):" "$log" >&2 || tail -20 "$log" >&2
    failed+=("$target")
    continue
  fi
  # The folder of symbol graphs the plugin extracted and handed to docc (named in its verbose log).
  graphs=$(sed -n "s/^.*symbol graph directory path: '\(.*\)'$/\1/p" "$log" | tail -1)
  if [ -z "$graphs" ] || ! ls "$graphs"/*.symbols.json >/dev/null 2>&1; then
    echo "docs: $target: no symbol graphs found (see $log)" >&2
    failed+=("$target")
    continue
  fi
  undocumented=$(jq -r --arg mod "$target" --arg sources "file://$root/Sources/$target/" '
      .symbols[]
      | select(.location != null and (.location.uri | startswith($sources)))
      | select(.kind.identifier != "swift.extension")
      | select(.accessLevel == "public" or .accessLevel == "open")
      | ([.docComment.lines[]?.text] | map(select(test("\\S"))) | first // "") as $first
      | select(.docComment == null or .docComment["module"] != $mod or ($first | test("^\\s*- ")))
      | "\(.location.uri | ltrimstr("file://\($root)/"))"
        + ":\(.location.position.line + 1): \($mod).\(.pathComponents | join(".")) (\(.kind.displayName))"
      ' --arg root "$root" "$graphs"/*.symbols.json | sort -u)
  if [ -n "$undocumented" ]; then
    echo "docs: $target: public symbols without their own /// summary:" >&2
    printf '%s\n' "$undocumented" | sed 's/^/  /' >&2
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "docs: warnings, errors or undocumented public symbols in ${failed[*]} (see above)" >&2
  exit 1
fi
echo "docs: ${#targets[@]} catalogues built without warnings, every public symbol summarised" >&2
