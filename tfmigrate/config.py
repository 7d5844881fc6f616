"""Settings: `[tool.tfmigrate]` in the nearest pyproject.toml, then the command line."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import sys
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__",
    "build", "dist", "node_modules", "site-packages", ".tfmigrate_cache", ".mypy_cache",
    ".pytest_cache", ".ipynb_checkpoints",
)

# Codes of the tool's own findings (unreadable or unparseable files, internal errors).
TOOL_PREFIX = "TFM9"


class ConfigError(Exception):
    """A setting or option that cannot be used; the CLI exits 2 with this message."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ("TFM",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    respect_gitignore: bool = True
    root: str = "."  # directory that relative exclude and per-file-ignores patterns start at
    known_codes: tuple[str, ...] = field(default=(), compare=False)

    def validate(self, known_codes: Iterable[str]) -> "Settings":
        known = tuple(sorted(known_codes))
        selectors = list(self.select) + list(self.extend_select) + list(self.ignore)
        selectors += [c for _, codes in self.per_file_ignores for c in codes]
        for selector in selectors:
            if selector != "ALL" and not any(code.startswith(selector) for code in known):
                raise ConfigError(
                    f"unknown rule selector {selector!r}: no rule code starts with it "
                    f"(see `tfmigrate rules`)")
        return replace(self, known_codes=known)

    def enabled_codes(self, path: str | None = None) -> frozenset[str]:
        """Codes active for `path`: the most specific matching selector decides."""
        extra: tuple[str, ...] = ()
        if path is not None and self.per_file_ignores:
            rel = _relative(path, self.root)
            extra = tuple(code for pattern, codes in self.per_file_ignores
                          if _matches(rel, pattern) for code in codes)
        return _enabled(self.select + self.extend_select, self.ignore + extra, self.known_codes)

    def excluded(self, path: Path) -> bool:
        names, paths = _exclusion_matchers(self.exclude + self.extend_exclude)
        rel = _relative(str(path), self.root)
        return any(names(part) for part in rel.split("/")) or bool(paths(rel))

    def fingerprint(self) -> str:
        data = asdict(self)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def _enabled(selects: tuple[str, ...], ignores: tuple[str, ...],
             known: tuple[str, ...]) -> frozenset[str]:
    enabled = set()
    for code in known:
        best_select = max((len(s) for s in selects if _selects(s, code)), default=-1)
        best_ignore = max((len(s) for s in ignores if _selects(s, code)), default=-1)
        if code.startswith(TOOL_PREFIX) and best_ignore < 0:
            enabled.add(code)
        elif best_select > best_ignore:
            enabled.add(code)
    return frozenset(enabled)


@lru_cache(maxsize=16)
def _exclusion_matchers(patterns: tuple[str, ...]):
    """(matcher for one path part, matcher for a relative path), compiled once."""
    cleaned = [p.rstrip("/") for p in patterns if p.rstrip("/")]
    never = re.compile(r"(?!)").match
    names = [fnmatch.translate(p) for p in cleaned if "/" not in p]
    whole = [fnmatch.translate(p) for p in cleaned] + [fnmatch.translate(p + "/*") for p in cleaned]
    return (re.compile("|".join(names)).match if names else never,
            re.compile("|".join(whole)).match if whole else never)


def _selects(selector: str, code: str) -> bool:
    return selector == "ALL" or code.startswith(selector)


@lru_cache(maxsize=4096)
def _resolved(directory: str) -> Path:
    return Path(directory).resolve()


def located(path: str | Path) -> Path:
    """The absolute path of `path` itself: its directory resolved, its last part not.

    Patterns match where a file sits, not where a symlink points; and a symlink loop or a
    dangling link must not crash discovery (Path.resolve raises on loops).
    """
    path = Path(path)
    if path.name in ("", ".", ".."):
        return _resolved(str(path))
    return _resolved(str(path.parent)) / path.name


def _relative(path: str, root: str) -> str:
    try:
        return located(path).relative_to(_resolved(root)).as_posix()
    except (ValueError, OSError, RuntimeError):
        return Path(path).as_posix()


def _matches(rel: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    return (fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern + "/*")
            or fnmatch.fnmatch(Path(rel).name, pattern))


_KEYS = {
    "select", "extend-select", "ignore", "per-file-ignores", "exclude", "extend-exclude",
    "unsafe-fixes", "respect-gitignore",
}


def find_pyproject(start: Path) -> Path | None:
    start = start.resolve()
    for directory in [start, *start.parents]:
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load(pyproject: Path | None, overrides: Mapping[str, object]) -> Settings:
    """Settings from a pyproject.toml (may be None) with command-line `overrides` on top."""
    values: dict[str, object] = {}
    root = Path.cwd()
    if pyproject is not None:
        root = pyproject.parent
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"cannot read {pyproject}: {error}") from error
        table = data.get("tool", {}).get("tfmigrate", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{pyproject}: [tool.tfmigrate] must be a table")
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise ConfigError(f"{pyproject}: unknown key(s) in [tool.tfmigrate]: "
                              f"{', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
        for key, value in table.items():
            values[key.replace("-", "_")] = _check_type(pyproject, key, value)
    for key, value in overrides.items():
        if value is not None:
            values[key] = value
    settings = Settings(root=str(root))
    kwargs: dict[str, object] = {}
    for key, value in values.items():
        if key == "per_file_ignores":
            kwargs[key] = tuple((pattern, tuple(codes)) for pattern, codes in
                                sorted(dict(value).items()))
        elif isinstance(value, list):
            kwargs[key] = tuple(value)
        else:
            kwargs[key] = value
    if "exclude" in kwargs:
        kwargs["exclude"] = tuple(kwargs["exclude"])  # replaces the defaults, as in ruff
    return replace(settings, **kwargs)


def _check_type(pyproject: Path, key: str, value: object) -> object:
    if key in ("unsafe-fixes", "respect-gitignore"):
        ok = isinstance(value, bool)
    elif key == "per-file-ignores":
        ok = isinstance(value, dict) and all(
            isinstance(v, list) and all(isinstance(c, str) for c in v) for v in value.values())
    else:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    if not ok:
        raise ConfigError(f"{pyproject}: [tool.tfmigrate] {key} has the wrong type")
    return value
