# Shared by the training test scripts: the experiment file for given batch/steps, and mpirun.
source "$(dirname "${BASH_SOURCE[0]}")/../common/test_env.sh"
# make_experiment OUT BATCH STEPS
make_experiment() {
  sed -e "s|@FASHION_MNIST@|$FASHION_MNIST|g" -e "s|@BATCH@|$2|" -e "s|@STEPS@|$3|" \
    "$(dirname "${BASH_SOURCE[0]}")/tiny_fmnist.toml" >"$1"
}
# add_fmnist_set OUT TABLE SPLIT COUNT [FIRST]: appends [TABLE], COUNT images of Debian's
# Fashion-MNIST SPLIT (t10k or train) from image FIRST (default 0), to the experiment file OUT.
add_fmnist_set() {
  {
    printf '\n[%s]\nformat = "idx"\npath = "%s/%s-images-idx3-ubyte.gz"\n' "$2" "$FASHION_MNIST" "$3"
    [[ -z ${5:-} ]] || printf 'first = %s\n' "$5"
    printf 'count = %s\n' "$4"
  } >>"$1"
}
