# Shared by the training test scripts: the experiment file for given batch/steps, and mpirun.
source "$(dirname "${BASH_SOURCE[0]}")/../common/test_env.sh"
# make_experiment OUT BATCH STEPS
make_experiment() {
  sed -e "s|@FASHION_MNIST@|$FASHION_MNIST|g" -e "s|@BATCH@|$2|" -e "s|@STEPS@|$3|" \
    "$(dirname "${BASH_SOURCE[0]}")/tiny_fmnist.toml" >"$1"
}
