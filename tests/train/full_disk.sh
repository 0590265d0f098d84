#!/usr/bin/env bash
# Full disks and unwritable folders (issue 13, part 4), on small tmpfs mounts (needs root):
# - a read-only output folder fails `hierad train` and `hierad score` at start, naming the folder,
#   before any training or scoring;
# - a disk that fills up before the checkpoint of step 6 fails training naming that checkpoint,
#   leaves ckpt-3 valid and no temporary behind; after space is freed the same command resumes and
#   its final checkpoint equals an uninterrupted run's, bit for bit;
# - a disk too small for the score file fails scoring naming the file, leaves no file (final,
#   temporary or partial); after space is freed the same command writes the uninterrupted file;
# - a full disk fails the analysis report naming the file, with no partial report file; after
#   space is freed the same command writes the same report.
# The free space is set from the sizes the uninterrupted run measured, so the fault is exactly where
# the test wants it. Exit 77 (skipped) when tmpfs cannot be mounted.
# Usage: full_disk.sh HIERAD COMPARE_CHECKPOINTS COMPARE_SCORE_FILES
set -euo pipefail
hierad=$1 compare=$2 compare_scores=$3
source "$(dirname "$0")/common.sh"
tmp=$(mktemp -d)
mounts=()
cleanup() { for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
# mount_tmpfs DIR SIZE [ro]
mount_tmpfs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=$2${3:+,$3}" tmpfs "$1" 2>/dev/null || { echo "cannot mount tmpfs: skipped"; exit 77; }
  mounts+=("$1")
}
# leave_free DIR BYTES: a filler file takes all but BYTES of DIR's file system.
leave_free() {
  local avail; avail=$(df --output=avail -B1 "$1" | tail -1)
  fallocate -l $((avail - $2)) "$1/filler"
}
bytes() { du -s -B1 --apparent-size "$@" | awk '{s += $1} END {print s}'; }
# fails LOG CMD...: CMD must exit with 1 (an error reported, not a crash); its output goes to LOG.
fails() {
  local log=$1 status=0; shift
  "$@" >"$log" 2>&1 || status=$?
  [[ $status == 1 ]] || { echo "FAIL: exit $status, not 1: $*"; cat "$log"; exit 1; }
}
expect_in() { grep -qE -- "$2" "$1" || { echo "FAIL: '$2' not in $1:"; cat "$1"; exit 1; }; }
make_experiment "$tmp/exp.toml" 8 6
add_fmnist_set "$tmp/exp.toml" data.in_dist_test t10k 2000
add_fmnist_set "$tmp/exp.toml" data.ood.held_out train 200 5000
cat >>"$tmp/exp.toml" <<TOML

[score]
batch_size = 64

[analysis]
plots = false
input_complexity = false
TOML
final=checkpoints/ckpt-00000006.h5

echo "== uninterrupted reference"
"$hierad" train "$tmp/exp.toml" --run-dir "$tmp/straight" >"$tmp/straight.log" 2>&1
"$hierad" score "$tmp/exp.toml" --run-dir "$tmp/straight" --output "$tmp/straight.h5" >/dev/null 2>&1
ckpt_bytes=$(bytes "$tmp/straight/$final")
score_bytes=$(bytes "$tmp/straight.h5")
echo "checkpoint $ckpt_bytes bytes, score file $score_bytes bytes"

echo "== read-only output folder: an error at start"
mount_tmpfs "$tmp/ro" 1m ro
fails "$tmp/ro_train.log" "$hierad" train "$tmp/exp.toml" --run-dir "$tmp/ro/run"
expect_in "$tmp/ro_train.log" "output folder $tmp/ro/run/checkpoints.*: Read-only file system"
if grep -qE "ActNorm|training [0-9]+ steps" "$tmp/ro_train.log"; then echo "FAIL: started training"; exit 1; fi
fails "$tmp/ro_score.log" "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/straight" --output "$tmp/ro/scores.h5"
expect_in "$tmp/ro_score.log" "output folder $tmp/ro is not writable: .*Read-only file system"
if grep -q "scored " "$tmp/ro_score.log"; then echo "FAIL: started scoring"; exit 1; fi

echo "== the disk fills up before the checkpoint of step 6"
mount_tmpfs "$tmp/disk" 8m
# Room for everything but checkpoints, ckpt-3, and half of ckpt-6.
others=$(( $(bytes "$tmp/straight") - 2 * ckpt_bytes ))
leave_free "$tmp/disk" $(( others + ckpt_bytes * 3 / 2 + 65536 ))
fails "$tmp/full.log" "$hierad" train "$tmp/exp.toml" --run-dir "$tmp/disk/run"
expect_in "$tmp/full.log" "checkpoint $tmp/disk/run/$final: cannot write: "
expect_in "$tmp/full.log" "No space left on device"
grep -m1 -o "checkpoint .*: cannot write: [^<]*" "$tmp/full.log"
ls "$tmp/disk/run/checkpoints"
[[ -z $(ls "$tmp/disk/run/checkpoints" | grep -v '^ckpt-00000003.h5$') ]] || { echo "FAIL: other files left"; exit 1; }
"$compare" "$tmp/straight/checkpoints/ckpt-00000003.h5" "$tmp/disk/run/checkpoints/ckpt-00000003.h5"
rm "$tmp/disk/filler"
"$hierad" train "$tmp/exp.toml" --run-dir "$tmp/disk/run" >"$tmp/resume.log" 2>&1
expect_in "$tmp/resume.log" "resuming from .*ckpt-00000003.h5 at step 3"
"$compare" "$tmp/straight/$final" "$tmp/disk/run/$final"

echo "== the disk is too small for the score file"
mount_tmpfs "$tmp/disk2" 8m
leave_free "$tmp/disk2" $(( score_bytes / 2 ))
out=$tmp/disk2/scores.h5
fails "$tmp/score_full.log" "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/straight" --output "$out"
expect_in "$tmp/score_full.log" "$out"
grep -m1 -o "error: [^<]*" "$tmp/score_full.log"
[[ -z $(ls "$tmp/disk2" | grep -v '^filler$') ]] || { echo "FAIL: left: $(ls "$tmp/disk2")"; exit 1; }
rm "$tmp/disk2/filler"
"$hierad" score "$tmp/exp.toml" --run-dir "$tmp/straight" --output "$out" >/dev/null 2>&1
"$compare_scores" "$tmp/straight.h5" "$out"

echo "== the disk is full for the analysis report"
"$hierad" analyze "$tmp/exp.toml" --run-dir "$tmp/straight" --scores "$tmp/straight.h5" --output "$tmp/report" \
  >"$tmp/report.log" 2>&1
mount_tmpfs "$tmp/disk3" 1m
leave_free "$tmp/disk3" 0
report=$tmp/disk3/report
fails "$tmp/report_full.log" "$hierad" analyze "$tmp/exp.toml" --run-dir "$tmp/straight" --scores "$tmp/straight.h5" \
  --output "$report"
expect_in "$tmp/report_full.log" "cannot write $report/[a-z_]+\.(md|csv|json): No space left on device"
grep -m1 "cannot write" "$tmp/report_full.log"
[[ -z $(ls -A "$report" 2>/dev/null) ]] || { echo "FAIL: left: $(ls -A "$report")"; exit 1; }
rm "$tmp/disk3/filler"
"$hierad" analyze "$tmp/exp.toml" --run-dir "$tmp/straight" --scores "$tmp/straight.h5" --output "$report" >/dev/null 2>&1
diff -r "$tmp/report" "$report"
echo "PASS"
