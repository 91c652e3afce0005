"""The Fashion-MNIST example's parts: its IDX reader, on files written here byte by
byte and on Debian's dataset-fashion-mnist, and the BLAS it reports (the example
itself runs in scripts/test.sh, in its quick mode)."""

import gzip
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "fashion-mnist"))

from idx import IdxError, load_fashion_mnist, read_idx  # noqa: E402

DATA = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def idx_bytes(type_code, shape, payload):
    return bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", s) for s in shape) + payload


@pytest.mark.parametrize("gz", [False, True])
def test_reads_unsigned_bytes_in_row_major_order(tmp_path, gz):
    payload = bytes(range(24))
    path = tmp_path / ("a.idx.gz" if gz else "a.idx")
    data = idx_bytes(0x08, (2, 3, 4), payload)
    path.write_bytes(gzip.compress(data) if gz else data)
    a = read_idx(str(path))
    assert a.dtype == np.uint8 and a.shape == (2, 3, 4)
    assert a[1, 2, 3] == 23 and a[0, 1, 0] == 4


def test_reads_big_endian_floats_and_ints(tmp_path):
    (tmp_path / "f").write_bytes(idx_bytes(0x0D, (3,), struct.pack(">3f", 1.5, -2.0, 0.25)))
    np.testing.assert_array_equal(read_idx(str(tmp_path / "f")), [1.5, -2.0, 0.25])
    (tmp_path / "i").write_bytes(idx_bytes(0x0C, (2,), struct.pack(">2i", -7, 70000)))
    np.testing.assert_array_equal(read_idx(str(tmp_path / "i")), [-7, 70000])


@pytest.mark.parametrize("data, message", [
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x05", "bad magic"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "unknown IDX element type 0x07"),
    (b"\x00\x00\x08\x02\x00\x00\x00\x01", "truncated header"),
    (idx_bytes(0x08, (2, 2), b"\x00\x01\x02"), r"says \(2, 2\) \(4 bytes of data\), the file has 3"),
    (idx_bytes(0x08, (2, 2), b"\x00\x01\x02\x03\x04"), "the file has 5"),
])
def test_refuses_malformed_files(tmp_path, data, message):
    (tmp_path / "bad").write_bytes(data)
    with pytest.raises(IdxError, match=message):
        read_idx(str(tmp_path / "bad"))


def test_checks_the_expected_dimensions(tmp_path):
    (tmp_path / "v").write_bytes(idx_bytes(0x08, (3,), b"\x00\x01\x02"))
    with pytest.raises(IdxError, match="expected 3 dimensions, the header says 1"):
        read_idx(str(tmp_path / "v"), expect_dims=3)


@pytest.mark.skipif(not os.path.isdir(DATA), reason=f"no Fashion-MNIST at {DATA} (Debian: dataset-fashion-mnist)")
def test_debian_fashion_mnist():
    (xtr, ytr), (xte, yte) = load_fashion_mnist(DATA)
    assert xtr.shape == (60000, 28, 28) and ytr.shape == (60000,)
    assert xte.shape == (10000, 28, 28) and yte.shape == (10000,)
    # Fashion-MNIST is balanced: 6000 training and 1000 test images per class.
    assert np.bincount(ytr).tolist() == [6000] * 10
    assert np.bincount(yte).tolist() == [1000] * 10
    assert xtr.max() == 255 and xtr.min() == 0


def _installed(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def _debian_torch():
    import torch

    return torch.__file__.startswith("/usr/lib/python3")


@pytest.mark.skipif(not _installed("libopenblas0-pthread") or not _debian_torch(),
                    reason="Debian's torch with libopenblas0-pthread only (PyPI's torch carries its own BLAS)")
def test_torch_multiplies_matrices_with_openblas():
    import torch
    from train import _mapped_blas_libraries, use_blas

    torch.ones(8, 8) @ torch.ones(8, 8)
    assert any("openblas" in p for p in _mapped_blas_libraries()), _mapped_blas_libraries()
    described = use_blas(threads=1)
    assert "OpenBLAS" in described and "1 thread(s)" in described
