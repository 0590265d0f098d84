#!/usr/bin/env bash
# Model throughput: hierad's bench_model against the PyTorch eager baseline (glow_eager.py, the same
# torch 2.13.0) on the same machine, threads and allocator settings, in the same run; prints the
# ratios. See bench_model.md for what is measured and the figures.
#
#   tests/bench/run_model_bench.sh [BUILD_DIR]        # default BUILD_DIR: <repo>/build
#
# Environment (defaults in brackets):
#   THREADS       thread counts to run            ["1 $(nproc)"]
#   CONFIGS       model configs                   ["cpu default"]
#   MALLOC_MODES  "default" = glibc as is; "tuned" = MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=64 GiB
#                 (no mmap/munmap churn for the large activation tensors; env.md §8)  ["default tuned"]
#   ROUNDS        repetitions of every measurement; the best round counts (shared machines)  [1]
#   LOG           full output of every run                                  [<BUILD_DIR>/bench_model.log]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build}
bench=$build/tests/bench/bench_model
[[ -x "$bench" ]] || { echo "no $bench: build the bench_model target first" >&2; exit 1; }
threads=${THREADS:-"1 $(nproc)"}
configs=${CONFIGS:-"cpu default"}
malloc_modes=${MALLOC_MODES:-"default tuned"}
rounds=${ROUNDS:-1}
log=${LOG:-$build/bench_model.log}

"$here/setup_baseline.sh" >&2
py=${HIERAD_BENCH_VENV:-${HIERAD_PREFIX:-/opt/hierad}/bench-venv}/bin/python

results=$(mktemp)
trap 'rm -f "$results"' EXIT
: >"$log"
status=0
for round in $(seq "$rounds"); do
  for malloc in $malloc_modes; do
    envs=()
    [[ $malloc == tuned ]] && envs=(MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736)
    for config in $configs; do
      if [[ $config == cpu ]]; then iters=(--warmup 2 --iters 5); else iters=(--warmup 1 --iters 2); fi
      for t in $threads; do
        echo "[run_model_bench] round $round, malloc $malloc, config $config, $t thread(s)" >&2
        for impl in hierad eager; do
          if [[ $impl == hierad ]]; then cmd=("$bench"); else cmd=("$py" "$here/glow_eager.py"); fi
          echo "### round $round malloc $malloc: ${cmd[*]} --config $config --threads $t ${iters[*]}" >>"$log"
          if ! out=$(env "${envs[@]}" "${cmd[@]}" --config "$config" --threads "$t" "${iters[@]}" 2>&1); then
            status=1
            echo "[run_model_bench] FAILED: $impl $config (see $log)" >&2
          fi
          printf '%s\n' "$out" >>"$log"
          printf '%s\n' "$out" | sed -n "s/^RESULT /$malloc $t /p" >>"$results"
        done
      done
    done
  done
done

# Lines: <malloc> <threads> <impl> <config> <metric> <value>; best round per key.
/usr/bin/python3 - "$results" <<'PY'
import collections, sys
best = collections.defaultdict(float)
for line in open(sys.argv[1]):
    malloc, threads, impl, config, metric, value = line.split()
    if metric.endswith("img_s") or metric.endswith("img_cpu_s"):
        key = (config, malloc, int(threads), impl, metric)
        best[key] = max(best[key], float(value))
rows = sorted({k[:3] for k in best}, key=lambda r: (r[0] != "cpu", r[1], r[2]))
print("images/s (wall clock; in brackets: images per CPU-second of the process), best round")
head = f"{'config':8} {'malloc':8} {'thr':>3} | {'train hierad':>20} {'train eager':>20} {'ratio':>6} | {'score hierad':>20} {'score eager':>20} {'ratio':>6}"
print(head)
print("-" * len(head))
for config, malloc, threads in rows:
    cells = []
    for phase in ("train", "score"):
        h, e = (best.get((config, malloc, threads, impl, f"{phase}_img_s"), 0) for impl in ("hierad", "eager"))
        hc, ec = (best.get((config, malloc, threads, impl, f"{phase}_img_cpu_s"), 0) for impl in ("hierad", "eager"))
        ratio = f"{h / e:6.2f}" if e else "     -"
        cells.append(f"{h:9.2f} ({hc:8.2f}) {e:9.2f} ({ec:8.2f}) {ratio}")
    print(f"{config:8} {malloc:8} {threads:>3} | {cells[0]} | {cells[1]}")
PY
echo "full log: $log"
exit $status
