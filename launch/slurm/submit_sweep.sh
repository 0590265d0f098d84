#!/usr/bin/env bash
# Submit an experiment's sweep to SLURM: one job array per dependency level (launch/slurm/sweep.sbatch),
# each level starting when every task of the previous one has succeeded (afterok on an array waits
# for all of its tasks). Prints the job ids on stdout, one per level, first level first.
#
#   launch/slurm/submit_sweep.sh EXP.toml [--limit N] [--after JOBID] [-- extra sbatch args]
#
#   --limit N      at most N tasks of a level run at once (--array=0-<n-1>%N)
#   --after JOBID  the first level waits for JOBID too (afterok), e.g. the last job id printed for
#                  another experiment whose runs this one shares
#   -- ...         passed to every sbatch call, after ours (so they win): --partition, --account,
#                  --time, --gpus-per-node=8 --ntasks-per-node=8, ...
#
# HIERAD: the hierad binary (default: build/hierad of this checkout). Every task sees the
# environment of this shell (sbatch --export=ALL), so the ${VAR}s of the experiment file resolve
# in the jobs as they did here.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
hierad=${HIERAD:-$repo/build/hierad}

usage() {
  echo "usage: $(basename "$0") EXP.toml [--limit N] [--after JOBID] [-- extra sbatch args]" >&2
  exit 2
}
die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

[[ $# -ge 1 && $1 != -* ]] || usage
experiment=$1
shift
limit=""
after=""
extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --limit) [[ $# -ge 2 ]] || usage; limit=$2; shift 2 ;;
    --limit=*) limit=${1#--limit=}; shift ;;
    --after) [[ $# -ge 2 ]] || usage; after=$2; shift 2 ;;
    --after=*) after=${1#--after=}; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "$(basename "$0"): unknown argument '$1'" >&2; usage ;;
  esac
done
[[ -z $limit || $limit =~ ^[1-9][0-9]*$ ]] || die "--limit wants a positive integer, got '$limit'"
[[ -f $experiment ]] || die "no such experiment file: $experiment"
[[ -x $hierad ]] || die "no hierad binary at $hierad (build it, or set HIERAD)"
# The jobs may start in another directory: give them absolute paths.
experiment=$(cd "$(dirname "$experiment")" && pwd)/$(basename "$experiment")
hierad=$(cd "$(dirname "$hierad")" && pwd)/$(basename "$hierad")
# sbatch --export splits its value at commas.
[[ $experiment != *,* && $hierad != *,* ]] || die "paths with commas cannot be passed through sbatch --export"

levels=$("$hierad" sweep "$experiment" --levels) || die "'$hierad sweep $experiment --levels' failed"
[[ -n $levels ]] || die "$experiment has no runs"
name=$(basename "$experiment" .toml)
previous=$after
while read -r level count rest; do
  [[ $level =~ ^[0-9]+$ && $count =~ ^[0-9]+$ && -z $rest ]] ||
    die "unexpected line from 'hierad sweep --levels': '$level $count $rest'"
  [[ $count -gt 0 ]] || continue
  array="0-$((count - 1))${limit:+%$limit}"
  args=(--parsable --array="$array" --job-name="hierad-$name-L$level"
        --export="ALL,EXPERIMENT=$experiment,LEVEL=$level,HIERAD=$hierad")
  # A failed level would leave the later ones pending forever; kill them instead.
  [[ -z $previous ]] || args+=(--dependency="afterok:$previous" --kill-on-invalid-dep=yes)
  reply=$(sbatch "${args[@]}" ${extra[@]+"${extra[@]}"} "$here/sweep.sbatch")
  job=${reply%%;*}  # --parsable prints "jobid" or "jobid;cluster"
  [[ $job =~ ^[0-9]+$ ]] || die "sbatch answered '$reply', not a job id"
  echo "level $level: $count run(s) -> job array $job (--array=$array)" >&2
  echo "$job"
  previous=$job
done <<<"$levels"
