#!/usr/bin/env bash
# A failing or hanging rank must end the whole job, non-zero, within a bounded time, with an error
# naming the rank and the cause (issue: failure across ranks). Two ranks train on their own copy of
# a Tiny-Images-format file (the path names the rank), then, after a few logged steps:
#   truncate   rank 1's file is cut to nothing: rank 1 fails reading it and aborts the job;
#   stop       rank 1 is frozen with SIGSTOP: rank 0 waits in a collective until its watchdog
#              (train.collective_timeout = 5 s) ends it.
# Usage: rank_failure.sh HIERAD truncate|stop
set -euo pipefail
hierad=$1 mode=$2
source "$(dirname "$0")/../common/test_env.sh"
tmp=$(mktemp -d)
trap 'pkill -KILL -f "hierad train $tmp/" 2>/dev/null || true; rm -rf "$tmp"' EXIT
head -c $((4096 * 3072)) /dev/urandom >"$tmp/tiny_0.bin"
cp "$tmp/tiny_0.bin" "$tmp/tiny_1.bin"
cat >"$tmp/exp.toml" <<TOML
name = "rank-failure"
[model]
scales = 2
steps = 2
hidden = 16
device = "cpu"
init_batches = 1
init_batch_size = 8
[data]
loader_threads = 1
prefetch_batches = 1
[data.general]
format = "tiny"
path = "$tmp/tiny_\${OMPI_COMM_WORLD_RANK}.bin"
io = "pread"
shift = 0
[train]
on = "general"
steps = 100000
batch_size = 4
log_every = 1
checkpoint_every = 100000
collective_timeout = 5
TOML
mpirun -np 2 "$hierad" train "$tmp/exp.toml" --run-dir "$tmp/run" >"$tmp/out.txt" 2>&1 &
pid=$!
for _ in $(seq 600); do grep -q "step 5/" "$tmp/out.txt" && break; sleep 0.1; done
grep -q "step 5/" "$tmp/out.txt" || { cat "$tmp/out.txt"; echo "training did not start"; exit 1; }
rank1=""
for p in $(pgrep -f "hierad train $tmp/exp.toml"); do
  tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && rank1=$p
done
[[ -n $rank1 ]] || { echo "rank 1's process not found"; exit 1; }
start=$(date +%s)
case $mode in
  truncate) : >"$tmp/tiny_1.bin" ;;
  stop) kill -STOP "$rank1" ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
status=0
for _ in $(seq 600); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
  cat "$tmp/out.txt"; echo "the job still runs 60 s after rank 1 failed"; kill -CONT "$rank1" 2>/dev/null; exit 1
fi
wait $pid || status=$?
elapsed=$(( $(date +%s) - start ))
echo "job ended with status $status after $elapsed s"
grep -E "error|not completed|abort" "$tmp/out.txt" | head -5
[[ $status -ne 0 ]] || { echo "the job exited 0"; exit 1; }
case $mode in
  truncate) grep -q "\[rank 1\] error: .*tiny_1.bin" "$tmp/out.txt" ;;
  stop) grep -q "\[rank 0\] .* has not completed after [0-9]* s (train.collective_timeout = 5 s)" "$tmp/out.txt" ;;
esac
