#!/usr/bin/env bash
# Another step's model is the final checkpoint of a finished run, never silently an older one
# (issue 13, part 1). A tiny run trains 6 steps (checkpoints at 3 and 6); then 8 bytes are flipped
# in the middle of ckpt-00000006.h5, as a user's bad disk or copy would. Every path that takes a
# run's model must then fail naming that file and the problem, unless asked to accept the newest
# valid one, which it then names in a warning: `hierad score` (its own run, and --checkpoint RUN),
# train.init_from and train.outlier.general_checkpoint. An unfinished run is refused the same way.
# Resuming the run's own training still falls back to ckpt-3 with its warning, and retraining to
# step 6 gives the uncorrupted checkpoint back bit for bit.
# Usage: final_checkpoint.sh HIERAD COMPARE_CHECKPOINTS
set -euo pipefail
hierad=$1 compare=$2
source "$(dirname "$0")/../train/common.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make_experiment "$tmp/exp.toml" 8 6
add_fmnist_set "$tmp/exp.toml" data.in_dist_test t10k 48
cat >>"$tmp/exp.toml" <<TOML

[score]
batch_size = 16
TOML
final=checkpoints/ckpt-00000006.h5
# expect_failure LOG CMD...: CMD must fail; its output goes to LOG.
expect_failure() {
  local log=$1; shift
  if "$@" >"$log" 2>&1; then echo "FAIL: succeeded: $*"; cat "$log"; exit 1; fi
}
# expect_in LOG TEXT: LOG holds TEXT (a grep -E pattern).
expect_in() { grep -qE -- "$2" "$1" || { echo "FAIL: '$2' not in $1:"; cat "$1"; exit 1; }; }
# scored_step FILE: the checkpoint step a score file records.
scored_step() { /usr/bin/python3 -c 'import h5py,sys; print(h5py.File(sys.argv[1],"r").attrs["checkpoint_step"])' "$1"; }
# flip8 FILE: XOR 8 bytes in the middle of FILE with 0xff.
flip8() {
  /usr/bin/python3 - "$1" <<'PY'
import os, sys
path = sys.argv[1]
middle = os.path.getsize(path) // 2
with open(path, "r+b") as f:
    f.seek(middle); data = f.read(8)
    f.seek(middle); f.write(bytes(b ^ 0xFF for b in data))
PY
}

echo "== a finished run: progress.toml names its final checkpoint; score uses it"
"$hierad" train "$tmp/exp.toml" --run-dir "$tmp/good" >"$tmp/train.log" 2>&1
grep -q '^final_checkpoint = "ckpt-00000006.h5"$' "$tmp/good/progress.toml"
"$hierad" score "$tmp/exp.toml" --run-dir "$tmp/good" --output "$tmp/good.h5"
[[ $(scored_step "$tmp/good.h5") == 6 ]]

cp -r "$tmp/good" "$tmp/bad"
flip8 "$tmp/bad/$final"
echo "== corrupt final checkpoint: score fails naming the file and the problem"
expect_failure "$tmp/score_bad.log" "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/bad" --output "$tmp/bad.h5"
expect_in "$tmp/score_bad.log" "final checkpoint of the finished run .*bad .*unusable: .*ckpt-00000006.h5"
expect_in "$tmp/score_bad.log" "corrupt|CRC|HDF5|H5"
expect_in "$tmp/score_bad.log" "score.accept_older_checkpoint"
[[ ! -e $tmp/bad.h5 ]]
cat "$tmp/score_bad.log" | grep -E "unusable" | head -1
echo "== the same through --checkpoint RUN and --checkpoint RUN/checkpoints/"
expect_failure "$tmp/score_bad2.log" "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/good" \
  --checkpoint "$tmp/bad/checkpoints/" --output "$tmp/bad.h5"
expect_in "$tmp/score_bad2.log" "unusable: .*ckpt-00000006.h5"
echo "== a corrupt checkpoint file named directly is an error too"
expect_failure "$tmp/score_file.log" "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/good" \
  --checkpoint "$tmp/bad/$final" --output "$tmp/bad.h5"
expect_in "$tmp/score_file.log" "ckpt-00000006.h5"

echo "== --accept-older-checkpoint: ckpt-3, with a warning naming both"
"$hierad" score "$tmp/exp.toml" --run-dir "$tmp/bad" --output "$tmp/older.h5" --accept-older-checkpoint \
  >"$tmp/older.log" 2>&1
expect_in "$tmp/older.log" "WARN|warn"
expect_in "$tmp/older.log" "passing over checkpoint .*ckpt-00000006.h5"
expect_in "$tmp/older.log" "using the newest valid checkpoint .*ckpt-00000003.h5 \(step 3\)"
[[ $(scored_step "$tmp/older.h5") == 3 ]]
echo "== score.accept_older_checkpoint = true does the same"
sed 's/^\[score\]$/[score]\naccept_older_checkpoint = true/' "$tmp/exp.toml" >"$tmp/accept.toml"
"$hierad" score "$tmp/accept.toml" --run-dir "$tmp/bad" --output "$tmp/older2.h5" >"$tmp/older2.log" 2>&1
expect_in "$tmp/older2.log" "using the newest valid checkpoint .*ckpt-00000003.h5"
[[ $(scored_step "$tmp/older2.h5") == 3 ]]

echo "== an unfinished run (killed after its checkpoint at step 3) is refused"
cp -r "$tmp/good" "$tmp/unfinished"
rm "$tmp/unfinished/$final"
sed -i -e '/^final_checkpoint/d' -e 's/^step = .*/step = 3/' "$tmp/unfinished/progress.toml"
expect_failure "$tmp/unfinished.log" "$hierad" score "$tmp/exp.toml" --run-dir "$tmp/unfinished" --output "$tmp/u.h5"
expect_in "$tmp/unfinished.log" "has not finished training \(progress.toml: step 3 of 6"

# Fine-tuning configs: init_from and general_checkpoint name a run directory.
finetune() {  # finetune OUT INIT [GENERAL]
  local outlier=false; [[ -n ${3:-} ]] && outlier=true
  make_experiment "$1" 8 2
  sed -i "s|^\[train\]$|[train]\ninit_from = \"$2\"|" "$1"
  add_fmnist_set "$1" data.general t10k 64
  cat >>"$1" <<TOML

[train.outlier]
enabled = $outlier
general_checkpoint = "${3:-}"
TOML
}
echo "== train.init_from naming the corrupt run fails naming the file; --accept-older-checkpoint warns"
finetune "$tmp/ft.toml" "$tmp/bad"
expect_failure "$tmp/ft.log" "$hierad" train "$tmp/ft.toml" --run-dir "$tmp/ft"
expect_in "$tmp/ft.log" "train.init_from: the final checkpoint of the finished run .*unusable: .*ckpt-00000006.h5"
[[ ! -e $tmp/ft/checkpoints/ckpt-00000002.h5 ]]
"$hierad" train "$tmp/ft.toml" --run-dir "$tmp/ft_older" --accept-older-checkpoint >"$tmp/ft_older.log" 2>&1
expect_in "$tmp/ft_older.log" "train.init_from: .*using the newest valid checkpoint .*ckpt-00000003.h5"
expect_in "$tmp/ft_older.log" "fine-tuning from .*bad/checkpoints/ckpt-00000003.h5"
echo "== train.init_from naming the good run uses its final checkpoint"
finetune "$tmp/ft_good.toml" "$tmp/good"
"$hierad" train "$tmp/ft_good.toml" --run-dir "$tmp/ft_good" >"$tmp/ft_good.log" 2>&1
expect_in "$tmp/ft_good.log" "fine-tuning from .*good/checkpoints/ckpt-00000006.h5"

echo "== train.outlier.general_checkpoint naming the corrupt run fails; train.accept_older_checkpoint warns"
finetune "$tmp/ol.toml" "$tmp/good" "$tmp/bad"
expect_failure "$tmp/ol.log" "$hierad" train "$tmp/ol.toml" --run-dir "$tmp/ol"
expect_in "$tmp/ol.log" "train.outlier.general_checkpoint: the final checkpoint of the finished run .*ckpt-00000006.h5"
sed 's|^\[train\]$|[train]\naccept_older_checkpoint = true|' "$tmp/ol.toml" >"$tmp/ol_accept.toml"
"$hierad" train "$tmp/ol_accept.toml" --run-dir "$tmp/ol_older" >"$tmp/ol_older.log" 2>&1
expect_in "$tmp/ol_older.log" "train.outlier.general_checkpoint: .*using the newest valid checkpoint .*ckpt-00000003.h5"

echo "== resuming the corrupt run's own training falls back to ckpt-3 with a warning and redoes step 6"
"$hierad" train "$tmp/exp.toml" --run-dir "$tmp/bad" >"$tmp/resume.log" 2>&1
expect_in "$tmp/resume.log" "passing over checkpoint .*ckpt-00000006.h5"
expect_in "$tmp/resume.log" "resuming from .*ckpt-00000003.h5 at step 3"
"$compare" "$tmp/good/$final" "$tmp/bad/$final"
"$hierad" score "$tmp/exp.toml" --run-dir "$tmp/bad" --output "$tmp/bad.h5"
[[ $(scored_step "$tmp/bad.h5") == 6 ]]
echo "PASS"
