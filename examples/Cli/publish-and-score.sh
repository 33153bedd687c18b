#!/usr/bin/env bash
# Publishes the CLI as one Native AOT binary (failing on any trim/AOT warning) into artifacts/cli/<rid>, where it
# stays, then scores files with it against the emulator it starts in process. Prints the binary's size and its time to
# first score. To use it elsewhere, copy the binary together with the 'azurite' folder beside it ('jobs run --emulator'
# starts Azurite from there).
#
#   examples/Cli/publish-and-score.sh [rows]        (default 20000 rows for the bulk run)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rows="${1:-20000}"
rid="$(dotnet --info | sed -n 's/^ *RID: *//p' | head -n1)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
bin="$repo/artifacts/cli/$rid"

echo "Publishing examples/Cli for $rid (Native AOT)..."
log="$out/publish.log"
if ! dotnet publish "$here/Cli.csproj" -c Release -r "$rid" -o "$bin" >"$log" 2>&1; then
  cat "$log"; exit 1
fi
# Restore's NU1603 (a dependency version resolved to the next one) is expected here; anything else is a failure.
if grep -E 'warning (IL|AOT|CS|CA|NETSDK)[0-9]+' "$log" | grep -v NU1603; then
  echo "Trim/AOT or build warnings above: the binary is not warning-free." >&2; exit 1
fi
binary="$bin/azureml"
size=$(stat -c %s "$binary")
echo "Binary: $binary, $((size / 1024 / 1024)) MB ($size bytes), no trim/AOT warnings (copy it with $bin/azurite beside it)."

# Input files: one row, and $rows rows drawn from the quickstart's book reviews.
reviews="$repo/examples/Quickstart/data/book-reviews.csv"
printf 'Col2\nThis is a good day\n' > "$out/one.csv"
{ echo Col2; tail -n +2 "$reviews" | awk -v n="$rows" '{ a[NR] = $0 } END { for (i = 0; i < n; i++) print a[i % NR + 1] }'; } > "$out/many.csv"

# Time to first score: process start, emulator start, one scoring call, output written, exit.
start=$(date +%s%N)
"$binary" score "$out/one.csv" "$out/one.scored.csv" --emulator 2>/dev/null
end=$(date +%s%N)
echo "Time to first score (start, emulator, one row, exit): $(( (end - start) / 1000000 )) ms"
echo "  -> $(tail -n 1 "$out/one.scored.csv")"

echo "Scoring $rows rows in bulk:"
"$binary" score "$out/many.csv" "$out/many.scored.csv" --emulator
test "$(wc -l < "$out/many.scored.csv")" -eq $((rows + 1))

# A batch job too, on Azurite (installed on first use under tools/azurite).
echo "Batch job over the reviews:"
AZUREML_AZURITE_DIR="$repo/tools/azurite" "$binary" jobs run "$reviews" --output "$out/job.scored.csv" --emulator 2>/dev/null
echo "OK"
