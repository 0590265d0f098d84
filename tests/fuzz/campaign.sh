#!/bin/bash
# tests/fuzz/campaign.sh [MINUTES [HARNESS...]]
# The long campaign: every harness (or the named ones) for MINUTES each (default 10), one fuzzer
# process at a time under nice -n 19 so that other builds keep the CPU, in build-fuzz (built by
# run.sh if needed). The corpus grows in build-fuzz/campaign/<harness>/corpus and is reused by the
# next campaign; each harness's log and final figures go to build-fuzz/campaign/<harness>/log, and
# one line per harness (date, commit, seconds, executions, cov/ft, result) to build-fuzz/campaign/summary.
# Copy the lines into README.md's campaign table. Findings: build-fuzz/fuzz-artifacts/<harness>/.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build-fuzz"
minutes=${1:-10}
shift $(( $# > 0 ? 1 : 0 ))
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(experiment tiny cifar svhn idx image hdf5_images numpy checkpoint score_file)
"$here/run.sh" "$build" 1 "${harnesses[0]}" >/dev/null || true   # builds the fuzz build if needed

export LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0"
# allocator_may_return_null: an impossible allocation (HDF5 1.10.8 sizes some of its metadata
# from the file, H5C_protect) fails as malloc does on Linux, and the library reports an error.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
commit=$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src storage tests/fuzz || echo "+changes")
for h in "${harnesses[@]}"; do
  dir="$build/campaign/$h"
  mkdir -p "$dir/corpus" "$dir/tmp" "$build/fuzz-artifacts/$h"
  cp -n "$here/corpus/$h/"* "$dir/corpus/"
  [ -d "$here/regressions/$h" ] && cp -n "$here/regressions/$h/"* "$dir/corpus/" 2>/dev/null
  start=$(date -u +%FT%TZ)
  TMPDIR="$dir/tmp" nice -n 19 "$build/tests/fuzz/fuzz_$h" "$dir/corpus" -max_total_time=$((minutes * 60)) \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$h/" >"$dir/log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo '?')
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$dir/log" | grep -o '[0-9]* second' | grep -o '[0-9]*' || echo '?')
  cov=$(grep -E '^#[0-9]+' "$dir/log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || echo 'cov: ?')
  result=$([ $rc -eq 0 ] && echo "no finding" || echo "FINDING (rc $rc, see $dir/log)")
  echo "$h | $start | $commit | ${secs}s | $execs | $cov | $result" | tee -a "$build/campaign/summary"
done
