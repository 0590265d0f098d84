#!/usr/bin/env python3
"""Unpacks the C++ parts of PyPI's torch wheel (and the NVIDIA library wheels beside it) into one folder.

usage: unpack_wheels.py WHEEL_DIR DEST

Keeps torch/lib (without the Python extension library), torch/include and torch/share/cmake, and the
shared libraries and headers of the nvidia-* wheels, in the same relative layout as site-packages, so
that the RUNPATH entries baked into libtorch ($ORIGIN/../../nvidia/<name>/lib) resolve unchanged.
"""
import pathlib
import sys
import zipfile


def wanted(name: str) -> bool:
    if name.startswith("torch/"):
        if name.startswith("torch/lib/"):
            return not name.endswith("libtorch_python.so")
        return name.startswith(("torch/include/", "torch/share/cmake/"))
    return name.startswith("nvidia/") and ("/lib/" in name or "/include/" in name)


def main() -> int:
    wheel_dir, dest = map(pathlib.Path, sys.argv[1:3])
    wheels = sorted(wheel_dir.glob("*.whl"))
    if not wheels:
        print(f"unpack_wheels: no .whl files in {wheel_dir}", file=sys.stderr)
        return 1
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as zf:
            members = [m for m in zf.namelist() if wanted(m)]
            zf.extractall(dest, members)
            for info in zf.infolist():  # zipfile drops the mode bits; shared libraries need +x
                if info.filename in members and (info.external_attr >> 16) & 0o111:
                    (dest / info.filename).chmod((info.external_attr >> 16) & 0o777)
    return 0


if __name__ == "__main__":
    sys.exit(main())
