"""Theory commands: the errors a user meets name what they can change, and the summaries say
which Hamiltonian their parameters enter."""

import json

import pytest

from sotfit.cli import main


def _err(capsys, *args):
    rc = main(["theory", *args])
    return rc, capsys.readouterr().err


def test_tmatrix_refusals_name_the_options(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:      # an option's value: argparse's usage error
        main(["theory", "tmatrix", "--n-phi", "10000000", "--out", str(tmp_path / "a")])
    assert stop.value.code == 2                   # 10^7 rays did not end in minutes
    assert "must be an integer <= 8192" in capsys.readouterr().err
    rc, err = _err(capsys, "tmatrix", "--theta", "400deg", "--out", str(tmp_path / "b"))
    assert rc == 2 and "(400 deg) is beyond one turn" in err        # it spoke of radians only
    rc, err = _err(capsys, "tmatrix", "--alpha", "0meVnm", "--out", str(tmp_path / "c"))
    assert rc == 2 and "alpha = 0" in err and "(--alpha)" in err and "use response()" not in err
    rc, err = _err(capsys, "tmatrix", "--fermi-energy", "100meV", "--out", str(tmp_path / "d"))
    assert rc == 2 and "(--radius)" in err and "(--u)" in err       # no --cutoff option exists
    assert not any((tmp_path / n).exists() for n in "abcd")


def test_the_kubo_grid_names_eta_not_the_temperature(tmp_path, capsys):
    rc, err = _err(capsys, "kp", "--model", "2deg", "--alpha-r", "0.1", "--j-ex", "50meV",
                   "--method", "kubo", "--eta", "1e-9meV", "--sweep", "mu=0.1:0.2:2",
                   "--out", str(tmp_path / "k"))
    assert rc == 2 and "resolve the Kubo broadening eta, so raise it (--eta)" in err


def test_running_out_of_memory_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    """A grid of 10^8 azimuths ended in a MemoryError traceback with exit status 1."""
    import sotfit.cli.theory_tmatrix as tm

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(tm, "tmatrix_sweep", exhausted)
    rc, err = _err(capsys, "tmatrix", "--out", str(tmp_path / "m"))
    assert rc == 2 and "out of memory" in err and "Traceback" not in err
    assert not (tmp_path / "m").exists()


def test_kp_and_tmatrix_write_their_hamiltonians(tmp_path):
    """The same --alpha-r / --alpha number is half the Rashba splitting in the one and of the
    other sign: each summary writes the Hamiltonian and the mapping."""
    assert main(["theory", "kp", "--model", "2deg", "--alpha-r", "17meVnm", "--j-ex", "10meV",
                 "--sweep", "mu=0.05:0.1:2", "--out", str(tmp_path / "kp"), "--no-figures"]) == 0
    assert main(["theory", "tmatrix", "--out", str(tmp_path / "tm"), "--no-figures"]) == 0
    kp = json.loads((tmp_path / "kp" / "summary.json").read_text())["hamiltonian"]
    tm = json.loads((tmp_path / "tm" / "summary.json").read_text())["hamiltonian"]
    assert "(alpha_R/2)(z x k).s - (J_ex/2) m.s" in kp and "alpha_R = -2 alpha" in kp
    assert "alpha (k_x s_y - k_y s_x) + Delta_xc m.s" in tm and "alpha_R = -2 alpha" in tm


@pytest.mark.parametrize("alpha, j, d", [(0.017, 0.01, 0.005)])
def test_the_stated_mapping_makes_the_two_hamiltonians_equal(alpha, j, d):
    """alpha (k_x s_y - k_y s_x) + Delta m.s equals -(alpha_R/2)(z x k).s - (J_ex/2) m.s with
    alpha_R = -2 alpha, J_ex = -2 Delta, as matrices, for any k and m."""
    import numpy as np

    sx = np.array([[0, 1], [1, 0]], complex)
    sy = np.array([[0, -1j], [1j, 0]])
    sz = np.diag([1.0 + 0j, -1.0])
    rng = np.random.default_rng(0)
    for _ in range(5):
        kx, ky = rng.normal(size=2)
        m = rng.normal(size=3)
        m /= np.linalg.norm(m)
        ms = m[0] * sx + m[1] * sy + m[2] * sz
        tmatrix = alpha * (kx * sy - ky * sx) + d * ms
        zxk = (-ky, kx)                              # z x k
        alpha_r, j_ex = -2 * alpha, -2 * d
        kp = -(alpha_r / 2) * (zxk[0] * sx + zxk[1] * sy) - (j_ex / 2) * ms
        assert np.allclose(kp, tmatrix, atol=1e-15)
