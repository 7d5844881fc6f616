#!/usr/bin/env python3
"""No input corrupts a file: run `tfmigrate fix --write` over copies of real Python trees.

    python benchmarks/corpus_safety.py [DIR ...] [--limit N] [--jobs N] [--unsafe-fixes]
                                       [--json F] [--keep]

Without DIR, the installed `tensorflow`, `keras` and `numpy` packages (found with importlib,
never imported) are the corpus: thousands of files, most of them not TF1 code. The Python
sources (`.py`, `.pyi`) of each DIR are copied twice into a temporary directory that gets an
empty `pyproject.toml` (so no settings from above leak in): `original/` is only read,
`work/` is rewritten. Nothing under DIR is ever modified. Then:

1. `tfmigrate check --output-format json --no-cache` on `original/`: which files have a
   finding that `fix` would apply ("fixable");
2. `tfmigrate fix --write --no-cache --jobs N` on `work/`, output as JSON;
3. `tfmigrate fix --no-cache` (a diff, nothing written) on `work/` again: must print nothing.

It reports crashes (TFM904), fix failures (TFM905), the other TFM9xx findings (unreadable,
undecodable, unparseable inputs), fixed files whose output does not parse (`ast.parse`),
files that the second `fix` would still change, files without a fixable finding that are
not byte-identical to the original, and files with a fixable finding that were left as they
were. Exit status: 0 when no file was damaged (no crash, every output parses, the second
fix is a no-op, untouched files are identical), 1 otherwise.

`--limit N` takes a deterministic sample of N files (ordered by a hash of their path
relative to the DIR's parent), so the same N gives the same files on every machine with
the same packages installed. `--unsafe-fixes` applies the unsafe fixes too (in all three
runs), which exercises more rewrites.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_PACKAGES = ("tensorflow", "keras", "numpy")
SUFFIXES = (".py", ".pyi")
# Never copied: caches and VCS data. Everything else is, whatever tfmigrate's own excludes are
# (files it does not discover must stay identical too, and are counted as such).
SKIP_DIRS = {"__pycache__", ".git", ".hg", ".svn", ".tfmigrate_cache"}
SAMPLE_LIST = 20  # files listed per problem in the text report


@dataclass
class Report:
    roots: list[str]
    files: int = 0
    bytes: int = 0
    fixable_files: int = 0  # files with at least one applicable finding (check on original)
    findings_check: int = 0
    changed_files: int = 0
    tool_findings: dict[str, int] = field(default_factory=dict)  # TFM9xx in the fix run
    crashes: list[str] = field(default_factory=list)  # "path: message" of TFM904
    fix_failures: list[str] = field(default_factory=list)  # TFM905
    unparseable_output: list[str] = field(default_factory=list)
    second_fix_changes: list[str] = field(default_factory=list)
    untouched_but_changed: list[str] = field(default_factory=list)  # no fixable finding, changed
    fixable_but_unchanged: list[str] = field(default_factory=list)  # informational
    leftover_temp_files: list[str] = field(default_factory=list)
    run_errors: list[str] = field(default_factory=list)  # a run that printed no JSON (crashed)
    exit_codes: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def damaged(self) -> bool:
        return bool(self.crashes or self.unparseable_output or self.second_fix_changes
                     or self.untouched_but_changed or self.leftover_temp_files or self.run_errors
                     or any(code == 2 for code in self.exit_codes.values()))


def installed_roots(names=DEFAULT_PACKAGES) -> list[Path]:
    """The directories of installed packages, found without importing them."""
    roots = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            print(f"corpus_safety: package {name} is not installed; skipped", file=sys.stderr)
            continue
        roots.extend(Path(p) for p in spec.submodule_search_locations)
    return roots


def sources(root: Path) -> list[Path]:
    """Python sources under `root`, relative to it, sorted."""
    found = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in filenames:
            path = Path(directory) / name
            if name.endswith(SUFFIXES) and path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root))
    return sorted(found)


def sample(files: list[tuple[Path, Path]], limit: int | None) -> list[tuple[Path, Path]]:
    """A deterministic sample: the `limit` files whose destination path hashes lowest."""
    if limit is None or limit >= len(files):
        return files
    keyed = sorted(files, key=lambda f: hashlib.sha256(f[1].as_posix().encode()).hexdigest())
    return sorted(keyed[:limit], key=lambda f: f[1].as_posix())


def copy_corpus(roots: list[Path], dest: Path, limit: int | None) -> list[Path]:
    """Copy into dest/original and dest/work; return the relative paths (below either)."""
    files: list[tuple[Path, Path]] = []
    seen_labels: Counter = Counter()
    for root in roots:
        root = root.resolve()
        label = root.name
        seen_labels[label] += 1
        if seen_labels[label] > 1:  # two DIRs with the same name
            label = f"{label}_{seen_labels[label]}"
        files.extend((root / rel, Path(label) / rel) for rel in sources(root))
    chosen = sample(files, limit)
    for source, rel in chosen:
        for side in ("original", "work"):
            target = dest / side / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return [rel for _, rel in chosen]


def tfmigrate(args: list[str], cwd: Path, log: Path) -> tuple[subprocess.CompletedProcess, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "GIT_"))}
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "tfmigrate", *args], cwd=cwd,
                               capture_output=True, env=env, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    log.write_bytes(b"$ tfmigrate " + " ".join(args).encode() + b"\n--- stdout\n"
                    + completed.stdout + b"\n--- stderr\n" + completed.stderr)
    return completed, seconds


def _json(completed: subprocess.CompletedProcess, what: str, report: Report) -> list[dict]:
    """The findings a run printed; a run that crashed (no JSON) is recorded as an error."""
    try:
        return json.loads(completed.stdout)
    except ValueError:
        tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        report.run_errors.append(f"{what}: exit {completed.returncode}, no JSON output: "
                                 + " | ".join(tail))
        return []


def _parses(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in old code
            ast.parse(data)
        return True
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def _diff_paths(patch: str) -> list[str]:
    return sorted({line[len("+++ b/"):].rstrip("\n") for line in patch.splitlines()
                   if line.startswith("+++ b/")})


def run(roots: list[Path], work_dir: Path, jobs: int, limit: int | None,
        unsafe_fixes: bool = False) -> Report:
    report = Report([str(r) for r in roots])
    (work_dir / "pyproject.toml").write_text("[project]\nname = 'corpus-safety'\n")
    print(f"copying the Python sources of {len(roots)} director"
          f"{'y' if len(roots) == 1 else 'ies'} to {work_dir} ...", file=sys.stderr)
    files = copy_corpus(roots, work_dir, limit)
    report.files = len(files)
    report.bytes = sum((work_dir / "original" / f).stat().st_size for f in files)
    labels = sorted({f.parts[0] for f in files})
    print(f"{report.files} files, {report.bytes / 1e6:.1f} MB", file=sys.stderr)

    common = ["--no-cache", "--jobs", str(jobs), "--output-format", "json", "--exit-zero"]
    if unsafe_fixes:
        common.append("--unsafe-fixes")

    # 1. Which files have fixable findings, from the untouched copy.
    original = work_dir / "original"
    print("check on the original ...", file=sys.stderr)
    checked, report.seconds["check"] = tfmigrate(["check", *common, *labels], original,
                                                 work_dir / "check.log")
    report.exit_codes["check"] = checked.returncode
    check_findings = _json(checked, "check", report)
    report.findings_check = len(check_findings)
    fixable = {d["path"] for d in check_findings if d["fix"]["applicable"]}
    report.fixable_files = len(fixable)

    # 2. Fix in place.
    work = work_dir / "work"
    print("fix --write ...", file=sys.stderr)
    fixed, report.seconds["fix --write"] = tfmigrate(["fix", "--write", *common, *labels], work,
                                                     work_dir / "fix.log")
    report.exit_codes["fix --write"] = fixed.returncode
    fix_findings = _json(fixed, "fix --write", report)
    report.tool_findings = dict(sorted(Counter(d["code"] for d in fix_findings
                                               if d["code"].startswith("TFM9")).items()))
    report.crashes = sorted(f"{d['path']}: {d['message']}" for d in fix_findings
                            if d["code"] == "TFM904")
    report.fix_failures = sorted(f"{d['path']}: {d['message']}" for d in fix_findings
                                 if d["code"] == "TFM905")

    # 3. Compare every file with its original.
    for rel in files:
        before = (original / rel).read_bytes()
        after = (work / rel).read_bytes()
        if before == after:
            if rel.as_posix() in fixable:
                report.fixable_but_unchanged.append(rel.as_posix())
            continue
        report.changed_files += 1
        if rel.as_posix() not in fixable:
            report.untouched_but_changed.append(rel.as_posix())
        if not _parses(after):
            report.unparseable_output.append(rel.as_posix())
    expected = {f.as_posix() for f in files}
    for directory, _, filenames in os.walk(work):
        for name in filenames:
            rel = (Path(directory) / name).relative_to(work).as_posix()
            if rel not in expected:
                report.leftover_temp_files.append(rel)
    report.leftover_temp_files.sort()

    # 4. A second fix must change nothing.
    print("second fix (diff only) ...", file=sys.stderr)
    second, report.seconds["second fix"] = tfmigrate(["fix", *common, *labels], work,
                                                     work_dir / "second_fix.log")
    report.exit_codes["second fix"] = second.returncode
    if b"Traceback" in second.stderr:  # with --exit-zero, only a crash exits 1
        tail = second.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        report.run_errors.append(f"second fix: exit {second.returncode}: " + " | ".join(tail))
    report.second_fix_changes = _diff_paths(second.stdout.decode("utf-8", "surrogateescape"))
    return report


def print_report(report: Report) -> None:
    out = sys.stdout
    mb = report.bytes / 1e6
    print(f"corpus: {', '.join(report.roots)}", file=out)
    print(f"files: {report.files} ({mb:.1f} MB)", file=out)
    print(f"findings on the original: {report.findings_check}; "
          f"files with a fixable finding: {report.fixable_files}", file=out)
    print(f"files changed by fix --write: {report.changed_files}", file=out)
    print("tool findings in the fix run: " +
          (", ".join(f"{c} x{n}" for c, n in report.tool_findings.items()) or "none"), file=out)
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in report.seconds.items()), file=out)
    print("exit codes: " + ", ".join(f"{k} {v}" for k, v in report.exit_codes.items()),
          file=out)
    sections = [
        ("crashes (TFM904)", report.crashes),
        ("fix failures (TFM905; file left as it was)", report.fix_failures),
        ("fixed files that do not parse", report.unparseable_output),
        ("files a second fix would still change", report.second_fix_changes),
        ("files without a fixable finding that changed", report.untouched_but_changed),
        ("files with a fixable finding left unchanged", report.fixable_but_unchanged),
        ("files left in the tree that were not there before", report.leftover_temp_files),
        ("runs that crashed (no JSON output)", report.run_errors),
    ]
    for title, items in sections:
        print(f"{title}: {len(items)}", file=out)
        for item in items[:SAMPLE_LIST]:
            print(f"    {item}", file=out)
        if len(items) > SAMPLE_LIST:
            print(f"    ... and {len(items) - SAMPLE_LIST} more", file=out)
    print("RESULT: " + ("DAMAGE FOUND" if report.damaged else "no file damaged"), file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dirs", nargs="*", type=Path,
                        help="directories to copy (default: the installed "
                             + ", ".join(DEFAULT_PACKAGES) + " packages)")
    parser.add_argument("--limit", type=int, help="a deterministic sample of N files")
    parser.add_argument("--jobs", type=int, default=2, help="tfmigrate worker processes")
    parser.add_argument("--unsafe-fixes", action="store_true",
                        help="apply unsafe fixes too (more rewrites exercised)")
    parser.add_argument("--json", type=Path, help="also write the report as JSON here")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory (copies and logs)")
    args = parser.parse_args(argv)
    roots = [d.resolve() for d in args.dirs] or installed_roots()
    for root in roots:
        if not root.is_dir():
            parser.error(f"{root} is not a directory")
    if not roots:
        parser.error("no directories to copy")
    work_dir = Path(tempfile.mkdtemp(prefix="tfmigrate-corpus-"))
    try:
        report = run(roots, work_dir, args.jobs, args.limit, args.unsafe_fixes)
    finally:
        if args.keep:
            print(f"kept {work_dir}", file=sys.stderr)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    print_report(report)
    if args.json:
        data = asdict(report)
        data["damaged"] = report.damaged
        args.json.write_text(json.dumps(data, indent=2) + "\n")
    return 1 if report.damaged else 0


if __name__ == "__main__":
    sys.exit(main())
