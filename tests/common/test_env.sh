# Sourced by the end-to-end test scripts: where Debian's Fashion-MNIST is, and mpirun as root on a
# 2-core machine (CI runs as root; tests oversubscribe).
fmnist_dir() { dirname "$(dpkg -L dataset-fashion-mnist | grep 'train-images-idx3-ubyte.gz$')"; }
export FASHION_MNIST=${FASHION_MNIST:-$(fmnist_dir)}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
