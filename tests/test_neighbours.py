"""The sorted-window pair search (sotfit.neighbours) against all n^2 pairs."""

import numpy as np
import pytest

from sotfit.neighbours import sorted_window_pairs


def _brute(key, reach):
    reach = np.broadcast_to(reach, key.shape)
    out = set()
    for a in range(key.size):
        for b in range(key.size):
            if b != a and (key[a], a) < (key[b], b) and key[b] - key[a] <= reach[a]:
                out.add((a, b))
    return out


@pytest.mark.parametrize("per_item", [False, True])
def test_pairs_are_those_within_reach(per_item):
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 40))
        key = np.round(rng.normal(size=n), 1)          # ties among rounded keys
        reach = rng.uniform(0, 0.5, n) if per_item else float(rng.uniform(0, 0.5))
        found = {(a, int(b)) for a, rest in sorted_window_pairs(key, reach) for b in rest}
        assert found == _brute(key, reach)


def test_no_reach_pairs_only_equal_keys():
    key = np.array([3.0, 1.0, 3.0, 2.0, 1.0])
    found = {(a, int(b)) for a, rest in sorted_window_pairs(key, 0.0) for b in rest}
    assert found == {(1, 4), (0, 2)}
