#!/usr/bin/env bash
# Records every public symbol of the packable projects in their PublicAPI.Unshipped.txt
# (the Public API analyzer's RS0016/RS0017 code fixes). Review the diff: it is the API change.
set -euo pipefail
cd "$(dirname "$0")/.."
for p in src/*/*.csproj; do
  dotnet format analyzers "$p" --diagnostics RS0016 RS0017 --severity warn
done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt' || true
# Keep the files sorted and free of duplicates (parallel branches merge them with a union driver).
for f in src/*/PublicAPI.*.txt; do
  { echo '#nullable enable'; { grep -v -e '^#nullable enable$' -e '^$' "$f" || true; } | LC_ALL=C sort -u; } > "$f.tmp" && mv "$f.tmp" "$f"
done
