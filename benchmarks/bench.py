#!/usr/bin/env python3
"""Time tfmigrate against tf_upgrade_v2 on the same files, in one run.

    python benchmarks/bench.py DIR [--jobs N] [--json F] [--repeat R]
    python benchmarks/bench.py --synthetic [N] [--jobs N] [--json F]

DIR is copied to a temporary directory first; nothing under DIR is ever modified. Every
command runs as a subprocess from that temporary directory (which gets an empty
pyproject.toml, so tfmigrate's cache lives there too). For each command the script records
wall time, user+system CPU, the peak RSS of the largest single process (from `wait4`) and
the peak RSS summed over the whole process tree (workers included; sampled from /proc every
20 ms, so a very short spike can be missed).

See benchmarks/README.md for what each row means.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

SKIP_DIRS = {".git", ".hg", ".svn", ".tfmigrate_cache", "__pycache__", ".mypy_cache",
             ".pytest_cache", ".tox", ".venv", "venv", "node_modules"}
SAMPLE_SECONDS = 0.02
PAGE = os.sysconf("SC_PAGE_SIZE")
PREFILTER_TARGET_SECONDS = 3.0


@dataclass
class Measure:
    name: str
    command: list[str]
    wall: float
    cpu: float
    max_rss_mb: float  # largest single process
    tree_rss_mb: float  # sum over the process tree, sampled
    exit_code: int
    note: str = ""
    runs: list[float] = field(default_factory=list)


# -- measuring one subprocess ------------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as handle:
                found += [int(c) for c in handle.read().split()]
        except OSError:
            pass
    return found


def _tree_rss(pid: int) -> int:
    total, stack, seen = 0, [pid], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(current)
    return total


def measure(name: str, command: list[str], cwd: Path, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env: dict | None = None) -> Measure:
    """Run `command` once; wall time, CPU and memory of it and all its descendants."""
    can_sample = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=stdout, stderr=stderr, env=env)
    peak_tree = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if can_sample:
            peak_tree = max(peak_tree, _tree_rss(process.pid))
        time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
    # ru_maxrss is in KiB on Linux; it covers the child and the descendants it waited for.
    max_rss = usage.ru_maxrss / 1024
    return Measure(name, command, wall, usage.ru_utime + usage.ru_stime, max_rss,
                   max(peak_tree / 2**20, max_rss), process.returncode)


def measure_repeated(repeat: int, prepare, name: str, command: list[str], cwd: Path,
                     **kwargs) -> Measure:
    """Median wall time of `repeat` runs; `prepare()` runs before each (untimed)."""
    results = []
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        results.append(measure(name, command, cwd, **kwargs))
    best = sorted(results, key=lambda m: m.wall)[len(results) // 2]
    best.runs = [round(m.wall, 3) for m in results]
    best.max_rss_mb = max(m.max_rss_mb for m in results)
    best.tree_rss_mb = max(m.tree_rss_mb for m in results)
    return best


# -- helpers ----------------------------------------------------------------------------------

def _tool(name: str) -> list[str]:
    """The console script next to this interpreter, else the one on PATH."""
    local = Path(sys.executable).with_name(name)
    if local.exists():
        return [str(local)]
    found = shutil.which(name)
    if found is None:
        sys.exit(f"bench.py: `{name}` not found (next to {sys.executable} or on PATH)")
    return [found]


def copy_tree(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True,
                    ignore=lambda _dir, names: [n for n in names if n in SKIP_DIRS])


def python_files(root: Path) -> list[Path]:
    files = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        files += [Path(directory, n) for n in sorted(names) if n.endswith(".py")]
    return files


def _git_state() -> str:
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=repo, capture_output=True, text=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _version(command: list[str]) -> str:
    try:
        out = subprocess.run(command + ["--version"], capture_output=True, text=True, timeout=60)
        line = (out.stdout or out.stderr).strip().splitlines()[-1]
        return line.rsplit("version", 1)[-1].strip()
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


def _loadavg() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def machine() -> dict:
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            memory = f"{int(handle.readline().split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory": memory, "loadavg_1min": _loadavg(),
            "python": platform.python_version(), "platform": platform.platform()}


def _count_codes(path: Path) -> dict[str, int]:
    """Findings per code in a concise report (`path:line:col: CODE ...`)."""
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split(": ", 1)
        if len(parts) == 2 and parts[1][:3] == "TFM":
            code = parts[1].split()[0]
            counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items()))


def _unparsable(files: list[Path]) -> list[str]:
    bad = []
    for path in files:
        try:
            ast.parse(path.read_bytes(), str(path))
        except (SyntaxError, ValueError):
            bad.append(str(path))
    return bad


def _tf_upgrade_outcome(intree: Path, outtree: Path, stderr: Path, files: list[Path]) -> dict:
    """Which files tf_upgrade_v2 wrote, and where it stopped if it crashed."""
    written = [p for p in files if (outtree / p.relative_to(intree)).exists()]
    log = stderr.read_text(encoding="utf-8", errors="replace")
    crashed = "Traceback (most recent call last)" in log
    info = {"python_files_in": len(files), "python_files_out": len(written), "crashed": crashed}
    if crashed:
        info["error"] = log.strip().splitlines()[-1][:300]
        # tf_upgrade_v2 walks the tree with os.walk and converts as it goes: the file it
        # crashed on is the first one (in its order) that has no output.
        order = []
        for directory, dirs, names in os.walk(intree):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            order += [Path(directory, n) for n in names if n.endswith(".py")]
        missing = [p for p in order if not (outtree / p.relative_to(intree)).exists()]
        if missing:
            info["stopped_at"] = str(missing[0].relative_to(intree))
    return info


# -- the two modes ----------------------------------------------------------------------------

def bench_tree(source: Path, jobs: int, repeat: int, skip_tf_upgrade: bool,
               keep: bool) -> dict:
    tfmigrate = _tool("tfmigrate")
    host = machine()  # load average before the first run
    work = Path(tempfile.mkdtemp(prefix="tfm-bench-"))
    (work / "pyproject.toml").write_text("")  # the cache root is `work`, whatever DIR holds
    cache = work / ".tfmigrate_cache"
    tree = work / "tree"
    copy_tree(source, tree)
    files = python_files(tree)
    size = sum(p.stat().st_size for p in files)
    print(f"{source}: {len(files)} Python files, {size / 2**20:.1f} MB; work dir {work}",
          file=sys.stderr, flush=True)

    common = ["--jobs", str(jobs), "--output-format", "concise", "--quiet"]
    out = work / "out"
    out.mkdir()
    rows: list[Measure] = []

    def clear_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def run(name, command, prepare=None, log=None, **kwargs):
        stdout = open(out / f"{log}.stdout", "wb") if log else subprocess.DEVNULL
        stderr = open(out / f"{log}.stderr", "wb") if log else subprocess.DEVNULL
        try:
            m = measure_repeated(repeat, prepare, name, command, work, stdout=stdout,
                                 stderr=stderr, **kwargs)
        finally:
            for handle in (stdout, stderr):
                if handle is not subprocess.DEVNULL:
                    handle.close()
        print(f"  {name:<32} {m.wall:8.2f} s  {m.tree_rss_mb:7.0f} MB  exit {m.exit_code}",
              file=sys.stderr, flush=True)
        rows.append(m)
        return m

    check = [*tfmigrate, "check", "tree", *common]
    run("tfmigrate check --no-cache", check + ["--no-cache"], log="check_nocache")
    run("tfmigrate check (cache cleared)", check, prepare=clear_cache, log="check_cold")
    clear_cache()
    measure("warm-up", check, work)  # fills the cache; the next run is the warm one
    run("tfmigrate check (warm cache)", check, log="check_warm")

    fixtree = work / "fixtree"

    def fresh_fix_tree() -> None:
        shutil.rmtree(fixtree, ignore_errors=True)
        copy_tree(source, fixtree)

    fix = run("tfmigrate fix --write --no-cache",
              [*tfmigrate, "fix", "--write", "fixtree", *common, "--no-cache"],
              prepare=fresh_fix_tree, log="fix")

    # Sanity of what fix --write produced (not timed): parses, and a second fix is a no-op.
    fixed_files = python_files(fixtree)
    changed = [str(p.relative_to(fixtree)) for p in fixed_files
               if p.read_bytes() != (tree / p.relative_to(fixtree)).read_bytes()]
    second = subprocess.run([*tfmigrate, "fix", "fixtree", *common, "--no-cache"], cwd=work,
                            capture_output=True)
    second_diff = [line[6:] for line in second.stdout.decode(errors="replace").splitlines()
                   if line.startswith("+++ b/")]
    sanity = {
        "files_changed_by_fix": len(changed),
        "fixed_files_not_parsing": [f for f in _unparsable(
            [fixtree / c for c in changed])],
        "second_fix_would_change": second_diff,
        "findings_check": _count_codes(out / "check_nocache.stdout"),
        "findings_left_after_fix": _count_codes(out / "fix.stdout"),
        "check_exit": rows[0].exit_code,
        "fix_exit": fix.exit_code,
    }

    tf_upgrade = None
    if not skip_tf_upgrade:
        tfu = _tool("tf_upgrade_v2")
        intree, outtree = work / "tfu_in", work / "tfu_out"

        def fresh_tfu() -> None:
            shutil.rmtree(intree, ignore_errors=True)
            shutil.rmtree(outtree, ignore_errors=True)
            copy_tree(source, intree)

        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        m = run("tf_upgrade_v2 --intree", [*tfu, "--intree", "tfu_in", "--outtree", "tfu_out",
                                          "--reportfile", "out/tfu_report.txt"],
                prepare=fresh_tfu, log="tfu", env=env)
        tf_upgrade = _tf_upgrade_outcome(intree, outtree, out / "tfu.stderr",
                                         python_files(intree))
        if tf_upgrade["crashed"]:
            m.note = (f"crashed at {tf_upgrade.get('stopped_at', '?')}: "
                      f"{tf_upgrade['python_files_out']}/{tf_upgrade['python_files_in']} "
                      f"files converted")
        # Start-up cost of each tool alone (one empty file), for scale.
        (work / "one").mkdir()
        (work / "one" / "empty.py").write_text("import tensorflow as tf\n")
        run("startup: tfmigrate check 1 file",
            [*tfmigrate, "check", "one", "--no-cache", "--jobs", "1", "--quiet"])
        run("startup: tf_upgrade_v2 1 file",
            [*tfu, "--infile", "one/empty.py", "--outfile", "out/empty_out.py",
             "--reportfile", "out/empty_report.txt"], env=env)

    by_name = {m.name: m for m in rows}
    ratios, cpu_ratios = {}, {}
    if tf_upgrade is not None:
        base = by_name["tf_upgrade_v2 --intree"]
        for m in rows:
            if m.name.startswith("tfmigrate"):
                ratios[m.name] = round(base.wall / m.wall, 2) if m.wall else None
                cpu_ratios[m.name] = round(base.cpu / m.cpu, 2) if m.cpu else None

    result = {
        "directory": str(source), "python_files": len(files), "bytes": size, "jobs": jobs,
        "repeat": repeat, "tfmigrate": _git_state(), "tfmigrate_version": _version(tfmigrate),
        "machine": host,
        "rows": [asdict(m) for m in rows],
        "ratios_tf_upgrade_v2_over_tfmigrate": ratios,
        "cpu_ratios_tf_upgrade_v2_over_tfmigrate": cpu_ratios,
        "loadavg_1min_after": _loadavg(),
        "tf_upgrade_v2": tf_upgrade, "tfmigrate_fix": sanity,
        "work_dir": str(work) if keep else None,
    }
    print_table(result)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _synthetic_source(i: int) -> str:
    # Small, ordinary modules; the word the prefilter looks for never appears.
    return (
        f'"""Module {i}: utilities for record batches."""\n'
        "import math\nimport os\nfrom dataclasses import dataclass\n\n\n"
        "@dataclass\n"
        f"class Record{i}:\n"
        "    name: str\n    value: float = 0.0\n\n"
        "    def scaled(self, factor: float) -> float:\n"
        "        return self.value * factor\n\n\n"
        f"def load_{i}(path=os.curdir, limit={i % 97 + 3}):\n"
        "    out = []\n"
        "    for k in range(limit):\n"
        f"        out.append(Record{i}(name=f'r{{k}}', value=math.sqrt(k + {i})))\n"
        "    return out\n\n\n"
        f"def summary_{i}(records):\n"
        "    total = sum(r.value for r in records)\n"
        "    return {'count': len(records), 'mean': total / max(len(records), 1)}\n"
    )


def bench_synthetic(count: int, jobs: int, repeat: int, keep: bool) -> dict:
    tfmigrate = _tool("tfmigrate")
    host = machine()
    work = Path(tempfile.mkdtemp(prefix="tfm-synth-"))
    (work / "pyproject.toml").write_text("")
    tree = work / "tree"
    per_dir = 100
    for i in range(count):
        directory = tree / f"pkg{i // per_dir:03d}"
        if i % per_dir == 0:
            directory.mkdir(parents=True)
            (directory / "__init__.py").write_text("")
        (directory / f"mod{i:05d}.py").write_text(_synthetic_source(i))
    files = python_files(tree)
    size = sum(p.stat().st_size for p in files)
    assert not any(b"tensorflow" in p.read_bytes() for p in files)
    print(f"synthetic: {len(files)} files ({count} modules + __init__.py), "
          f"{size / 2**20:.1f} MB; work dir {work}", file=sys.stderr)
    common = ["check", "tree", "--jobs", str(jobs), "--quiet"]
    cache = work / ".tfmigrate_cache"
    rows = [
        measure_repeated(repeat, None, "tfmigrate check --no-cache",
                         [*tfmigrate, *common, "--no-cache"], work),
        measure_repeated(repeat, lambda: shutil.rmtree(cache, ignore_errors=True),
                         "tfmigrate check (cache cleared)", [*tfmigrate, *common], work),
        measure_repeated(repeat, None, "tfmigrate check (warm cache)",
                         [*tfmigrate, *common], work),
    ]
    for m in rows:
        m.note = "PASS" if m.wall < PREFILTER_TARGET_SECONDS and m.exit_code == 0 else "FAIL"
        if m.exit_code != 0:
            m.note += f" (exit {m.exit_code}, expected 0: no file mentions TensorFlow)"
    result = {
        "directory": f"synthetic ({count} files)", "python_files": len(files), "bytes": size,
        "jobs": jobs, "repeat": repeat, "tfmigrate": _git_state(),
        "tfmigrate_version": _version(tfmigrate), "machine": host,
        "target_seconds": PREFILTER_TARGET_SECONDS, "rows": [asdict(m) for m in rows],
        "work_dir": str(work) if keep else None,
    }
    print_table(result)
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


# -- output -----------------------------------------------------------------------------------

def print_table(result: dict) -> None:
    m = result["machine"]
    load = m.get("loadavg_1min")
    if load is not None and load > 0.5:
        print(f"\nWARNING: load average {load:.2f} when the run started: other processes "
              f"share the CPUs, so wall times are inflated (CPU seconds less so)")
    print(f"\n{result['directory']}: {result['python_files']} Python files, "
          f"{result['bytes'] / 2**20:.1f} MB, --jobs {result['jobs']}, "
          f"tfmigrate {result['tfmigrate_version']} ({result['tfmigrate']}), "
          f"{m['cpus']} CPUs, Python {m['python']}")
    header = f"| {'command':<34} | {'wall s':>7} | {'CPU s':>7} | {'max RSS MB':>10} | " \
             f"{'tree RSS MB':>11} | {'exit':>4} | note"
    print(header)
    print("|" + "|".join("-" * len(c) for c in header.split("|")[1:-1]) + "|------")
    for row in result["rows"]:
        print(f"| {row['name']:<34} | {row['wall']:7.2f} | {row['cpu']:7.2f} | "
              f"{row['max_rss_mb']:10.0f} | {row['tree_rss_mb']:11.0f} | "
              f"{row['exit_code']:>4} | {row['note']}")
    ratios = result.get("ratios_tf_upgrade_v2_over_tfmigrate")
    if ratios:
        cpu = result["cpu_ratios_tf_upgrade_v2_over_tfmigrate"]
        print(f"\n{'tf_upgrade_v2 / tfmigrate':<36} {'wall':>7} {'CPU':>7}")
        for name, ratio in ratios.items():
            print(f"  {name:<34} {ratio:6.2f}x {cpu[name]:6.2f}x")
    tfu = result.get("tf_upgrade_v2")
    if tfu and tfu["crashed"]:
        print(f"\nNOTE: tf_upgrade_v2 crashed and stopped the whole tree: "
              f"{tfu['python_files_out']}/{tfu['python_files_in']} files written, stopped at "
              f"{tfu.get('stopped_at', '?')}: {tfu.get('error', '')}")
    sanity = result.get("tfmigrate_fix")
    if sanity:
        print(f"\ntfmigrate check findings: {sanity['findings_check']}")
        print(f"tfmigrate fix --write: {sanity['files_changed_by_fix']} files changed; "
              f"left after fix: {sanity['findings_left_after_fix']}")
        print(f"  fixed files that do not parse: {len(sanity['fixed_files_not_parsing'])}"
              + "".join(f"\n    {f}" for f in sanity["fixed_files_not_parsing"]))
        print(f"  files a second `fix` would change: {len(sanity['second_fix_would_change'])}"
              + "".join(f"\n    {f}" for f in sanity["second_fix_would_change"]))
    if result.get("work_dir"):
        print(f"\nkept: {result['work_dir']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", nargs="?", type=Path, help="tree of Python files")
    parser.add_argument("--synthetic", nargs="?", type=int, const=10_000, metavar="N",
                        help="time `tfmigrate check` on N generated files that never mention "
                             "TensorFlow (default 10000; target < 3 s)")
    parser.add_argument("--jobs", "-j", type=int, default=0,
                        help="tfmigrate worker processes (0: one per core, the default)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs per command; the median is reported (default 1)")
    parser.add_argument("--json", type=Path, metavar="F", help="also write the results here")
    parser.add_argument("--skip-tf-upgrade", action="store_true",
                        help="do not run tf_upgrade_v2 (tfmigrate rows only)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary work directory (copies, outputs, logs)")
    args = parser.parse_args(argv)
    if (args.directory is None) == (args.synthetic is None):
        parser.error("give either DIR or --synthetic [N]")
    if args.repeat < 1 or args.jobs < 0:
        parser.error("--repeat must be >= 1 and --jobs >= 0")
    if args.synthetic is not None:
        result = bench_synthetic(args.synthetic, args.jobs, args.repeat, args.keep)
    else:
        if not args.directory.is_dir():
            parser.error(f"{args.directory} is not a directory")
        result = bench_tree(args.directory.resolve(), args.jobs, args.repeat,
                            args.skip_tf_upgrade, args.keep)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
