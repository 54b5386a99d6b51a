#!/usr/bin/env bash
# Crash drills: kill -9 a command at a random moment, check that nothing half-written is left where a reader looks,
# run the same command again, and compare its result with an uninterrupted run's, byte for byte.
#
# Usage: release-checks/crash-drills.sh [--trials N] [--out DIR] [COMMAND...]
#   COMMAND: export | merge | sign | keygen | train | certify | shard   (default: export merge sign keygen; train,
#            certify and shard are CPU-heavy: name them to drill them)
#   --trials N   kills per command (default 20): runs repeat until N of them were killed before finishing (at most 3N
#                runs); every run, killed or not, must give the same result
#   --out DIR    work folder (default: a new temporary one)
# Then, where the machine allows mounts (root): a full disk (a 256 KiB tmpfs) and a read-only output folder, for
# export, keygen and sign: each must fail with a clear error and leave what was already there untouched.
#
# What "the same result" means per command:
#   export   every file of the release folder equals the uninterrupted export's
#   merge    certificate.json equals the uninterrupted merge's (and the unsharded certificate's)
#   train    model.safetensors, config.json, vocab.txt, split.json, heads.safetensors equal an uninterrupted run's
#   certify  (--workers 2) certificate.json equals an uninterrupted run's
#   shard    (certify --shard 1/2, what a Slurm array task runs) its units and shard manifest equal an uninterrupted
#            shard's, and merging it with the reference shard 2 gives the reference certificate
#   sign     ECDSA signatures are randomised, so not bytes: manifest.json unchanged, and mlac verify accepts the folder
#   keygen   keys are random, so not bytes: either no private key is left (the rerun writes a pair) or a complete one
#            whose .pub matches it; never a truncated key
# Prints one line per command: trials, byte-identical (or consistent) results, and failures with their folders.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
trials=20 work="" commands=()
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials=$2; shift 2 ;;
    --out) work=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) commands+=("$1"); shift ;;
  esac
done
[ "${#commands[@]}" -gt 0 ] || commands=(export merge sign keygen)

# A key pair is complete when the private key parses and its public half equals the .pub beside it, both as openssl
# re-encodes them (mlac writes PEM without a final newline, so the files' raw bytes are not compared).
same_public_key() {
  local derived stored
  derived=$(openssl ec -in "$1/release.key" -pubout 2>/dev/null) || return 1
  stored=$(openssl ec -pubin -in "$1/release.pub" -pubout 2>/dev/null) || return 1
  [ -n "$derived" ] && [ "$derived" = "$stored" ]
}
work="${work:-$(mktemp -d)}"
mkdir -p "$work"
work="$(cd "$work" && pwd)"

echo "== build (mlac and the fuzz tool, which writes the tiny encoder)"
dotnet build "$repo/src/MlacRelease.Cli" -c Release >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 3; }
dotnet build "$repo/tests/MlacRelease.Fuzz" -c Release >>"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 3; }
mlac=(dotnet "$repo/src/MlacRelease.Cli/bin/Release/net10.0/mlac.dll")
fuzz=(dotnet "$repo/tests/MlacRelease.Fuzz/bin/Release/net10.0/MlacRelease.Fuzz.dll")

ref="$work/reference"
data=builtin:bios:2000:2
battery="$ref/tiny.yaml"
train_args() { echo train --model "$ref/pretrained" --data "$data" --out "$1" --steps 4 --inner-steps 2 --inner-batch-sizes 4 --batch-size 6 \
  --eval-every 2 --checkpoint-every 1 --max-length 16 --seed 5 --device cpu --no-progress; }
certify_args() { echo certify --model "$ref/run" --pretrained "$ref/pretrained" --data "$data" --battery "$battery" --out "$1" \
  --baseline-cache none --no-progress --threads-per-worker 1 --device cpu "${@:2}"; }
export_args() { echo export --model "$ref/run" --certificate "$ref/cert/certificate.json" --out "$1" --max-length 16; }
merge_args() { echo merge --out "$1" --no-progress "$ref/shard-1" "$ref/shard-2"; }

# timed NAME ARGS...: runs mlac to completion, records its wall time in milliseconds in $ref/NAME.ms.
timed() {
  local name=$1 start
  shift
  start=$(date +%s%N)
  "${mlac[@]}" "$@" >"$ref/$name.log" 2>&1 || { echo "reference $name failed:" >&2; tail -n 20 "$ref/$name.log" >&2; exit 3; }
  echo $(( ($(date +%s%N) - start) / 1000000 )) >"$ref/$name.ms"
}

if [ ! -f "$ref/done" ]; then
  echo "== reference runs (uninterrupted) in $ref"
  rm -rf "$ref" && mkdir -p "$ref"
  "${fuzz[@]}" tiny-model "$ref/pretrained"
  # The tiny battery of the CLI tests (one linear-probe family), from its one definition.
  sed -n '/internal const string TinyBattery = """/,/""";/p' "$repo/tests/MlacRelease.Cli.Tests/SplitTravelsWithTheModelTests.cs" \
    | sed '1d;$d; s/^        //' >"$battery"
  # shellcheck disable=SC2046
  timed train $(train_args "$ref/run")
  # shellcheck disable=SC2046
  timed certify $(certify_args "$ref/cert" --workers 2)
  # shellcheck disable=SC2046
  timed shard1 $(certify_args "$ref/shard-1" --shard 1/2)
  # shellcheck disable=SC2046
  timed shard2 $(certify_args "$ref/shard-2" --shard 2/2)
  # shellcheck disable=SC2046
  timed merge $(merge_args "$ref/merged")
  # shellcheck disable=SC2046
  timed export $(export_args "$ref/release")
  timed keygen keygen --out "$ref/keys/release.key"
  cp -r "$ref/release" "$ref/release-signed"
  timed sign sign --release "$ref/release-signed" --key "$ref/keys/release.key"
  cmp -s "$ref/merged/certificate.json" "$ref/cert/certificate.json" || echo "note: the merged certificate differs from the unsharded one" >&2
  touch "$ref/done"
fi

# kill_at_random MS CMD...: starts CMD in its own process group, kills the whole group with SIGKILL after a random
# 0..MS milliseconds (workers included); returns 0 if it was killed, 1 if it finished first.
kill_at_random() {
  local ms=$1 delay pid
  shift
  delay=$(( RANDOM * RANDOM % (ms + 1) ))
  setsid "$@" >/dev/null 2>&1 &
  pid=$!
  local waited=0
  while [ "$waited" -lt "$delay" ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; waited=$((waited + 50)); done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    return 0
  fi
  wait "$pid" 2>/dev/null || true
  return 1
}

# same_files A B FILE...: every FILE equal in A and B.
same_files() {
  local a=$1 b=$2 f
  shift 2
  for f in "$@"; do cmp -s "$a/$f" "$b/$f" || return 1; done
}

# no_half_written DIR REFDIR: every file a reader would open (no dot-file temporaries, no .partial staging folder)
# that exists in DIR is complete: equal to the reference's file of the same path.
no_half_written() {
  local dir=$1 refdir=$2 f
  [ -d "$dir" ] || return 0
  while IFS= read -r f; do
    cmp -s "$dir/$f" "$refdir/$f" || { echo "half-written or different: $dir/$f" >&2; return 1; }
  done < <(cd "$dir" && find . -type f ! -name '.*' ! -path '*/.*' | sed 's|^\./||')
}

train_files=(model.safetensors config.json vocab.txt split.json heads.safetensors)
summary="$work/drills.txt"
: >"$summary"
for command in "${commands[@]}"; do
  ms=$(cat "$ref/$( [ "$command" = shard ] && echo shard1 || echo "$command" ).ms" 2>/dev/null || echo 5000)
  identical=0 killed=0 runs=0 failures=()
  while [ "$killed" -lt "$trials" ] && [ "$runs" -lt $((3 * trials)) ]; do
    runs=$((runs + 1))
    trial=$runs
    t="$work/$command/$trial"
    rm -rf "$t" && mkdir -p "$t"
    ok=1
    case "$command" in
      export)
        # shellcheck disable=SC2046
        kill_at_random "$ms" "${mlac[@]}" $(export_args "$t/release") && killed=$((killed + 1))
        no_half_written "$t/release" "$ref/release" || ok=0
        # A killed export leaves no release folder or the complete one (renamed into place last); only then is a rerun due.
        # shellcheck disable=SC2046
        [ -f "$t/release/manifest.json" ] || "${mlac[@]}" $(export_args "$t/release") >"$t/rerun.log" 2>&1 || ok=0
        diff -r -q "$ref/release" "$t/release" >"$t/diff.log" 2>&1 || ok=0
        ;;
      merge)
        # shellcheck disable=SC2046
        kill_at_random "$ms" "${mlac[@]}" $(merge_args "$t/merged") && killed=$((killed + 1))
        no_half_written "$t/merged" "$ref/merged" || ok=0
        # shellcheck disable=SC2046
        "${mlac[@]}" $(merge_args "$t/merged") >"$t/rerun.log" 2>&1 || ok=0
        same_files "$t/merged" "$ref/merged" certificate.json || ok=0
        ;;
      sign)
        cp -r "$ref/release" "$t/release"
        kill_at_random "$ms" "${mlac[@]}" sign --release "$t/release" --key "$ref/keys/release.key" && killed=$((killed + 1))
        "${mlac[@]}" sign --release "$t/release" --key "$ref/keys/release.key" >"$t/rerun.log" 2>&1 || ok=0
        same_files "$t/release" "$ref/release" manifest.json || ok=0
        "${mlac[@]}" verify --release "$t/release" --public-key "$ref/keys/release.pub" >"$t/verify.log" 2>&1 || ok=0
        ;;
      keygen)
        kill_at_random "$ms" "${mlac[@]}" keygen --out "$t/keys/release.key" && killed=$((killed + 1))
        if [ -f "$t/keys/release.key" ]; then
          # Left behind: must be a complete key whose public half is the .pub beside it.
          same_public_key "$t/keys" || { echo "incomplete key pair in $t/keys" >&2; ok=0; }
        else
          "${mlac[@]}" keygen --out "$t/keys/release.key" >"$t/rerun.log" 2>&1 || ok=0
          same_public_key "$t/keys" || ok=0
        fi
        ;;
      train)
        # shellcheck disable=SC2046
        kill_at_random "$ms" "${mlac[@]}" $(train_args "$t/run") && killed=$((killed + 1))
        # shellcheck disable=SC2046
        "${mlac[@]}" $(train_args "$t/run") >"$t/rerun.log" 2>&1 || ok=0
        same_files "$t/run" "$ref/run" "${train_files[@]}" || ok=0
        ;;
      certify)
        # shellcheck disable=SC2046
        kill_at_random "$ms" "${mlac[@]}" $(certify_args "$t/cert" --workers 2) && killed=$((killed + 1))
        [ ! -f "$t/cert/certificate.json" ] || cmp -s "$t/cert/certificate.json" "$ref/cert/certificate.json" || ok=0
        # shellcheck disable=SC2046
        "${mlac[@]}" $(certify_args "$t/cert" --workers 2) >"$t/rerun.log" 2>&1 || ok=0
        same_files "$t/cert" "$ref/cert" certificate.json || ok=0
        ;;
      shard)
        # shellcheck disable=SC2046
        kill_at_random "$ms" "${mlac[@]}" $(certify_args "$t/shard-1" --shard 1/2) && killed=$((killed + 1))
        # shellcheck disable=SC2046
        "${mlac[@]}" $(certify_args "$t/shard-1" --shard 1/2) >"$t/rerun.log" 2>&1 || ok=0
        diff -r -q "$ref/shard-1/units" "$t/shard-1/units" >"$t/diff.log" 2>&1 || ok=0
        same_files "$t/shard-1" "$ref/shard-1" shard-manifest.json || ok=0
        "${mlac[@]}" merge --out "$t/merged" --no-progress "$t/shard-1" "$ref/shard-2" >"$t/merge.log" 2>&1 || ok=0
        same_files "$t/merged" "$ref/merged" certificate.json || ok=0
        ;;
      *) echo "unknown command $command" >&2; exit 2 ;;
    esac
    if [ "$ok" = 1 ]; then identical=$((identical + 1)); rm -rf "$t"; else failures+=("$t"); fi
  done
  line="$command: $runs runs ($killed killed before finishing), $identical of $runs $( [ "$command" = sign ] || [ "$command" = keygen ] && echo consistent || echo byte-identical )"
  [ "${#failures[@]}" -gt 0 ] && line="$line; failed: ${failures[*]}"
  echo "$line" | tee -a "$summary"
done

echo "== full disk and read-only output folders"
mnt="$work/mnt"
mkdir -p "$mnt"
if mount -t tmpfs -o size=256k tmpfs "$mnt" 2>/dev/null; then
  echo "already here" >"$mnt/keep.txt"
  head -c 200000 /dev/zero >"$mnt/filler"
  # shellcheck disable=SC2046
  code=0; "${mlac[@]}" $(export_args "$mnt/release") >"$work/full-export.log" 2>&1 || code=$?
  echo "full disk, export: exit $code: $(grep -m1 error "$work/full-export.log" || true); release folder $( [ -e "$mnt/release" ] && echo PRESENT || echo absent ); keep.txt $( [ "$(cat "$mnt/keep.txt")" = "already here" ] && echo intact || echo LOST )" | tee -a "$summary"
  code=0; "${mlac[@]}" keygen --out "$mnt/keys/release.key" >"$work/full-keygen.log" 2>&1 || code=$?
  head -c 60000 /dev/zero >"$mnt/filler2" 2>/dev/null || true
  code=0; "${mlac[@]}" keygen --out "$mnt/keys2/release.key" >"$work/full-keygen.log" 2>&1 || code=$?
  echo "full disk, keygen: exit $code: $(grep -m1 error "$work/full-keygen.log" || true); private key $( [ -e "$mnt/keys2/release.key" ] && echo PRESENT || echo absent )" | tee -a "$summary"
  umount "$mnt"
  # The read-only case gets a tmpfs of its own with room for a release: the full disk above would make it a second
  # full-disk case (it once failed copying the release in and printed nothing).
  mount -t tmpfs -o size=64m tmpfs "$mnt"
  cp -r "$ref/release" "$mnt/ro-release"
  before=$(cd "$mnt/ro-release" && find . -type f -exec sha256sum {} + | sort)
  mount -o remount,ro "$mnt" || { echo "read-only folder: skipped, cannot remount read-only here" | tee -a "$summary"; umount "$mnt"; cat "$summary"; exit 0; }
  code=0; "${mlac[@]}" sign --release "$mnt/ro-release" --key "$ref/keys/release.key" >"$work/ro-sign.log" 2>&1 || code=$?
  after=$(cd "$mnt/ro-release" && find . -type f -exec sha256sum {} + | sort)
  echo "read-only folder, sign: exit $code: $(grep -m1 error "$work/ro-sign.log" || true); files $( [ "$before" = "$after" ] && echo unchanged || echo CHANGED )" | tee -a "$summary"
  # shellcheck disable=SC2046
  code=0; "${mlac[@]}" $(export_args "$mnt/ro-export") >"$work/ro-export.log" 2>&1 || code=$?
  echo "read-only folder, export: exit $code: $(grep -m1 error "$work/ro-export.log" || true)" | tee -a "$summary"
  umount "$mnt"
else
  echo "skipped: cannot mount a tmpfs here (needs root)" | tee -a "$summary"
fi
echo "== summary ($summary)"
cat "$summary"
