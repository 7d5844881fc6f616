"""Many files: a process pool, a content-hash cache, and a deterministic order."""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tfmigrate import __version__, notebooks
from tfmigrate.config import Settings
from tfmigrate.engine import Diagnostic, Result, migrate, needs_analysis, tool_rules
from tfmigrate.files import WriteRefused, read, write_atomic

CACHE_DIR = ".tfmigrate_cache"
# Below this many files a pool costs more than it saves.
_POOL_THRESHOLD = 8


@dataclass(frozen=True)
class Job:
    path: str  # as shown to the user
    fix: bool = False
    write: bool = False
    diff: bool = False
    keep_text: bool = False  # keep the file's original bytes in the Outcome (for --report)


@dataclass
class Outcome:
    path: str
    result: Result
    diff: str = ""
    written: bool = False
    cached: bool = False
    messages: list[str] = field(default_factory=list)
    # The bytes read, kept for a file the fixes change when the job asks (`keep_text`); the
    # new bytes are `result.fixed_source`.
    original: bytes | None = None


def run(jobs: list[Job], settings: Settings, workers: int = 0,
        cache_dir: Path | None = None) -> list[Outcome]:
    """Process every job; the outcomes come back in the order of `jobs`."""
    if workers <= 0:
        workers = os.cpu_count() or 1
    cache = Cache(cache_dir, settings) if cache_dir is not None else None
    if workers == 1 or len(jobs) < _POOL_THRESHOLD:
        return [process(job, settings, cache) for job in jobs]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_exit_with_parent,
                             initargs=(os.getpid(),)) as pool:
        chunk = max(1, len(jobs) // (workers * 8))
        return list(pool.map(process, jobs, [settings] * len(jobs), [cache] * len(jobs),
                             chunksize=chunk))


def _exit_with_parent(parent: int) -> None:
    """In a worker: end when the main process is gone (killed with SIGKILL, say).

    Otherwise workers wait on the call queue forever, holding the terminal's output open."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def process(job: Job, settings: Settings, cache: "Cache | None" = None) -> Outcome:
    tool = tool_rules()
    try:
        raw = read(Path(job.path))
    except OSError as error:
        reason = error.strerror or str(error)
        diagnostic = Diagnostic(job.path, 1, 1, 1, 1, tool.UnreadableFile.code,
                                f"cannot read file: {reason}")
        return Outcome(job.path, Result(job.path, [diagnostic]))
    if not needs_analysis(raw, job.path, settings):
        return Outcome(job.path, Result(job.path))  # cheaper than a cache look-up
    key = cache.key(job, raw) if cache is not None else None
    if key is not None:
        hit = cache.get(key)
        if hit is not None:
            return Outcome(job.path, hit, cached=True)
    notebook = notebooks.is_notebook(job.path)
    result = (notebooks.migrate if notebook else migrate)(raw, job.path, settings, fix=job.fix)
    outcome = Outcome(job.path, result)
    if result.fixed_source is not None:
        if job.keep_text:
            outcome.original = raw
        if job.diff:
            outcome.diff = (notebooks.unified_diff if notebook else unified_diff)(
                job.path, raw, result.fixed_source)
        if job.write:
            try:
                write_atomic(Path(job.path), result.fixed_source, raw)
                outcome.written = True
            except (WriteRefused, OSError) as error:
                message = str(error) if isinstance(error, WriteRefused) else \
                    f"cannot write file: {error.strerror or error}"
                result.diagnostics.insert(0, Diagnostic(job.path, 1, 1, 1, 1,
                                                        tool.FixFailed.code, message))
                result.fixed_source = None
                result.fixed_codes = []
                outcome.original = None
    if key is not None and result.fixed_source is None and not result.internal_error:
        cache.put(key, result)
    return outcome


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    """A patch that `git apply` and `patch` accept: bytes that are not UTF-8 (a latin-1 file)
    survive as surrogate escapes, which the CLI's stdout writes back as the same bytes."""
    old = before.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    new = after.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"a/{path}", f"b/{path}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)


def _code_fingerprint() -> str:
    """Sizes and times of the tool's own modules: an edited checkout never reuses stale results."""
    import tfmigrate
    import tfmigrate.rules

    digest = hashlib.sha256()
    for package in (tfmigrate, tfmigrate.rules):
        for source in sorted(Path(package.__file__).parent.rglob("*")):
            if source.suffix in (".py", ".json"):
                info = source.stat()
                digest.update(f"{source.name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


class Cache:
    """Results of files that need no change, keyed by content, tool version and settings."""

    def __init__(self, directory: Path, settings: Settings) -> None:
        self.directory = directory / __version__
        self.salt = f"{__version__}\0{_code_fingerprint()}\0{settings.fingerprint()}"

    def key(self, job: Job, raw: bytes) -> str:
        digest = hashlib.sha256(raw)
        # fsencode: a file name that is not UTF-8 arrives with surrogate escapes.
        digest.update(os.fsencode(f"\0{self.salt}\0{job.path}\0{job.fix}"))
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Result | None:
        try:
            data = json.loads(self._file(key).read_text(encoding="utf-8"))
            return Result(data["path"], [Diagnostic(**d) for d in data["diagnostics"]])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, result: Result) -> None:
        target = self._file(key)
        data = {"path": result.path, "diagnostics": [asdict(d) for d in result.diagnostics]}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (self.directory.parent / ".gitignore").exists():
                (self.directory.parent / ".gitignore").write_text("*\n")
            temp = target.with_suffix(f".{os.getpid()}.tmp")
            temp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(temp, target)
        except OSError:
            pass  # a cache that cannot be written only costs time
