#!/usr/bin/env bash
# Coverage-guided fuzzing of every loader (tests/MlacRelease.Fuzz: safetensors, ONNX import, config.json, JSONL, CSV,
# battery and policy YAML, certificate, manifest, signatures, tokenizer files, split.json, shard manifests and results).
#
# Usage: release-checks/fuzz.sh [--seconds S | --execs N] [--out DIR] [--no-instrument] [HARNESS...]
#   --seconds S      time per harness (default 60)
#   --execs N        executions per harness instead of a time
#   --out DIR        where corpora, crashes/, hangs/ and the summary go (default: fuzz-out/ in the repository; kept
#                    between runs, so a second run starts from the corpus the first one grew)
#   --no-instrument  plain mutation of the seeds (no SharpFuzz instrumentation, no coverage feedback)
#   HARNESS...       default: all (mlac-fuzz list)
#
# The fuzz tool is built into its own folder ($OUT/build) and the toolkit's assemblies there are instrumented with
# SharpFuzz (the SharpFuzz.CommandLine dotnet tool, installed into $OUT/tools when missing); the in-process engine
# reads the edge map their trace calls write. Each harness prints: executions, unique crashes (any exception other
# than the loader's typed error), hangs (one input > 1 s), typed errors whose message does not name the file,
# corpus size, edges and peak RSS. Exit 1 when any harness found a crash or hang; the inputs are under
# $OUT/crashes/HARNESS/ and $OUT/hangs/HARNESS/ with the exception beside each (.txt), to replay with
#   dotnet $OUT/build/MlacRelease.Fuzz.dll replay HARNESS FILE...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
seconds=60 execs="" out="$repo/fuzz-out" instrument=1 harnesses=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --execs) execs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-instrument) instrument=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
build="$out/build"

echo "== build the fuzz tool into $build"
dotnet build "$repo/tests/MlacRelease.Fuzz" -c Release -o "$build" -p:UseAppHost=false >"$out/build.log" 2>&1 \
  || { tail -n 30 "$out/build.log" >&2; exit 3; }

if [ "$instrument" = 1 ]; then
  sharpfuzz=$(command -v sharpfuzz || true)
  if [ -z "$sharpfuzz" ]; then
    [ -x "$out/tools/sharpfuzz" ] || dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$out/tools" >/dev/null
    sharpfuzz="$out/tools/sharpfuzz"
  fi
  echo "== instrument the loaders' assemblies with $sharpfuzz"
  for dll in MlacRelease.Core MlacRelease.Certification MlacRelease.Common; do
    # The build may hard-link outputs (Directory.Build.props): give the file its own inode before rewriting it.
    cp "$build/$dll.dll" "$build/$dll.dll.tmp" && mv -f "$build/$dll.dll.tmp" "$build/$dll.dll"
    "$sharpfuzz" "$build/$dll.dll" >/dev/null
  done
fi

if [ "${#harnesses[@]}" -eq 0 ]; then
  mapfile -t harnesses < <(dotnet "$build/MlacRelease.Fuzz.dll" list | awk '{print $1}')
fi
limit=(--seconds "$seconds")
[ -n "$execs" ] && limit=(--execs "$execs")
summary="$out/summary.txt"
: >"$summary"
status=0
for h in "${harnesses[@]}"; do
  echo "== $h"
  line=$(dotnet "$build/MlacRelease.Fuzz.dll" run "$h" "${limit[@]}" --out "$out") || status=1
  echo "$line" | tee -a "$summary"
done
echo "== summary ($summary)"
cat "$summary"
exit "$status"
