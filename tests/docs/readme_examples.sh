#!/usr/bin/env bash
# Every ```python and ```sh block of storage/README.md runs, unchanged, on the files a short
# training and scoring run writes (ckpt.h5, scores.h5, metrics.h5 in the working directory), so
# the documented layouts and keys cannot drift from what hierad writes.
#
#   readme_examples.sh HIERAD REPO
set -euo pipefail
hierad=$1 repo=$2
source "$repo/tests/train/common.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
make_experiment "$tmp/exp.toml" 8 3
add_fmnist_set "$tmp/exp.toml" data.in_dist_test t10k 64
"$hierad" --log-level warn train "$tmp/exp.toml" --run-dir "$tmp/run"
"$hierad" --log-level warn score "$tmp/exp.toml" --run-dir "$tmp/run"
mkdir "$tmp/work"
cp "$(ls "$tmp"/run/checkpoints/ckpt-*.h5 | tail -1)" "$tmp/work/ckpt.h5"
cp "$tmp/run/scores.h5" "$tmp/run/metrics.h5" "$tmp/work/"
/usr/bin/python3 - "$repo/storage/README.md" "$tmp/work" <<'PY'
import os, re, subprocess, sys, textwrap
readme, work = sys.argv[1], sys.argv[2]
text = open(readme).read()
blocks = re.findall(r"^( *)```(python|sh)\n(.*?)^\1```", text, re.S | re.M)
assert blocks, f"{readme}: no ```python or ```sh blocks found"
for n, (indent, lang, body) in enumerate(blocks, 1):
    code = textwrap.dedent(body)
    cmd = ["/usr/bin/python3", "-c", code] if lang == "python" else ["bash", "-euo", "pipefail", "-c", code]
    result = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
    print(f"--- example {n} ({lang}): exit {result.returncode}")
    print(result.stdout[-400:], end="")
    if result.returncode != 0:
        sys.exit(f"{readme}: example {n} failed:\n{code}\n{result.stderr}")
print(f"{len(blocks)} examples of {readme} ran")
PY
