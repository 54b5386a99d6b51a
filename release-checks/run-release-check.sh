#!/usr/bin/env bash
# The project's own CI-sized release check: the whole chain on the built-in model and corpus at a small budget
# (train → certify with the quick battery → export → sign → gate), then the gate again on the finished folder with
# the repository's policy, failing closed. The GitHub Actions example (github-actions/release-gate.yml) runs this
# same script. Usage: release-checks/run-release-check.sh [WORK_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="${1:-$(mktemp -d)}"
mlac=(dotnet run -c Release --project "$repo/src/MlacRelease.Cli" --)

"${mlac[@]}" demo --out "$work/demo" --no-progress
"${mlac[@]}" gate --release "$work/demo/release" --policy "$here/policy-demo.yaml" \
  --public-key "$work/demo/keys/release.pub" --no-progress
/usr/bin/python3 "$here/onnx_check.py" "$work/demo/release/onnx/model.onnx"
echo "release check passed: $work/demo/release"
