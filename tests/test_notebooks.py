"""Jupyter notebooks: the code cells are one program; findings by cell; fixes touch only the
changed cells' sources and nothing else of the file."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from conftest import TF1_SAFE, git
from tfmigrate import notebooks
from tfmigrate.config import Settings
from tfmigrate.engine import Result, all_rules

SETTINGS = Settings().validate(rule.code for rule in all_rules())
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJ"
       "RU5ErkJggg==")
CELL_FINDING = re.compile(r"^(?P<path>[^\s:][^:]*):cell (?P<cell>\d+):(?P<line>\d+):(?P<col>\d+): "
                          r"(?P<code>TFM\d{3})(?P<fix> \[\*\])? ", re.M)


def cell_findings(output: str) -> list[tuple[str, int, int, int, str]]:
    return [(m["path"], int(m["cell"]), int(m["line"]), int(m["col"]), m["code"])
            for m in CELL_FINDING.finditer(output)]


def notebook(*cells: tuple[str, str], outputs: bool = True) -> nbformat.NotebookNode:
    """cells: (kind, source); code cells get an execution count, a stream and an image output."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"},
                   "language_info": {"name": "python", "version": "3.11.4"},
                   "custom": {"keep": ["me", 1]}}
    count = 0
    for kind, source in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(source))
            continue
        count += 1
        cell = nbformat.v4.new_code_cell(source, execution_count=count)
        cell.metadata = {"scrolled": True, "tags": ["t"]}
        if outputs:
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text=f"out {count}\n"),
                nbformat.v4.new_output("display_data", data={"image/png": PNG,
                                                             "text/plain": "<Figure>"}),
            ]
        nb.cells.append(cell)
    return nb


def write_nb(project, name: str, nb) -> bytes:
    path = project.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path.read_bytes()


def only_sources_changed(before: bytes, after: bytes) -> list[int]:
    """Cell numbers whose source changed; asserts nothing else in the JSON did."""
    old, new = json.loads(before), json.loads(after)
    assert set(old) == set(new)
    assert {k: v for k, v in old.items() if k != "cells"} == \
        {k: v for k, v in new.items() if k != "cells"}
    assert len(old["cells"]) == len(new["cells"])
    changed = []
    for number, (a, b) in enumerate(zip(old["cells"], new["cells"]), start=1):
        assert list(a) == list(b), "key order of a cell"
        for key in a:
            if key != "source":
                assert a[key] == b[key], (number, key)
        if a["source"] != b["source"]:
            assert a["cell_type"] == "code"
            changed.append(number)
    return changed


def source(raw: bytes, number: int) -> str:
    return notebooks.cell_sources(raw)[number]


TF_NOTEBOOK = (
    ("md", "# A TF1 tutorial"),
    ("code", "%matplotlib inline\n!pip install tensorflow==1.15\nimport tensorflow as tf"),
    ("md", "Build the graph."),
    ("code", "x = tf.placeholder(tf.float32, [None])\ntf.logging.info('built')"),
    ("code", "print(1)"),  # no TensorFlow: never changed
    ("code", "tf.logging.set_verbosity(tf.logging.INFO)\ntf.Session?"),
)


# -- the program and positions ---------------------------------------------------------------

def test_check_reports_cell_line_and_column(project):
    before = write_nb(project, "tut.ipynb", notebook(*TF_NOTEBOOK))
    result = project.run("check", "--no-cache", "tut.ipynb")
    assert result.returncode == 1, result.stderr
    found = cell_findings(result.stdout)
    assert ("tut.ipynb", 4, 1, 5, "TFM806") in found  # tf.placeholder: cell 4, line 1, col 5
    assert ("tut.ipynb", 4, 2, 1, "TFM104") in found
    assert ("tut.ipynb", 6, 1, 1, "TFM104") in found
    assert {f[1] for f in found} == {4, 6}  # the magics in cell 2 and the help line are quiet
    assert "tut.ipynb:cell 4:1:5: TFM806" in result.stdout
    assert (project.root / "tut.ipynb").read_bytes() == before


def test_code_cells_are_one_program():
    """`tf` is imported in cell 1 only; cells 3 and 5 use it: one module, not five."""
    raw = nbformat.writes(notebook(
        ("code", "import tensorflow as tf"),
        ("md", "text"),
        ("code", "tf.logging.info('a')"),
        ("code", "def f():\n    return tf.gfile.Exists('x')"),
        ("code", "f()\ntf.logging.info('b')"))).encode()
    result = notebooks.migrate(raw, "nb.ipynb", SETTINGS)
    assert {(d.cell, d.line, d.code) for d in result.diagnostics} == {
        (3, 1, "TFM104"), (4, 2, "TFM105"), (5, 2, "TFM104")}
    fixed = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True)
    assert only_sources_changed(raw, fixed.fixed_source) == [1, 3, 4, 5]
    # The import the fixes need is added where the module's imports are: the first code cell.
    assert source(fixed.fixed_source, 1) == "import tensorflow as tf\nfrom absl import logging"
    assert source(fixed.fixed_source, 3) == "logging.info('a')"
    assert source(fixed.fixed_source, 4) == "def f():\n    return tf.io.gfile.exists('x')"
    assert fixed.diagnostics == []


def test_positions_after_fixes_refer_to_the_fixed_cells():
    raw = nbformat.writes(notebook(
        ("code", "import tensorflow as tf"),
        ("code", "tf.logging.info('a')\nx = tf.placeholder(tf.float32)"))).encode()
    fixed = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True)
    [left] = fixed.diagnostics
    assert (left.cell, left.line, left.column, left.code) == (2, 2, 5, "TFM806")


# -- IPython lines -------------------------------------------------------------------------

MAGIC_CELLS = (
    ("code", "%matplotlib inline\n%load_ext autoreload\n!pip install tensorflow==1.15 \\\n"
             "    numpy\nimport tensorflow as tf\nfiles = !ls data\ntf.logging.info('x')"),
    ("code", "%%bash\necho tf.logging.info\ntf.logging.info('not python')"),
    ("code", "%%time\ntf.logging.info('timed')\n"),
    ("code", "if True:\n    !echo inside\n    tf.logging.info('in block')\ntf.Session??\n"
             "?tf.placeholder"),
    ("code", "%timeit tf.logging.info('magic argument')\ny = %env HOME"),
)


def test_magics_and_shell_lines_are_kept_byte_for_byte():
    raw = nbformat.writes(notebook(*MAGIC_CELLS)).encode()
    result = notebooks.migrate(raw, "nb.ipynb", SETTINGS)
    assert {(d.cell, d.line, d.code) for d in result.diagnostics} == {
        (1, 7, "TFM104"), (3, 2, "TFM104"), (4, 3, "TFM104")}
    fixed = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True)
    assert fixed.fixed_source is not None, fixed.diagnostics
    assert only_sources_changed(raw, fixed.fixed_source) == [1, 3, 4]
    new = notebooks.cell_sources(fixed.fixed_source)
    assert new[1] == ("%matplotlib inline\n%load_ext autoreload\n"
                      "!pip install tensorflow==1.15 \\\n    numpy\nimport tensorflow as tf\n"
                      "from absl import logging\nfiles = !ls data\nlogging.info('x')")
    assert new[2] == MAGIC_CELLS[1][1]  # a %%bash cell is not Python: untouched
    assert new[3] == "%%time\nlogging.info('timed')\n"  # a %%time body is Python
    assert new[4] == ("if True:\n    !echo inside\n    logging.info('in block')\n"
                      "tf.Session??\n?tf.placeholder")
    assert new[5] == MAGIC_CELLS[4][1]
    again = notebooks.migrate(fixed.fixed_source, "nb.ipynb", SETTINGS, fix=True)
    assert again.fixed_source is None and again.diagnostics == []


@pytest.mark.parametrize("cell, expected", [
    ("import tensorflow as tf\nx = (4\n     % 3)\n!ls\ntf.logging.info('x')",
     "from absl import logging\nx = (4\n     % 3)\n!ls\nlogging.info('x')"),
    ('import tensorflow as tf\ns = """\n!not magic\n%nor this\n"""\n%time y = 1\n'
     'tf.logging.info(s)',
     'from absl import logging\ns = """\n!not magic\n%nor this\n"""\n%time y = 1\n'
     'logging.info(s)'),
])
def test_python_lines_that_look_like_magics_stay_python(cell, expected):
    raw = nbformat.writes(notebook(("code", cell))).encode()
    fixed = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True)
    assert fixed.diagnostics == []
    assert source(fixed.fixed_source, 1) == expected


# -- writing -------------------------------------------------------------------------------

def test_fix_write_changes_only_the_changed_cells(project):
    before = write_nb(project, "tut.ipynb", notebook(*TF_NOTEBOOK))
    result = project.run("fix", "--write", "--no-cache", "tut.ipynb")
    assert result.returncode == 1, result.stderr  # tf.placeholder is left for a person
    after = (project.root / "tut.ipynb").read_bytes()
    assert only_sources_changed(before, after) == [2, 4, 6]
    nb = nbformat.reads(after.decode(), as_version=nbformat.NO_CONVERT)
    nbformat.validate(nb)
    old = nbformat.reads(before.decode(), as_version=nbformat.NO_CONVERT)
    for a, b in zip(old.cells, nb.cells):
        assert a.get("id") == b.get("id") and a.metadata == b.metadata
        assert a.get("outputs") == b.get("outputs")
        assert a.get("execution_count") == b.get("execution_count")
    assert nb.metadata == old.metadata
    assert source(after, 2) == ("%matplotlib inline\n!pip install tensorflow==1.15\n"
                                "import tensorflow as tf\nfrom absl import logging")
    assert source(after, 6) == "logging.set_verbosity(logging.INFO)\ntf.Session?"
    # The file is what nbformat itself would write for the new content: same formatting.
    assert after.decode() == nbformat.writes(nb) + "\n"
    assert "tut.ipynb:cell 4:1:5: TFM806" in result.stdout
    # Fixed: a second run changes nothing.
    project.run("fix", "--write", "--no-cache", "tut.ipynb")
    assert (project.root / "tut.ipynb").read_bytes() == after


def test_notebook_without_changes_stays_byte_identical(project):
    clean = write_nb(project, "clean.ipynb", notebook(
        ("code", "%matplotlib inline\nimport tensorflow as tf\nx = tf.constant(1)")))
    manual = write_nb(project, "manual.ipynb", notebook(
        ("code", "import tensorflow as tf\nx = tf.placeholder(tf.float32)")))
    result = project.run("fix", "--write", "--no-cache", ".")
    assert result.returncode == 1, result.stderr
    assert (project.root / "clean.ipynb").read_bytes() == clean
    assert (project.root / "manual.ipynb").read_bytes() == manual
    assert "Fixed 0 findings in 0 files; 1 left for a person." in result.stderr


def _dump(data, style: str) -> str:
    if style == "nbformat":
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    if style == "indent2-ascii-unsorted-no-newline":
        return json.dumps(data, indent=2, ensure_ascii=True)
    if style == "python2-separators":  # Python 2's json.dumps(indent=1): ", " before line ends
        return json.dumps(data, indent=1, sort_keys=True, separators=(", ", ": ")) + "\n"
    if style == "tabs-crlf":
        return json.dumps(data, indent="\t", ensure_ascii=False).replace("\n", "\r\n") + "\r\n"
    if style == "one-line":
        return json.dumps(data)
    raise AssertionError(style)


@pytest.mark.parametrize("style", ["nbformat", "indent2-ascii-unsorted-no-newline",
                                   "python2-separators", "tabs-crlf", "one-line"])
@pytest.mark.parametrize("as_string", [False, True], ids=["lines", "string"])
def test_the_json_formatting_is_kept(style, as_string):
    data = json.loads(nbformat.writes(notebook(
        ("md", "Café ☕ — unicode stays as it was"),
        ("code", "import tensorflow as tf\n\ntf.logging.info('naïve ☕')"),
        ("code", "s = 'ünchanged'"),
        ("code", "tf.gfile.MakeDirs('/tmp/x')"),
        ("code", ""))))
    # Another tool's key order (not sorted), and sources as one string or as lines.
    data = {"nbformat_minor": data["nbformat_minor"], "nbformat": data["nbformat"],
            "metadata": data["metadata"], "cells": data["cells"]}
    for cell in data["cells"]:
        cell["source"] = "".join(cell["source"]) if as_string else \
            "".join(cell["source"]).splitlines(True)
    raw = _dump(data, style).encode()
    fixed = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True)
    assert fixed.fixed_source is not None, fixed.diagnostics
    assert only_sources_changed(raw, fixed.fixed_source) == [2, 4]
    expected = json.loads(raw)
    for number, new in ((2, "import tensorflow as tf\nfrom absl import logging\n\n"
                            "logging.info('naïve ☕')"),
                        (4, "tf.io.gfile.makedirs('/tmp/x')")):
        expected["cells"][number - 1]["source"] = new if as_string else new.splitlines(True)
    # Byte for byte what the same writer would have written for the new content.
    assert fixed.fixed_source.decode() == _dump(expected, style)


def test_unchanged_notebook_in_odd_formatting_is_left_alone():
    raw = json.dumps(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import tensorflow as tf\nx = tf.placeholder(tf.float32)")]), indent=3).encode()
    result = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True)
    assert result.fixed_source is None
    assert [d.code for d in result.diagnostics] == ["TFM806"]


def test_a_lost_cell_boundary_is_reported_and_nothing_changes(monkeypatch):
    raw = nbformat.writes(notebook(("code", "import tensorflow as tf"),
                                   ("code", "tf.logging.info('a')"))).encode()
    real = notebooks.migrate_module

    def lose_boundaries(text, path, settings, fix=False):
        result = real(text, path, settings, fix=fix)
        if fix and result.fixed_source is not None:
            result.fixed_source = re.sub(r"# tfmigrate-cell-\w+-\d+\n", "", result.fixed_source)
        return result

    monkeypatch.setattr(notebooks, "migrate_module", lose_boundaries)
    result = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True)
    assert result.fixed_source is None and result.fixed_codes == []
    assert result.diagnostics[0].code == "TFM905"
    assert "cell boundary" in result.diagnostics[0].message
    assert [(d.cell, d.code) for d in result.diagnostics[1:]] == [(2, "TFM104")]


def test_a_changed_magic_placeholder_is_reported(monkeypatch):
    raw = nbformat.writes(notebook(("code", "!ls\nimport tensorflow as tf"),
                                   ("code", "tf.logging.info('a')"))).encode()
    real = notebooks.migrate_module

    def drop_placeholder(text, path, settings, fix=False):
        result = real(text, path, settings, fix=fix)
        if fix and result.fixed_source is not None:
            result.fixed_source = re.sub(r"pass  # tfmigrate-magic-\w+-\d+\n", "",
                                         result.fixed_source)
        return result

    monkeypatch.setattr(notebooks, "migrate_module", drop_placeholder)
    result = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True)
    assert result.fixed_source is None
    assert result.diagnostics[0].code == "TFM905"
    assert "IPython line" in result.diagnostics[0].message


# -- bad notebooks ---------------------------------------------------------------------------

def test_python2_and_broken_notebooks_are_findings_and_the_run_goes_on(project):
    py2 = write_nb(project, "py2.ipynb", notebook(
        ("code", "import tensorflow as tf"),
        ("md", "old"),
        ("code", "with tf.Session() as sess:\n    print sess.run(1)")))
    broken = project.write("broken.ipynb", '{"cells": [{"cell_type": "code", "source": "import '
                                           'tensorflow"')
    not_nb = project.write("data.ipynb", '{"tensorflow": "a JSON file, not a notebook"}\n')
    bad_schema = project.write("schema.ipynb", json.dumps(
        {"cells": [{"cell_type": "code", "source": "import tensorflow"}], "metadata": {},
         "nbformat": 4, "nbformat_minor": 5}))
    v3 = project.write("v3.ipynb", json.dumps({"nbformat": 3, "worksheets": [
        {"cells": [{"cell_type": "code", "input": "import tensorflow"}]}]}))
    good = write_nb(project, "good.ipynb", notebook(("code", TF1_SAFE)))
    project.write("train.py", TF1_SAFE)
    result = project.run("fix", "--write", "--no-cache", ".")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert re.search(r"^py2\.ipynb:cell 3:2:\d+: TFM903 .*Python 2", out, re.M), out
    assert re.search(r"^broken\.ipynb:1:1: TFM902 not a notebook: invalid JSON", out, re.M)
    assert re.search(r"^data\.ipynb:1:1: TFM902 not a notebook", out, re.M)
    assert re.search(r"^schema\.ipynb:1:1: TFM902 not a valid notebook", out, re.M)
    assert re.search(r"^v3\.ipynb:1:1: TFM902 not supported: nbformat 3", out, re.M)
    assert (project.root / "py2.ipynb").read_bytes() == py2
    assert (project.root / "broken.ipynb").read_bytes() == broken.read_bytes()
    assert (project.root / "data.ipynb").read_bytes() == not_nb.read_bytes()
    assert (project.root / "schema.ipynb").read_bytes() == bad_schema.read_bytes()
    assert (project.root / "v3.ipynb").read_bytes() == v3.read_bytes()
    # ... and the good files were fixed in the same run.
    assert "logging.info" in source((project.root / "good.ipynb").read_bytes(), 1)
    assert (project.root / "good.ipynb").read_bytes() != good
    assert "from absl import logging" in project.read("train.py")


def test_other_kernel_languages_are_skipped():
    nb = notebook(("code", "library(tensorflow)\ntf$logging$info('R')"))
    nb.metadata = {"kernelspec": {"name": "ir", "language": "R", "display_name": "R"}}
    result = notebooks.migrate(nbformat.writes(nb).encode(), "r.ipynb", SETTINGS, fix=True)
    assert result == Result("r.ipynb")


# -- discovery, jobs, cache, diff, stdin -----------------------------------------------------

def test_directories_find_notebooks_but_not_checkpoints(project):
    write_nb(project, "a/b/deep.ipynb", notebook(("code", TF1_SAFE)))
    write_nb(project, "a/.ipynb_checkpoints/deep-checkpoint.ipynb",
             notebook(("code", TF1_SAFE)))
    project.write("a/script.py", TF1_SAFE)
    result = project.run("check", "--no-cache", "--output-format", "concise", "a")
    assert result.returncode == 1
    paths = {line.split(":")[0] for line in result.stdout.splitlines()}
    assert paths == {"a/b/deep.ipynb", "a/script.py"}
    assert "a/b/deep.ipynb:cell 1:3:1: TFM104 [*]" in result.stdout
    assert "in 2 files" in result.stderr


def test_jobs_and_cache_with_notebooks(project):
    for number in range(10):  # enough files for the process pool
        write_nb(project, f"nb{number}.ipynb", notebook(
            ("md", "x"), ("code", "import tensorflow as tf"),
            ("code", f"tf.logging.info('{number}')\nx = tf.placeholder(tf.float32)")))
        project.write(f"m{number}.py", TF1_SAFE)
    serial = project.run("check", "--no-cache", "-j", "1", ".")
    pooled = project.run("check", "--no-cache", "-j", "2", ".")
    assert serial.stdout == pooled.stdout and serial.returncode == pooled.returncode == 1
    assert len(cell_findings(serial.stdout)) == 20
    cached = [project.run("check", "-j", "2", ".") for _ in range(2)]
    assert cached[0].stdout == cached[1].stdout == serial.stdout
    written = project.run("fix", "--write", "--no-cache", "-j", "2", ".")
    assert "Fixed 20 findings in 20 files; 10 left for a person." in written.stderr
    for number in range(10):
        assert source((project.root / f"nb{number}.ipynb").read_bytes(), 3) == \
            f"logging.info('{number}')\nx = tf.placeholder(tf.float32)"


def test_fix_diff_names_the_cell_and_applies(project):
    write_nb(project, "tut.ipynb", notebook(*TF_NOTEBOOK))
    git(project.root, "init", "-q")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "base")
    diff = project.run("fix", "--no-cache", "tut.ipynb")
    assert diff.returncode == 1
    assert diff.stdout.startswith("--- a/tut.ipynb\n+++ b/tut.ipynb\n")
    headers = re.findall(r"^@@ .* @@ (.*)$", diff.stdout, re.M)
    assert headers == ["cell 2", "cell 4", "cell 6"], diff.stdout
    applied = git(project.root, "apply", "-", input=diff.stdout.encode(), check=False)
    assert applied.returncode == 0, applied.stderr
    patched = (project.root / "tut.ipynb").read_bytes()
    git(project.root, "checkout", "--", "tut.ipynb")
    project.run("fix", "--write", "--no-cache", "tut.ipynb")
    assert (project.root / "tut.ipynb").read_bytes() == patched


def test_stdin_notebook(project):
    raw = nbformat.writes(notebook(("code", TF1_SAFE))).encode()
    checked = project.run("check", "-", "--stdin-filename", "x.ipynb", input=raw)
    assert checked.returncode == 1
    assert "x.ipynb:cell 1:3:1: TFM104" in checked.stdout
    fixed = project.run("fix", "-", "--stdin-filename", "x.ipynb", input=raw)
    assert only_sources_changed(raw, fixed.stdout.encode()) == [1]


def test_real_notebook_round_trip_with_nbformat_reader(tmp_path):
    """What nbformat reads back is what we meant to write, with validation on."""
    nb = notebook(*TF_NOTEBOOK)
    raw = nbformat.writes(nb).encode()
    fixed = notebooks.migrate(raw, "nb.ipynb", SETTINGS, fix=True).fixed_source
    path = tmp_path / "nb.ipynb"
    path.write_bytes(fixed)
    reread = nbformat.read(str(path), as_version=4)
    nbformat.validate(reread)
    assert [c.cell_type for c in reread.cells] == [c.cell_type for c in nb.cells]
