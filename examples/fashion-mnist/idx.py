"""A reader for the IDX files of MNIST and Fashion-MNIST (gzipped or not), with numpy.

Format (big-endian): two zero bytes, a type code, the number of dimensions d, then d
32-bit sizes, then the data. Fashion-MNIST uses type 0x08 (unsigned byte): images
are 3-D (n, 28, 28), magic 0x00000803, labels 1-D (n,), magic 0x00000801.
"""

import gzip
import os

import numpy as np

_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
          0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


class IdxError(ValueError):
    """The file is not a valid IDX file (or not the one expected)."""


def read_idx(path, expect_dims=None):
    """The array stored in an IDX file (path may end in .gz), checked against its header."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise IdxError(f"{path}: not an IDX file (bad magic number)")
    type_code, dims = data[2], data[3]
    if type_code not in _TYPES:
        raise IdxError(f"{path}: unknown IDX element type 0x{type_code:02x}")
    if expect_dims is not None and dims != expect_dims:
        raise IdxError(f"{path}: expected {expect_dims} dimensions, the header says {dims}")
    header = 4 + 4 * dims
    if len(data) < header:
        raise IdxError(f"{path}: truncated header")
    shape = tuple(int(s) for s in np.frombuffer(data, dtype=">u4", count=dims, offset=4))
    dtype = np.dtype(_TYPES[type_code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise IdxError(f"{path}: header says {shape} ({expected} bytes of data), the file has {len(data) - header}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


def _find(directory, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(directory, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{directory}: no {stem}[.gz]")


def load_fashion_mnist(directory="/usr/share/datasets/fashion-mnist"):
    """((train_images, train_labels), (test_images, test_labels)) as uint8 arrays,
    images (n, 28, 28), labels (n,) in 0..9."""
    out = []
    for split in ("train", "t10k"):
        images = read_idx(_find(directory, f"{split}-images-idx3-ubyte"), expect_dims=3)
        labels = read_idx(_find(directory, f"{split}-labels-idx1-ubyte"), expect_dims=1)
        if images.dtype != np.uint8 or labels.dtype != np.uint8:
            raise IdxError(f"{directory}: {split} files are not unsigned bytes")
        if images.shape[1:] != (28, 28):
            raise IdxError(f"{directory}: {split} images are {images.shape[1:]}, expected 28x28")
        if len(images) != len(labels):
            raise IdxError(f"{directory}: {len(images)} {split} images but {len(labels)} labels")
        if labels.max(initial=0) > 9:
            raise IdxError(f"{directory}: {split} labels outside 0..9")
        out.append((images, labels))
    return tuple(out)
