"""``sotfit stfmr`` end to end against a plain lab-style lmfit loop, side by side in one run.

Usage (from the project root)::

    python tests/benchmarks/stfmr_cli_throughput.py [--files 10000] [--lab-files 1000]
        [--workers 2] [--memory 100,1000,10000] [--no-big] [--no-interleaved] [--dir DIR]
        [--with-sample]

Makes ``--files`` two-polarity files of 724 lines (the bundled example spectra,
data/stfmr_example, cycled, each with fresh white noise of 0.01 uV added), then times

* the lab loop: for each file ``pandas.read_csv``, then per field branch one
  ``lmfit.Model`` fit of the mixing lineshape started from the largest deviation from the
  median (argmax guess), on ``--lab-files`` of the files (scaled to all of them), half of
  them before the command runs and half after; and the same script with
  ``scipy.optimize.curve_fit`` in place of lmfit (the ratio against it leaves out lmfit's
  per-call cost, most of the lab loop's time);
* ``sotfit stfmr DIR --no-figures --no-global --out OUT`` as a command (a fresh process,
  imports included), serially and with ``--workers N``, and serially on the same files named
  in the order they were made (every frequency in turn: each chunk of the command then holds
  every field grid);

and reports wall and CPU time per file and their ratios, the CPU time of each step of the
command (:func:`stages`, in this process on up to 2000 of the files), and the peak resident memory of
the command for ``--memory`` file counts (``resource.getrusage``, the largest process; with
workers, the largest worker too). ``--big`` adds a 10^6-point spectrum (the 10 GHz example
interpolated onto 500 000 points per polarity, fresh noise, 20 MB): ``sotfit.load``, the
fit of the spectrum, and the command on that file. BLAS is limited to one thread (a
per-core comparison) unless ``--threads``. Nothing is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "stfmr_example"
if str(ROOT) not in sys.path:   # the per-step timing imports this clone's sotfit, as the runs do
    sys.path.insert(0, str(ROOT))

#: The command runner: runs ``sotfit`` in this process and reports its resources on stderr.
RUNNER = r"""
import json, resource, sys, time
t0, c0 = time.perf_counter(), time.process_time()
from sotfit.cli import main
status = main(sys.argv[1:])
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stderr.write("BENCH " + json.dumps({
    "status": status, "wall": time.perf_counter() - t0,
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    "maxrss_mb": me.ru_maxrss / 1024, "children_maxrss_mb": kids.ru_maxrss / 1024}) + "\n")
sys.exit(status)
"""


def make_files(folder: Path, n: int, seed: int = 1) -> Path:
    """``n`` copies of the example spectra (cycled) with fresh noise, in ``folder``."""
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(EXAMPLE.glob("py_pt_*GHz.csv"))
    rng = np.random.default_rng(seed)
    base = []
    for p in sources:
        lines = p.read_text(encoding="utf-8").splitlines()
        head = [ln for ln in lines if ln.startswith("#")]
        data = np.loadtxt(p, comments="#", delimiter=",", skiprows=len(head) + 1)
        base.append((p.stem, "\n".join(head + [lines[len(head)]]) + "\n", data))
    for i in range(n):
        stem, head, d = base[i % len(base)]
        v = d[:, 1] + rng.normal(0.0, 0.01, len(d))
        body = "\n".join(f"{a:.5f},{b:.6f}" for a, b in zip(d[:, 0], v))
        (folder / f"{stem}_{i:05d}.csv").write_text(head + body + "\n", encoding="utf-8")
    return folder


def in_order(folder: Path) -> list[Path]:
    """The files in the order they were made (every frequency in turn)."""
    return sorted(folder.glob("*.csv"), key=lambda p: (p.stem.rsplit("_", 1)[-1], p.name))


def subset(folder: Path, n: int, where: Path) -> Path:
    """A folder in ``where`` holding the first ``n`` files made in ``folder`` (hard links):
    every frequency, in equal numbers."""
    out = where / f"first{n}"
    if not out.is_dir():
        out.mkdir()
        for f in in_order(folder)[:n]:
            try:
                os.link(f, out / f.name)
            except OSError:                 # another file system
                os.symlink(f.resolve(), out / f.name)
    return out


def measured_order(files, where: Path) -> Path:
    """A folder in ``where`` holding ``files`` (hard links) named by their place in the list
    (``00000_py_pt_8GHz_00000.csv``, ...): read by name, every frequency comes in turn, as in
    a set whose files are numbered in the order they were measured."""
    out = where / "measured_order"
    if not out.is_dir():
        out.mkdir()
        for i, f in enumerate(files):
            try:
                os.link(f, out / f"{i:05d}_{f.name}")
            except OSError:                 # another file system
                os.symlink(f.resolve(), out / f"{i:05d}_{f.name}")
    return out


def mixing(h, h_res, width, vs, va, offset, slope):
    """The mixing lineshape of the lab scripts (a straight background)."""
    d = h - h_res
    return (vs * width ** 2 + va * width * d) / (d * d + width ** 2) + offset + slope * d


def lab_branches(f):
    """The lab scripts' reading of one file: ``pandas.read_csv``, each field branch in |H|
    sorted, and its argmax guess ``(x, y, [h_res, width, vs, va, offset, slope])``."""
    import numpy as np
    import pandas as pd

    t = pd.read_csv(f, comment="#")
    h = t.iloc[:, 0].to_numpy() * 1e-3                       # mT -> T
    v = t.iloc[:, 1].to_numpy()
    for p in (1, -1):
        m = np.sign(h) == p
        x, y = np.abs(h[m]), v[m]
        order = np.argsort(x)
        x, y = x[order], y[order]
        off = float(np.median(y))
        i = int(np.argmax(np.abs(y - off)))
        yield x, y, [x[i], 0.005, y[i] - off, 0.0, off, 0.0]


def lab_loop(files) -> dict:
    """The lab script: pandas read, one lmfit Model fit per field branch from an argmax guess."""
    from lmfit import Model

    model = Model(mixing)
    names = ("h_res", "width", "vs", "va", "offset", "slope")
    t0, c0 = time.perf_counter(), time.process_time()
    fitted = 0
    for f in files:
        for x, y, guess in lab_branches(f):
            r = model.fit(y, h=x, **dict(zip(names, guess)))
            fitted += bool(r.success)
    return {"files": len(files), "wall": time.perf_counter() - t0,
            "cpu": time.process_time() - c0, "branches_fitted": fitted}


def scipy_loop(files) -> dict:
    """The same lab script with ``scipy.optimize.curve_fit`` in place of lmfit (the same read,
    guess, model and branch): the per-call cost of lmfit's ``Model.fit`` is not in it."""
    from scipy.optimize import curve_fit

    t0, c0 = time.perf_counter(), time.process_time()
    fitted = 0
    for f in files:
        for x, y, guess in lab_branches(f):
            try:
                curve_fit(mixing, x, y, p0=guess)
                fitted += 1
            except RuntimeError:
                pass
    return {"files": len(files), "wall": time.perf_counter() - t0,
            "cpu": time.process_time() - c0, "branches_fitted": fitted}


def run_command(args: list[str], env: dict) -> dict:
    """``sotfit ARGS`` in a fresh process; its wall and CPU time and peak memory."""
    proc = subprocess.run([sys.executable, "-c", RUNNER, *args], env=env, capture_output=True,
                          text=True)
    for line in proc.stderr.splitlines():
        if line.startswith("BENCH "):
            out = json.loads(line[6:])
            if out["status"] != 0:
                raise RuntimeError(f"sotfit {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
            return out
    raise RuntimeError(f"sotfit {' '.join(args)} failed:\n{proc.stderr[-2000:]}")


#: The sample of the bundled example (README), for ``--with-sample``: every spectrum then
#: gives its torques and efficiencies, averaged over all files.
SAMPLE_OPTIONS = ["--ms", "0.95T", "--t-fm", "6nm", "--t-nm", "6nm", "--width", "10um", "--rho",
                  "20uOhmcm", "--rho-fm", "40uOhmcm", "--irf", "1mA", "--irf-is", "peak",
                  "--delta-r", "0.5Ohm"]
WITH_SAMPLE: list[str] = []


def stfmr(folder: Path, out: Path, env: dict, *extra: str) -> dict:
    return run_command(["stfmr", str(folder), "--no-figures", "--no-global", "--out", str(out),
                        *WITH_SAMPLE, *extra], env)


def big_spectrum(folder: Path, env: dict) -> dict:
    """A 10^6-point spectrum: load, fit and the command, in fresh processes."""
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "py_pt_10GHz_1e6.csv"
    d = np.loadtxt(EXAMPLE / "py_pt_10GHz.csv", comments="#", delimiter=",", skiprows=4)
    rng = np.random.default_rng(3)
    parts = []
    for p in (-1, 1):
        m = np.sign(d[:, 0]) == p
        h = np.linspace(d[m, 0][0], d[m, 0][-1], 500_000)
        parts.append(np.column_stack([h, np.interp(h, d[m, 0], d[m, 1])
                                      + rng.normal(0.0, 0.01, h.size)]))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("# frequency_GHz: 10\n# field_angle_deg: 45\nField (mT),Vmix (uV)\n")
        np.savetxt(fh, np.concatenate(parts), fmt="%.6f", delimiter=",")
    code = (
        "import json, resource, sys, time\n"
        "import sotfit as sf\n"
        "from sotfit.analysis.stfmr_spectra import fit_spectrum\n"
        "t = time.perf_counter(); d = sf.load(sys.argv[1])[0]; t_load = time.perf_counter() - t\n"
        "t = time.perf_counter(); s = fit_spectrum(d); t_fit = time.perf_counter() - t\n"
        "print(json.dumps({'points': len(d), 'load': t_load, 'fit': t_fit, 'maxrss_mb': "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'window_points': "
        "[r.meta['n_points_window'] for r in s.branches]}))\n")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], env=env, capture_output=True,
                          text=True, check=True)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["size_mb"] = path.stat().st_size / 1e6
    cmd = run_command(["stfmr", str(path), "--no-figures", "--out", str(folder / "out")], env)
    res["command_wall"] = cmd["wall"]
    res["command_maxrss_mb"] = cmd["maxrss_mb"]
    return res


#: The steps of the command that :func:`stages` times, in order.
STAGES = ("read", "search", "window fits", "rest of the fits", "Kittel, linewidth, checks",
          "summary", "tables", "summary.json")


def stages(files, chunk: int = 250) -> dict:
    """CPU time per file of each step of the command, in this process (library calls, the
    command's own chunks; imports not counted): reading, the resonance search, the window
    fits (variable projection), the rest of the spectrum fits (results, combination), the
    dispersion fits and checks, the summary, the tables and summary.json."""
    import time as _t

    import lmfit  # noqa: F401 - imported once by the command: not a cost per file

    from sotfit.analysis.stfmr import branch_fit, file_batches, summary_dict
    from sotfit.analysis.stfmr.output import write_tables
    from sotfit.analysis.stfmr.pipeline import analyse_stfmr, collect_fits, fit_chunk
    from sotfit.cli.common import write_summary
    from sotfit.device import Sample

    spent = dict.fromkeys(STAGES, 0.0)

    def timed(name, fn):
        def run(*a, **k):
            t = _t.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += _t.process_time() - t
        return run

    search, windows = branch_fit.find_resonances, branch_fit._fit_windows
    branch_fit.find_resonances = timed("search", search)
    branch_fit._fit_windows = timed("window fits", windows)
    results, sources, freqs = [], [], {}
    try:
        for i in range(0, len(files), chunk):
            t = _t.process_time()
            sweep, _ = file_batches.read_files([str(f) for f in files[i:i + chunk]])
            spent["read"] += _t.process_time() - t
            t = _t.process_time()
            before = spent["search"] + spent["window fits"]
            fits = fit_chunk((None, 6.0), sweep)
            fits = file_batches._all_without_data(fits, keep_windows=False)
            spent["rest of the fits"] += (_t.process_time() - t
                                          - (spent["search"] + spent["window fits"] - before))
            results += fits
            sources += [d.source for d in sweep]
            freqs.update({d.source: d.meta["frequency"] for d in sweep})
    finally:
        branch_fit.find_resonances, branch_fit._fit_windows = search, windows
    out = Path(tempfile.mkdtemp(prefix="sotfit-stages-"))
    t = _t.process_time()
    analysis = analyse_stfmr(None, global_fit=False, spectrum_correlations=False,
                             fitted=(*collect_fits(sources, results, "skip"), freqs))
    spent["Kittel, linewidth, checks"] = _t.process_time() - t
    t = _t.process_time()
    summary = summary_dict(analysis, Sample())
    spent["summary"] = _t.process_time() - t
    t = _t.process_time()
    write_tables(analysis, out)
    spent["tables"] = _t.process_time() - t
    t = _t.process_time()
    write_summary(summary, out)
    spent["summary.json"] = _t.process_time() - t
    return {k: 1e3 * v / len(files) for k, v in spent.items()}


def measure(n_files: int = 10000, lab_files: int = 1000, workers: int | None = 2,
            memory=(100, 1000, 10000), big: bool = True, folder: Path | None = None,
            threads: bool = False, interleaved: bool = True) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if not threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(var, "1")
    tmp = tempfile.TemporaryDirectory(prefix="sotfit-bench-")
    work = Path(tmp.name)
    folder = folder or work / "files"
    have = len(list(folder.glob("*.csv"))) if folder.is_dir() else 0
    if have < n_files:
        t = time.perf_counter()
        make_files(folder, n_files)
        print(f"made {n_files} files in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    files = in_order(folder)[:n_files]
    full = folder if have in (0, n_files) else subset(folder, n_files, work)
    out = {"files": n_files, "points_per_file": 720}
    # the lab loop on half of its files before the command and on the other half after it,
    # so that a machine shared with other jobs slows both alike
    lab_set = files[:min(lab_files or n_files, n_files)]
    before = lab_loop(lab_set[:len(lab_set) // 2])
    scipy_before = scipy_loop(lab_set[:len(lab_set) // 2])
    out["sotfit"] = stfmr(full, work / "out_serial", env)
    if workers and workers > 1:
        out["sotfit_workers"] = stfmr(full, work / "out_workers", env, "--workers", str(workers))
        out["workers"] = workers
    if interleaved:
        out["sotfit_interleaved"] = stfmr(measured_order(files, work), work / "out_order", env)
    after = lab_loop(lab_set[len(lab_set) // 2:])
    scipy_after = scipy_loop(lab_set[len(lab_set) // 2:])
    out["scipy_lab"] = {k: scipy_before[k] + scipy_after[k]
                        for k in ("files", "wall", "cpu", "branches_fitted")}
    lab = {k: before[k] + after[k] for k in ("files", "wall", "cpu", "branches_fitted")}
    lab["ms_before_after"] = [1e3 * x["wall"] / max(x["files"], 1) for x in (before, after)]
    out["lab"] = lab
    for key in ("sotfit", "sotfit_workers", "sotfit_interleaved"):
        if key in out:
            r = out[key]
            r["ms_per_file"] = 1e3 * r["wall"] / n_files
            r["ratio_wall"] = (lab["wall"] / lab["files"]) / (r["wall"] / n_files)
            r["ratio_cpu"] = (lab["cpu"] / lab["files"]) / (r["cpu"] / n_files)
    out["memory"] = []
    for n in memory:
        if n > n_files:
            continue
        src = full if n == n_files else subset(folder, n, work)
        r = out["sotfit"] if n == n_files else stfmr(src, work / f"out_mem{n}", env)
        out["memory"].append({"files": n, "maxrss_mb": r["maxrss_mb"], "wall": r["wall"]})
    if big:
        out["big"] = big_spectrum(work / "big", env)
    # in the command's order (the folder's files by name), on the first files of it
    out["stages"] = stages(sorted(full.glob("*.csv"))[:min(2000, n_files)])
    tmp.cleanup()
    return out


def report(m: dict) -> str:
    lab = m["lab"]
    lab_ms = 1e3 * lab["wall"] / lab["files"]
    lab_cpu = 1e3 * lab["cpu"] / lab["files"]
    lines = [f"{m['files']} two-polarity files of 724 lines (the example spectra, fresh noise)",
             "| run | s for all files | ms per file | CPU ms per file | ratio (wall) | ratio (CPU) |",
             "| --- | --- | --- | --- | --- | --- |",
             f"| lab loop (pandas + lmfit per branch, argmax guess; {lab['files']} files, half "
             f"before and half after the command: "
             f"{lab['ms_before_after'][0]:.1f} and {lab['ms_before_after'][1]:.1f} ms; scaled) "
             f"| {lab['wall'] * m['files'] / lab['files']:.0f} | {lab_ms:.1f} | {lab_cpu:.1f} | 1 | 1 |"]
    for key, label in (("sotfit", "`sotfit stfmr DIR --no-figures --no-global`"),
                       ("sotfit_workers", f"the same with `--workers {m.get('workers')}`"),
                       ("sotfit_interleaved", "the same, serially, files named in the order "
                                              "measured (every frequency in turn)")):
        if key in m:
            r = m[key]
            lines.append(f"| {label} | {r['wall']:.0f} | {r['ms_per_file']:.2f} | "
                         f"{1e3 * r['cpu'] / m['files']:.2f} | **{r['ratio_wall']:.1f}x** | "
                         f"{r['ratio_cpu']:.1f}x |")
    if "scipy_lab" in m:
        sl = m["scipy_lab"]
        sl_ms = 1e3 * sl["wall"] / sl["files"]
        lines.append(f"| the same lab script with scipy's curve_fit for lmfit (no lmfit per-call "
                     f"cost; {sl['files']} files, scaled) | {sl['wall'] * m['files'] / sl['files']:.0f}"
                     f" | {sl_ms:.1f} | {1e3 * sl['cpu'] / sl['files']:.1f} | "
                     f"{lab_ms / sl_ms:.1f}x | |")
        for key in ("sotfit", "sotfit_workers"):
            if key in m:
                lines.append(f"| ratio of `{'--workers' if key != 'sotfit' else 'sotfit stfmr'}"
                             f"` against the curve_fit script | | | | "
                             f"**{sl_ms / m[key]['ms_per_file']:.2f}x** | |")
    lines.append("")
    lines.append("| files | peak resident memory of the command (MB) | wall (s) |")
    lines.append("| --- | --- | --- |")
    for r in m["memory"]:
        lines.append(f"| {r['files']} | {r['maxrss_mb']:.0f} | {r['wall']:.1f} |")
    if "stages" in m:
        lines.append("")
        lines.append("| step of the command (CPU ms per file, in-process) | " +
                     " | ".join(m["stages"]) + " | all |")
        lines.append("| --- " * (len(m["stages"]) + 2) + "|")
        lines.append("| | " + " | ".join(f"{v:.2f}" for v in m["stages"].values())
                     + f" | {sum(m['stages'].values()):.2f} |")
    if "big" in m:
        b = m["big"]
        lines.append("")
        lines.append(f"10^6-point spectrum ({b['size_mb']:.0f} MB): sotfit.load {b['load']:.1f} s, "
                     f"fit {b['fit']:.1f} s (windows of {b['window_points']} points), "
                     f"peak {b['maxrss_mb']:.0f} MB; `sotfit stfmr FILE --no-figures` "
                     f"{b['command_wall']:.1f} s, peak {b['command_maxrss_mb']:.0f} MB")
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description="sotfit stfmr end to end against a lab loop")
    ap.add_argument("--files", type=int, default=10000,
                    help="two-polarity files the command fits (default 10000; chunks of 250 "
                         "files: --workers runs in parallel only from 500)")
    ap.add_argument("--lab-files", type=int, default=1000,
                    help="files the lab loop fits (scaled to --files; 0: all)")
    ap.add_argument("--workers", type=int, default=2, help="also run with --workers N (0: no)")
    ap.add_argument("--memory", default="100,1000,10000",
                    help="file counts whose peak memory is measured")
    ap.add_argument("--no-big", action="store_true", help="skip the 10^6-point spectrum")
    ap.add_argument("--dir", type=Path, help="folder of files to reuse (made when missing)")
    ap.add_argument("--threads", action="store_true", help="leave the BLAS thread count alone")
    ap.add_argument("--no-interleaved", action="store_true",
                    help="skip the run on the files named in the order measured")
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON too")
    ap.add_argument("--with-sample", action="store_true",
                    help="give the command the example's sample (torques and efficiencies of "
                         "every spectrum and their means)")
    args = ap.parse_args(argv)
    if args.with_sample:
        WITH_SAMPLE[:] = SAMPLE_OPTIONS
    m = measure(args.files, args.lab_files, args.workers,
                [int(x) for x in args.memory.split(",") if x], not args.no_big, args.dir,
                args.threads, not args.no_interleaved)
    print(report(m))
    if args.json:
        print(json.dumps(m, indent=2))


if __name__ == "__main__":
    main()
