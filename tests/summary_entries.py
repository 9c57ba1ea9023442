"""summary.json compared without the entries that name the files read or say how they were read
(the same results from the same numbers written another way)."""

#: Entries of summary.json that name the files read or say how they were read, not the result.
RUN_ENTRIES = {"source", "files", "notes", "inputs", "folder"}


def without_run_entries(obj):
    """``obj`` (a summary.json, or part of one) without the :data:`RUN_ENTRIES`, at any depth."""
    if isinstance(obj, dict):
        return {k: without_run_entries(v) for k, v in obj.items() if k not in RUN_ENTRIES}
    if isinstance(obj, list):
        return [without_run_entries(v) for v in obj]
    return obj


def stfmr_summary(folder, out, *options):
    """summary.json of ``sotfit stfmr FOLDER --no-figures --out OUT [options]`` (exit 0 asserted)."""
    import json

    from sotfit.cli import main

    assert main(["stfmr", str(folder), "--no-figures", "--out", str(out), *options]) == 0
    return json.loads((out / "summary.json").read_text())
