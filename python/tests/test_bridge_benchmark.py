"""The bridge benchmark (benchmarks/bridge) in its smoke mode: each contender runs every
kernel, forward and forward+backward, once at N=1024, in its own process as the benchmark
runs it, and its values and gradients agree with the eager masks'. A contender whose
package is not importable here (JAX; torch.compile on torch 1.13) is skipped."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benchmarks", "bridge"))

import compare  # noqa: E402
import worker  # noqa: E402


@pytest.fixture(scope="module")
def eager():
    return compare.smoke("eager")


@pytest.mark.parametrize("contender", [c for c in worker.CONTENDERS if c != "eager"])
def test_contender_runs_and_agrees_with_the_eager_masks(contender, eager):
    why = worker.unavailable(contender, "gelu")
    if why:
        pytest.skip(why)
    run = compare.smoke(contender)
    assert set(run["kernels"]) == set(worker.KERNELS)
    for kernel, result in run["kernels"].items():
        if "unavailable" in result:
            assert contender == "builtin" and kernel == "relu3"
            continue
        for pass_ in worker.PASSES:
            assert result["seconds"][pass_][str(worker.CHECK_N)] > 0
    assert compare.disagreements({(contender, 1): run, ("eager", 1): eager}) == []
