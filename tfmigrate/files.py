"""Discovery: which files a run looks at, and reading and writing them safely."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tfmigrate.config import Settings, located

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")  # .ipynb: Jupyter notebooks (notebooks.py)


@dataclass(frozen=True)
class Missing:
    """A path given on the command line that does not exist."""

    path: Path


def discover(paths: list[Path], settings: Settings,
             force_exclude: bool = False) -> tuple[list[Path], list[Missing]]:
    """Files to process, sorted; explicitly named files are taken whatever their suffix, and
    even when excluded unless `force_exclude` (pre-commit names every file explicitly)."""
    found: list[Path] = []
    missing: list[Missing] = []
    for path in paths:
        if path.is_dir():
            found.extend(_walk(path, settings))
        elif force_exclude and settings.excluded(path):
            continue
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            missing.append(Missing(path))
    return sorted(dict.fromkeys(found), key=lambda p: p.as_posix()), missing


def _walk(root: Path, settings: Settings) -> list[Path]:
    candidates = []
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(directory)
        dirnames[:] = sorted(d for d in dirnames if not settings.excluded(base / d))
        for name in filenames:
            if name.endswith(SOURCE_SUFFIXES) and not settings.excluded(base / name):
                candidates.append(base / name)
    if settings.respect_gitignore and candidates:
        ignored = _git_ignored(root, candidates)
        candidates = [c for c in candidates if c not in ignored]
    return candidates


def _git_ignored(root: Path, candidates: list[Path]) -> set[Path]:
    """The candidates git ignores (.gitignore, .git/info/exclude); none outside a work tree."""
    # Not resolved: a symlink's target may lie outside the work tree (git would refuse the
    # whole batch) or loop.
    absolute = {c: str(located(c)) for c in candidates}
    try:
        completed = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "--stdin", "-z"],
            input=b"\0".join(os.fsencode(a) for a in absolute.values()),
            capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return set()
    if completed.returncode not in (0, 1):
        return set()
    ignored = {os.fsdecode(p) for p in completed.stdout.split(b"\0") if p}
    return {c for c, a in absolute.items() if a in ignored}


def read(path: Path) -> bytes:
    # O_NONBLOCK: opening a FIFO named *.py must not wait forever for a writer; and only
    # regular files are read (a link to /dev/zero would never end).
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device or other special file"
            raise OSError(errno.EINVAL, f"not a regular file ({kind})", str(path))
        return handle.read()


class WriteRefused(Exception):
    """The file must not be written; the message says why."""


def write_atomic(path: Path, data: bytes, expected: bytes) -> None:
    """Replace `path` by `data` in one rename, keeping its permission bits.

    `expected` is what the file held when it was read: if it changed meanwhile (another
    process, an editor), nothing is written. A file without write permission is not written.
    """
    target = Path(os.path.realpath(path))
    info = target.stat()
    if not info.st_mode & stat.S_IWUSR:
        raise WriteRefused("file is read-only; not written")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tfmigrate",
                                dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
            # The new inode is ours: give it back to the file's owner (root in a container
            # fixing a user's checkout). Without the right to do so, the file is still written.
            try:
                os.chown(temp, info.st_uid, info.st_gid)
            except OSError:
                pass
        os.chmod(temp, stat.S_IMODE(info.st_mode))  # after chown, which may clear setuid bits
        # Compared last, right before the rename: an edit saved while the new content was
        # being written wins (the window left is the rename itself).
        if read(target) != expected:
            raise WriteRefused("file changed while it was being processed; not written")
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
