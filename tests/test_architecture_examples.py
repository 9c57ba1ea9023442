"""The worked examples of docs/architecture.md run and their assertions hold.

Every ```python block of the document whose first line is ``# example: NAME`` is executed in a
fresh namespace, in a temporary working folder. An example that reads the bundled data under
``data/`` writes ``ROOT = Path(".")`` (a reader runs it from the project root, as written); here
that line is pointed at the project root. Blocks without the marker (shell and cluster recipes)
are not run.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"

#: The examples the document must keep (one per extension point and per core path).
EXPECTED = ("stfmr-path", "thickness-path", "lineshape", "reader", "theory-target", "subcommand",
            "sample", "problem")

_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
_MARKER = re.compile(r"#\s*example:\s*([A-Za-z0-9_.-]+)\s*")


def python_blocks(text: str) -> list[str]:
    """The bodies of the ```python blocks of a markdown text, in order."""
    return _BLOCK.findall(text)


def examples(text: str) -> dict[str, str]:
    """``{name: code}`` of the blocks whose first line is ``# example: NAME``."""
    out = {}
    for body in python_blocks(text):
        first = body.split("\n", 1)[0]
        m = _MARKER.fullmatch(first)
        if m:
            assert m.group(1) not in out, f"two examples named {m.group(1)!r}"
            out[m.group(1)] = body
    return out


EXAMPLES = examples(DOC.read_text(encoding="utf-8"))


def test_every_expected_example_is_in_the_document():
    assert set(EXPECTED) <= set(EXAMPLES), sorted(set(EXPECTED) - set(EXAMPLES))


def test_unmarked_blocks_are_not_examples():
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    unmarked = [b for b in blocks if not _MARKER.fullmatch(b.split("\n", 1)[0])]
    assert any("dask_jobqueue" in b for b in unmarked)       # the cluster recipe is not run
    assert len(blocks) == len(EXAMPLES) + len(unmarked)


def test_the_extraction_reads_markers_and_fences():
    text = ("intro\n```python\n# example: one\nx = 1\nassert x == 1\n```\n"
            "```python\nprint('not run')\n```\n```\nsotfit stfmr a.csv\n```\n")
    assert examples(text) == {"one": "# example: one\nx = 1\nassert x == 1\n"}
    assert len(python_blocks(text)) == 2


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs(name, tmp_path, monkeypatch):
    from sotfit import cli
    from sotfit.io import READERS

    code = EXAMPLES[name]
    assert "assert " in code, f"example {name!r} checks nothing"
    readers, commands = dict(READERS), list(cli.COMMANDS)
    monkeypatch.chdir(tmp_path)
    if "ROOT" in code:
        assert 'ROOT = Path(".")' in code, f"example {name!r} uses ROOT without defining it"
        code = code.replace('ROOT = Path(".")', f"ROOT = Path({str(ROOT)!r})")
    namespace = {"__name__": f"architecture_example_{name.replace('-', '_')}"}
    exec(compile(code, f"{DOC.name}[example: {name}]", "exec"), namespace)
    # an example may extend a registry for its own use, but leaves it as it found it
    assert dict(READERS) == readers and list(cli.COMMANDS) == commands


def _anchor(heading: str) -> str:
    """The anchor a markdown renderer gives a heading: lower case, punctuation dropped, spaces
    to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_into_the_document_find_their_headings():
    """Links such as ``docs/architecture.md#scale-out---workers-and---scheduler`` in the README
    and the other documents name a heading that exists."""
    text = DOC.read_text(encoding="utf-8")
    outside = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)     # no comments of code
    anchors = {_anchor(h) for h in re.findall(r"^#{1,6} (.+)$", outside, flags=re.M)}
    sources = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    links = [(p.name, a) for p in sources
             for a in re.findall(r"architecture\.md#([\w\-]+)", p.read_text(encoding="utf-8"))]
    assert links, "no document links into docs/architecture.md"
    missing = [(name, a) for name, a in links if a not in anchors]
    assert not missing, missing


def test_the_document_names_no_local_paths():
    text = DOC.read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w.])/(?:work|tmp|home|Users)/", text)
