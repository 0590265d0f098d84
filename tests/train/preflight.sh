#!/usr/bin/env bash
# Checks before the first step (issue 12, part 3): a set that does not fit the model, a set that
# cannot be opened and a configuration that cannot run each end `hierad train` / `hierad score`
# before any training or scoring, with the sysexits code (65 bad data, 78 bad configuration) and a
# message naming the [data] table, the path and both shapes; on 2 ranks mpirun ends with the same
# code. Usage: preflight.sh HIERAD
set -euo pipefail
hierad=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
source "$here/common.sh"

# An RGB set in CIFAR-10's binary format (label byte + 3072 bytes a record): 3x32x32 images.
python3 - "$tmp/data_batch_1.bin" <<'PY'
import random, sys
random.seed(3)
with open(sys.argv[1], "wb") as out:
    for _ in range(40):
        out.write(bytes([random.randrange(10)]) + bytes(random.randrange(256) for _ in range(3072)))
PY

# expect CODE NAME CMD...: CMD must exit with CODE before any training or scoring starts.
expect() {
  local code=$1 name=$2 status=0; shift 2
  "$@" >"$tmp/$name.log" 2>&1 || status=$?
  [[ $status == "$code" ]] || { echo "FAIL $name: exit $status, not $code"; cat "$tmp/$name.log"; exit 1; }
  if grep -qE "ActNorm|training [0-9]+ steps|step [0-9]+/|scored " "$tmp/$name.log"; then
    echo "FAIL $name: started before failing"; cat "$tmp/$name.log"; exit 1
  fi
  echo "ok $name: exit $code: $(grep -m1 'error:' "$tmp/$name.log")"
}
expect_in() { grep -qE -- "$2" "$tmp/$1.log" || { echo "FAIL $1: '$2' not in its output:"; cat "$tmp/$1.log"; exit 1; }; }

make_experiment "$tmp/grey.toml" 8 4
# The RGB set, converted to grey by default; `channels = 3` forces RGB, which a grey model cannot read.
cp "$tmp/grey.toml" "$tmp/converted.toml"
cat >>"$tmp/converted.toml" <<TOML

[data.ood.cifar]
format = "cifar10"
path = "$tmp/data_batch_1.bin"
TOML
sed 's|^path = "\(.*data_batch_1.bin\)"|path = "\1"\nchannels = 3|' "$tmp/converted.toml" >"$tmp/rgb_ood.toml"
grep -q "^channels = 3" "$tmp/rgb_ood.toml"

echo "== a grey model and a set forced to RGB: fails before training"
expect 65 rgb_ood "$hierad" train "$tmp/rgb_ood.toml" --run-dir "$tmp/run1"
expect_in rgb_ood "$tmp/data_batch_1.bin: \[data.ood.cifar\] \(format cifar10\) yields 3x32x32 images, but the model reads 1x32x32 .*; its channels = 3 overrides the model's"
[[ ! -e $tmp/run1/checkpoints || -z $(ls -A "$tmp/run1/checkpoints") ]] || { echo "FAIL: a checkpoint was written"; exit 1; }

echo "== the same on 2 ranks: mpirun ends with 65"
expect 65 rgb_ood_2 mpirun -np 2 "$hierad" train "$tmp/rgb_ood.toml" --run-dir "$tmp/run2"
expect_in rgb_ood_2 "\[data.ood.cifar\] \(format cifar10\) yields 3x32x32"

echo "== a training set that does not exist"
sed "s|train-images-idx3-ubyte.gz|no-such-file.gz|" "$tmp/grey.toml" >"$tmp/missing.toml"
expect 65 missing "$hierad" train "$tmp/missing.toml" --run-dir "$tmp/run3"
expect_in missing "no-such-file.gz: \[data.in_dist\] does not exist"

echo "== a configuration that cannot run: train.on names a section that is missing"
sed 's|^on = "in_dist"|on = "general"|' "$tmp/grey.toml" >"$tmp/no_general.toml"
expect 78 no_general "$hierad" train "$tmp/no_general.toml" --run-dir "$tmp/run4"
expect_in no_general "train.on = \"general\" needs a \[data.general\] section"

echo "== scoring a trained grey model on an RGB set: fails before scoring"
"$hierad" train "$tmp/grey.toml" --run-dir "$tmp/trained" >"$tmp/train.log" 2>&1 || { cat "$tmp/train.log"; exit 1; }
expect 65 score_rgb "$hierad" score "$tmp/rgb_ood.toml" --run-dir "$tmp/trained" --checkpoint "$tmp/trained" \
  --output "$tmp/scores.h5"
expect_in score_rgb "yields 3x32x32 images, but the model reads 1x32x32"
[[ ! -e $tmp/scores.h5 && ! -e $tmp/scores.h5.partial ]] || { echo "FAIL: a score file was written"; exit 1; }

echo "== without channels = 3 the RGB set is converted to grey: trained and scored"
"$hierad" train "$tmp/converted.toml" --run-dir "$tmp/converted" >"$tmp/converted.log" 2>&1 || { cat "$tmp/converted.log"; exit 1; }
"$hierad" score "$tmp/converted.toml" --run-dir "$tmp/converted" --output "$tmp/converted.h5" >>"$tmp/converted.log" 2>&1 ||
  { cat "$tmp/converted.log"; exit 1; }
grep -q "scored cifar: 40 images" "$tmp/converted.log" || { cat "$tmp/converted.log"; echo "FAIL: cifar not scored"; exit 1; }

echo "== an unknown key is a configuration error too"
printf '\n[model]\nchanels = 1\n' >"$tmp/typo_tail.toml"
{ sed '/^\[model\]/,/^$/d' "$tmp/grey.toml"; cat "$tmp/typo_tail.toml"; } >"$tmp/typo.toml"
expect 78 typo "$hierad" train "$tmp/typo.toml" --run-dir "$tmp/run5"
expect_in typo "chanels"
echo "all preflight cases pass"
