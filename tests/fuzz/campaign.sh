#!/bin/bash
# tests/fuzz/campaign.sh [MINUTES [HARNESS...]]
# The long campaign: every harness (or the named ones) for MINUTES each (default 10), one fuzzer
# process at a time under nice -n 19 so that other builds keep the CPU, in build-fuzz (built by
# run.sh if needed). The corpus grows in build-fuzz/campaign/<harness>/corpus and is reused by the
# next campaign; each harness's log and final figures go to build-fuzz/campaign/<harness>/log, and
# one line per harness (date, commit, seconds, executions, cov/ft, result) to build-fuzz/campaign/summary.
# Copy the lines into README.md's campaign table. Findings: build-fuzz/fuzz-artifacts/<harness>/.
# HIERAD_FUZZ_KEEP_GOING=1: libFuzzer's fork mode, which records a crash, out-of-memory or timeout and
# goes on fuzzing (for a harness with known open findings inside a library: HDF5), reporting how many.
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
# allocator_may_return_null + max_allocation_size_mb: a malloc of more than 2 GB (HDF5 1.10.8 sizes
# some of its metadata from the file, H5C_protect: 4 GB in the 2026-12-04 campaign) returns NULL
# and the library reports an error; hierad's own `new` of that size still ends the run as a finding.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1:allocator_may_return_null=1:max_allocation_size_mb=2048"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
commit=$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src storage tests/fuzz || echo "+changes")
for h in "${harnesses[@]}"; do
  dir="$build/campaign/$h"
  mkdir -p "$dir/corpus" "$dir/tmp" "$build/fuzz-artifacts/$h"
  cp -n "$here/corpus/$h/"* "$dir/corpus/"
  [ -d "$here/regressions/$h" ] && cp -n "$here/regressions/$h/"* "$dir/corpus/" 2>/dev/null
  start=$(date -u +%FT%TZ)
  keep_going=()
  [ -n "${HIERAD_FUZZ_KEEP_GOING:-}" ] && keep_going=(-fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1)
  begin=$(date +%s)
  TMPDIR="$dir/tmp" nice -n 19 "$build/tests/fuzz/fuzz_$h" "$dir/corpus" -max_total_time=$((minutes * 60)) \
    -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 "${keep_going[@]}" \
    -artifact_prefix="$build/fuzz-artifacts/$h/" >"$dir/log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - begin ))
  if [ ${#keep_going[@]} -gt 0 ]; then
    last=$(grep -E '^#[0-9]+: cov' "$dir/log" | tail -1)
    execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' <<<"$last" || echo 'cov: ?')
    found=$(grep -oE 'oom/timeout/crash: [0-9]+/[0-9]+/[0-9]+' <<<"$last" || echo '?')
    result="fork mode, $found (artifacts in $build/fuzz-artifacts/$h)"
  else
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo '?')
    cov=$(grep -E '^#[0-9]+' "$dir/log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || echo 'cov: ?')
    result=$([ $rc -eq 0 ] && echo "no finding" || echo "FINDING (rc $rc, see $dir/log)")
  fi
  echo "$h | $start | $commit | ${secs}s | $execs | $cov | $result" | tee -a "$build/campaign/summary"
done
