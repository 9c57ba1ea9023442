"""Comparing the summary.json of two runs over the same spectra read from other files."""


def without_sources(value):
    """``value`` (a summary or part of it) with every ``source``/``path`` entry, the file
    names, left out."""
    if isinstance(value, dict):
        return {k: without_sources(v) for k, v in value.items() if k not in ("source", "path")}
    if isinstance(value, list):
        return [without_sources(v) for v in value]
    return value
