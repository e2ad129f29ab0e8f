#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time (default 4s each).
# The seed corpora already run as unit tests; this adds a little exploration.
#
# A run that fails after writing a failing input (testdata/fuzz/...) fails the
# script at once. Go's fuzzer can also end with "context deadline exceeded"
# and no input when -fuzztime expires while a worker is still minimizing a new
# input; such a run is repeated once, and fails the script if it happens again.
set -euo pipefail
fuzztime="${1:-4s}"
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$fuzztime" -fuzzminimizetime 1s "$1" >"$log" 2>&1; }
n=0
for pkg in $(go list ./...); do
  targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
  for t in $targets; do
    echo "fuzz $pkg $t ($fuzztime)"
    if ! run "$pkg" "$t"; then
      if grep -q "Failing input written to" "$log" || ! grep -q "context deadline exceeded" "$log"; then
        cat "$log"
        echo "fuzz target $t in $pkg failed; the failing input is in the package's testdata/fuzz"
        exit 1
      fi
      echo "  the fuzzer stopped without a failing input (deadline during minimization); running it again"
      if ! run "$pkg" "$t"; then
        cat "$log"
        echo "fuzz target $t in $pkg failed twice"
        exit 1
      fi
    fi
    n=$((n+1))
  done
done
echo "fuzzing: $n targets ran $fuzztime each, no failures"
