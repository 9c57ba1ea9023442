"""Every registered ModelSpec: finite at defaults, vectorised, picklable, documented."""

import pickle
import subprocess
import sys

import numpy as np
import pytest

from sotfit.models import MODELS

X_TEST = {"T": np.linspace(0.01, 0.3, 7), "GHz": np.linspace(2.0, 20.0, 7)}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_contract(name):
    m = MODELS[name]
    assert m.doc and m.x_unit is not None and m.y_unit is not None
    for p in m.params:
        assert p.doc, f"{name}.{p.name} has no doc"
        lo, hi = p.bounds
        assert lo <= p.default <= hi
    x = X_TEST.get(m.x_unit, np.linspace(1.0, 10.0, 7))
    inputs = {k: 1.0 for k in m.inputs}
    y = np.asarray(m(x, **inputs))
    assert y.shape == x.shape and np.all(np.isfinite(y))
    y0 = np.asarray(m(x[:1], **inputs))
    assert y0[0] == pytest.approx(y[0], rel=1e-12)
    m2 = pickle.loads(pickle.dumps(m))
    np.testing.assert_allclose(m2(x, **inputs), y)


def test_models_do_not_import_lmfit_pandas_or_matplotlib():
    code = ("import sys, sotfit.models; bad=[m for m in ('lmfit','matplotlib','pandas') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


_REFERENCES = [(name, i) for name in sorted(MODELS) for i in range(len(MODELS[name].references))]


@pytest.mark.parametrize("name, i", _REFERENCES, ids=[f"{n}-{i}" for n, i in _REFERENCES])
def test_model_reference_values(name, i):
    """Every reference value of every model: the model at the reference's parameters and x
    equals the expected y (closed forms, published numbers, limits, checked values)."""
    m = MODELS[name]
    ref = m.references[i]
    y = np.asarray(m(np.asarray(ref.x), **ref.kwargs), float)
    np.testing.assert_allclose(y, ref.y, rtol=ref.rtol, atol=ref.atol, err_msg=ref.source)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_has_a_reference(name):
    refs = MODELS[name].references
    assert refs, f"{name} has no reference value"
    for ref in refs:
        assert ref.source and ref.rtol < 1e-2 and ref.atol >= 0.0
