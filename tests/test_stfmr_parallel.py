"""``sotfit stfmr`` on local processes and on a dask.distributed cluster: the same results as
the serial run (the chunks of files are the tasks of sotfit.parallel.map_tasks)."""

import json
from pathlib import Path

import pytest

from sotfit.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "stfmr_example"


def _summary(tmp_path, name, *extra):
    out = tmp_path / name
    assert main(["stfmr", str(EXAMPLE), "--out", str(out), "--no-figures", *extra]) == 0
    s = json.loads((out / "summary.json").read_text())
    tables = [(out / t).read_text() for t in ("spectra.csv", "spectra_combined.csv")]
    return s, tables


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    return _summary(tmp_path_factory.mktemp("serial"), "serial")


def test_local_processes_give_the_serial_results(serial, tmp_path, monkeypatch):
    import sotfit.cli.stfmr as cli

    monkeypatch.setattr(cli, "CHUNK_FILES", 2)          # three tasks over two processes
    par = _summary(tmp_path, "workers", "--workers", "2")
    assert par == serial


def test_dask_cluster_gives_the_serial_results(serial, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    import sotfit.cli.stfmr as cli

    monkeypatch.setattr(cli, "CHUNK_FILES", 2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        par = _summary(tmp_path, "dask", "--scheduler", cluster.scheduler_address)
    assert par == serial


def test_library_workers_give_the_serial_results():
    import sotfit as sf
    from sotfit.analysis.stfmr import analyse_stfmr, summary_dict

    sweep = sf.load(EXAMPLE)
    a = summary_dict(analyse_stfmr(sweep, global_fit=False))
    from sotfit.analysis import stfmr as an

    b = summary_dict(analyse_stfmr(sweep, global_fit=False, workers=2))
    a.pop("sotfit_version"), b.pop("sotfit_version")
    assert json.dumps(a, default=float) == json.dumps(b, default=float)
    assert an.CHUNK_SPECTRA >= len(sweep)


def test_workers_and_scheduler_together_are_refused(tmp_path, capsys):
    assert main(["stfmr", str(EXAMPLE), "--out", str(tmp_path / "o"), "--no-figures",
                 "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "workers" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_quiet_without_a_terminal(tmp_path, capsys):
    main(["stfmr", str(EXAMPLE), "--out", str(tmp_path / "o"), "--no-figures", "--json"])
    err = capsys.readouterr().err
    assert "reading and fitting" not in err and "[" not in err


def test_rows_made_while_waiting_are_the_rows_made_at_the_end(tmp_path):
    """SpectrumRows makes the spectra's summary and table rows as the fits arrive: the
    summary and tables are those made without it, and a row is handed out once (a second
    request makes a new one)."""
    import sotfit as sf
    from sotfit.analysis.stfmr import analyse_stfmr, summary_dict
    from sotfit.analysis.stfmr.output import SpectrumRows, spectrum_row, write_tables

    analysis = analyse_stfmr(sf.load(EXAMPLE), global_fit=False)
    rows = SpectrumRows()
    rows.add(list(analysis.spectra) + [ValueError("a failed spectrum")])
    first = analysis.spectra[0]
    assert rows.summary_row(first) == spectrum_row(first)
    assert rows.summary_row(first) is not rows.summary_row(first)       # taken: made anew
    rows.add([first])
    assert summary_dict(analysis, rows=rows) == summary_dict(analysis)
    write_tables(analysis, tmp_path / "a")
    write_tables(analysis, tmp_path / "b", rows)
    for t in ("spectra.csv", "spectra_combined.csv"):
        assert (tmp_path / "a" / t).read_bytes() == (tmp_path / "b" / t).read_bytes()
