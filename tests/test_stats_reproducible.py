"""Weighted means of correlated values are the same bits in every run.

``uncertainties.covariance_matrix`` sums over a set of shared variables hashed by memory
address: the GLS mean of the ST-FMR torques (xi_fmr 0.11079905924878886 against ...883 and
...888) and its Birge ratio differed in the last bits from run to run, and between a serial
run and one with workers. ``sotfit.stats.covariance_matrix`` sums exactly (math.fsum)."""

import os
import subprocess
import sys

import numpy as np
import pytest
from uncertainties import covariance_matrix as reference
from uncertainties import ufloat

from sotfit.stats import covariance_matrix

SCRIPT = """
from uncertainties import ufloat
from sotfit.stats import weighted_mean
# memory laid out otherwise in each run, as a longer program leaves it
keep = [[0.0] * (1 + i % 7) for i in range(hash("layout") % 5000)]
shared = [ufloat(0.8 + 0.01 * i, 0.003 + 1e-4 * i) for i in range(40)]
vals = [ufloat(1.0 + 0.013 * k, 0.02 + 0.001 * k) * sum(s * (1 + 0.1 * ((k + i) % 3))
        for i, s in enumerate(shared)) for k in range(9)]
m, b = weighted_mean(vals)
print(repr(m.nominal_value), repr(m.std_dev), repr(b))
"""


def test_the_covariances_are_those_of_uncertainties():
    x, y, z = ufloat(1.0, 0.1), ufloat(2.0, 0.2), ufloat(-1.0, 0.05)
    vals = [x + 2 * y, y * z - x, 3 * z + x * y, x]
    assert np.allclose(covariance_matrix(vals), np.array(reference(vals)), rtol=1e-13, atol=0)
    assert covariance_matrix([x, 1.0])[1].tolist() == [0.0, 0.0]


def test_the_same_bits_under_every_hash_seed():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
        out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                             text=True, check=True)
        runs.add(out.stdout)
    assert len(runs) == 1, runs
