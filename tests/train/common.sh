# Shared by the training test scripts: the experiment file for given batch/steps, and mpirun.
fmnist_dir() { dirname "$(dpkg -L dataset-fashion-mnist | grep 'train-images-idx3-ubyte.gz$')"; }
# make_experiment OUT BATCH STEPS
make_experiment() {
  sed -e "s|@FASHION_MNIST@|$(fmnist_dir)|g" -e "s|@BATCH@|$2|" -e "s|@STEPS@|$3|" \
    "$(dirname "${BASH_SOURCE[0]}")/tiny_fmnist.toml" >"$1"
}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
