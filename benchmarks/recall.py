"""Recall of `tfmigrate check` over TF1-only references, measured independently.

    python benchmarks/recall.py DIR...            # TF1 code: recall over TF1-only references
    python benchmarks/recall.py --tf2 DIR...      # TF2-native code: every finding is false
    python benchmarks/recall.py --fix-check DIR   # copy DIR, `fix --write`, check the result

Independent of tfmigrate's own machinery: references are found with Python's `ast` and a
simple alias table of its own (imports of tensorflow, `tensorflow.compat.v1`, `from
tensorflow[.x] import y [as z]`), and each referenced name is decided by importing
TensorFlow 2.21 and resolving it attribute by attribute (a chain stops at the first
non-module object: what follows is attribute access on it). A reference is TF1-only when
TF 2.21 cannot resolve it. `tf.keras` (Keras 3, a different family) is left out.

Recall = TF1-only references with a tfmigrate finding on the same line / all TF1-only
references. The misses are listed.
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def python_files(root: Path):
    if root.is_file():
        yield root
        return
    for path in sorted(root.rglob("*.py")):
        if not any(part.startswith(".") for part in path.parts):
            yield path


def _canonical(name: str) -> str:
    for old in ("tensorflow.compat.v1", "tensorflow.compat.v2"):
        if name == old or name.startswith(old + "."):
            return "tensorflow" + name[len(old):]
    return name


def references(tree: ast.AST):
    """(line, canonical dotted name) of every TensorFlow reference, with simple aliases."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "tensorflow" or alias.name.startswith("tensorflow."):
                    if alias.asname:
                        aliases[alias.asname] = _canonical(alias.name)
                    else:
                        aliases["tensorflow"] = "tensorflow"
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module == "tensorflow" or node.module.startswith("tensorflow."):
                for alias in node.names:
                    if alias.name != "*":
                        aliases[alias.asname or alias.name] = _canonical(
                            f"{node.module}.{alias.name}")
    inner: set[int] = set()
    found = []
    for node in ast.walk(tree):
        if id(node) in inner or not isinstance(node, (ast.Attribute, ast.Name)):
            continue
        parts = []
        cur = node
        while isinstance(cur, ast.Attribute):
            parts.append(cur.attr)
            inner.add(id(cur.value))
            cur = cur.value
        if not isinstance(cur, ast.Name) or cur.id not in aliases:
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            continue
        parts.append(aliases[cur.id])
        found.append((node.lineno, ".".join(reversed(parts))))
    return found


class Resolver:
    def __init__(self):
        import tensorflow as tf

        self.tf = tf
        self.cache: dict[str, str] = {}

    def status(self, name: str) -> str:
        """'tf2', 'tf1' (TF 2.21 does not have it) or 'skip' (keras, compat)."""
        if name in self.cache:
            return self.cache[name]
        parts = name.split(".")
        if len(parts) > 1 and parts[1] in ("keras", "compat"):
            result = "skip"
        elif name.startswith("tensorflow.python") or name.startswith("tensorflow.core"):
            result = "skip"  # internal modules: not the public API
        else:
            obj, result = self.tf, "tf2"
            for part in parts[1:]:
                try:
                    obj = getattr(obj, part)
                except Exception:
                    result = "tf1"
                    break
                if not isinstance(obj, types.ModuleType):
                    break
        self.cache[name] = result
        return result


def run_check(paths, tfmigrate):
    out = subprocess.run([*tfmigrate, "check", "--output-format", "json", "--no-cache",
                          "--exit-zero", *map(str, paths)], capture_output=True, text=True)
    try:
        data = json.loads(out.stdout or "[]")
    except json.JSONDecodeError:
        sys.exit(f"tfmigrate check failed: {out.stderr[-2000:]}")
    findings = collections.defaultdict(set)
    for item in data:
        findings[os.path.realpath(item["path"])].add(item["location"]["line"])
    return data, findings


def recall(paths, tfmigrate, show: int) -> dict:
    resolver = Resolver()
    data, findings = run_check(paths, tfmigrate)
    total = hit = parsed = 0
    misses = collections.Counter()
    for root in paths:
        for path in python_files(Path(root)):
            try:
                tree = ast.parse(path.read_bytes())
            except (SyntaxError, ValueError):
                continue
            parsed += 1
            lines = findings.get(os.path.realpath(path), set())
            for line, name in references(tree):
                if resolver.status(name) != "tf1":
                    continue
                total += 1
                if line in lines:
                    hit += 1
                else:
                    misses[name] += 1
    result = {"files": parsed, "tf1_references": total, "found": hit,
              "recall": round(hit / total, 4) if total else 1.0, "findings": len(data),
              "missed": dict(misses.most_common(show))}
    return result


def false_reports(paths, tfmigrate) -> dict:
    data, _ = run_check(paths, tfmigrate)
    by_code = collections.Counter(item["code"] for item in data)
    return {"false_reports": len(data), "by_code": dict(by_code),
            "examples": [f"{d['path']}:{d['location']['line']}: {d['code']} {d['message']}"
                         for d in data[:20]]}


def fix_check(paths, tfmigrate) -> dict:
    result = {}
    for root in paths:
        work = Path(tempfile.mkdtemp()) / Path(root).name
        shutil.copytree(root, work)
        before = {p: p.read_text(errors="replace") for p in python_files(work)}
        subprocess.run([*tfmigrate, "fix", "--write", "--no-cache", str(work)],
                       capture_output=True, text=True)
        changed = compat = unparsable = 0
        for path, text in before.items():
            after = path.read_text(errors="replace")
            if after != text:
                changed += 1
                if after.count("compat.v1") > text.count("compat.v1"):
                    compat += 1
                try:
                    ast.parse(after)
                except SyntaxError:
                    unparsable += 1
        second = subprocess.run([*tfmigrate, "fix", "--no-cache", str(work)],
                                capture_output=True, text=True)
        after = recall([work], tfmigrate, 5)  # remaining TF1-only references keep a finding
        result[str(root)] = {"files_changed": changed, "compat_v1_introduced": compat,
                             "unparsable_after_fix": unparsable,
                             "second_fix_diff_lines": len(second.stdout.splitlines()),
                             "after_fix": after}
        shutil.rmtree(work.parent)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--tf2", action="store_true", help="TF2-native code: count findings")
    parser.add_argument("--fix-check", action="store_true")
    parser.add_argument("--show", type=int, default=25, help="misses to list")
    parser.add_argument("--tfmigrate", default=f"{sys.executable} -m tfmigrate")
    args = parser.parse_args(argv)
    tfmigrate = args.tfmigrate.split()
    if args.tf2:
        result = false_reports(args.paths, tfmigrate)
    elif args.fix_check:
        result = fix_check(args.paths, tfmigrate)
    else:
        result = recall(args.paths, tfmigrate, args.show)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
