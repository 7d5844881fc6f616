"""Bad input never stops a run and never loses data; writes are atomic and keep the file's form."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import TF1_SAFE, TF1_SOURCE, TF2_CLEAN, clean_env, findings, git
from tfmigrate import files

# Root reads a chmod-000 file anyway (CAP_DAC_OVERRIDE). setpriv runs the tool as root without
# the capabilities that bypass file permissions, so the permission check really happens.
DROP_DAC = ("setpriv", "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search")


def unprivileged_prefix() -> tuple[str, ...] | None:
    """Command prefix under which a chmod-000 file cannot be read, or None if there is none."""
    if os.geteuid() != 0:
        return ()
    return DROP_DAC if shutil.which("setpriv") else None


def make_bad_files(root: Path) -> dict[str, tuple[str, str]]:
    """Every kind of bad input, each mentioning tensorflow so that none is skipped by the
    prefilter; name -> (expected code, a word of the expected message)."""
    bad = {}
    (root / "py2.py").write_text("import tensorflow as tf\n\nprint 'step', 1\n"
                                 "try:\n    pass\nexcept Exception, e:\n    pass\n")
    bad["py2.py"] = ("TFM903", "Python 2")
    (root / "latin_no_cookie.py").write_bytes(b"import tensorflow as tf\ns = 'caf\xe9'\n")
    bad["latin_no_cookie.py"] = ("TFM902", "decode")
    (root / "bad_cookie.py").write_bytes(b"# coding: no-such-codec\nimport tensorflow\n")
    bad["bad_cookie.py"] = ("TFM902", "decode")
    (root / "binary.py").write_bytes(b"\x7fELF\x02\x01\x00\x00import tensorflow\x00\xff\xfe")
    bad["binary.py"] = ("TFM902", "binary")
    (root / "dangling.py").symlink_to(root / "nowhere.py")
    bad["dangling.py"] = ("TFM901", "No such file")
    (root / "loop_a.py").symlink_to(root / "loop_b.py")
    (root / "loop_b.py").symlink_to(root / "loop_a.py")
    bad["loop_a.py"] = ("TFM901", "symbolic links")
    bad["loop_b.py"] = ("TFM901", "symbolic links")
    # A socket cannot be opened by anyone, root included (ENXIO).
    # Bound by a relative name: a socket's path is limited to about 100 bytes.
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("socket.py")
    finally:
        os.chdir(cwd)
    bad["socket.py"] = ("TFM901", "No such device")
    # A FIFO would block a plain open() until a writer comes: it must be refused at once.
    os.mkfifo(root / "fifo.py")
    bad["fifo.py"] = ("TFM901", "not a regular file")
    (root / "device.py").symlink_to("/dev/zero")  # endless: never read
    bad["device.py"] = ("TFM901", "not a regular file")
    return bad


def test_bad_input_never_stops_the_run(project):
    prefix = unprivileged_prefix()
    bad = make_bad_files(project.root)
    locked = project.write("locked.py", TF1_SAFE)
    locked.chmod(0)
    if prefix is not None:
        probe = subprocess.run([*prefix, sys.executable, "-c", "open('locked.py').read()"],
                               cwd=project.root, capture_output=True)
        assert probe.returncode != 0, "the probe must not be able to read a chmod-000 file"
        bad["locked.py"] = ("TFM901", "Permission denied")
    empty = project.write("empty.py", "")
    good = project.write("good.py", TF1_SOURCE)
    good_too = project.write("z_last.py", TF1_SAFE)
    snapshot = {name: (project.root / name).read_bytes() for name in
                ("py2.py", "latin_no_cookie.py", "bad_cookie.py", "binary.py")}

    result = project.run("fix", "--write", "--no-cache", "--output-format", "concise", ".",
                         prefix=prefix or (), timeout=60)
    assert result.returncode == 1
    reported = {f[0]: f[3] for f in findings(result.stdout) if f[3].startswith("TFM9")}
    assert reported == {name: code for name, (code, _) in bad.items()}, result.stdout
    for name, (_, word) in bad.items():
        line = next(text for text in result.stdout.splitlines() if text.startswith(f"{name}:"))
        assert word in line, line
    # The good files were fixed, in the same run, before and after the bad ones.
    assert "from absl import logging" in good.read_text()
    assert "tf.io.gfile.exists" in good.read_text()
    assert "tf.logging" not in good_too.read_text()
    # Nothing bad was touched.
    assert empty.read_bytes() == b""
    for name, data in snapshot.items():
        assert (project.root / name).read_bytes() == data, name
    assert stat.S_IMODE(os.lstat(locked).st_mode) == 0
    assert os.readlink(project.root / "loop_a.py") == str(project.root / "loop_b.py")
    assert stat.S_ISFIFO(os.lstat(project.root / "fifo.py").st_mode)
    assert "Fixed 6 findings in 2 files" in result.stderr

    # The same files named one by one on the command line.
    names = sorted(bad)
    result = project.run("check", "--no-cache", "--output-format", "concise", *names,
                         prefix=prefix or (), timeout=60)
    assert result.returncode == 1
    assert {f[0]: f[3] for f in findings(result.stdout)} == \
        {name: code for name, (code, _) in bad.items()}


def test_unreadable_file_alone(project):
    prefix = unprivileged_prefix()
    if prefix is None:
        pytest.skip("running as root without setpriv: a chmod-000 file stays readable")
    path = project.write("locked.py", TF1_SOURCE)
    path.chmod(0)
    result = project.run("check", "--no-cache", "locked.py", prefix=prefix)
    assert result.returncode == 1
    assert result.stdout.startswith("locked.py:1:1: TFM901 cannot read file: Permission denied")


def test_empty_and_non_tensorflow_files_are_quietly_clean(project):
    project.write("empty.py", "")
    project.write("only_bytes.py", b"\x00\x01\x02")
    project.write("numpy_only.py", "import numpy as np\nprint 'py2 but not TF'\n")
    result = project.run("check", ".")
    assert (result.returncode, result.stdout) == (0, "")


# -- atomic writes keep the file's form ---------------------------------------------------

@pytest.mark.parametrize("mode", [0o644, 0o600, 0o755, 0o2770])
def test_write_keeps_permissions(project, mode):
    path = project.write("mod.py", TF1_SAFE)
    path.chmod(mode)
    result = project.run("fix", "--write", "mod.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "from absl import logging" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert sorted(p.name for p in project.root.iterdir()) == ["mod.py", "pyproject.toml"]


def test_write_keeps_a_latin1_coding_cookie(project):
    source = ("# -*- coding: latin-1 -*-\nimport tensorflow as tf\n\n"
              "tf.logging.info('caf\xe9 cr\xe8me')\n").encode("latin-1")
    path = project.write("mod.py", source)
    result = project.run("fix", "--write", "mod.py")
    assert result.returncode == 0, result.stdout
    data = path.read_bytes()
    assert data.startswith(b"# -*- coding: latin-1 -*-\n")
    assert b"'caf\xe9 cr\xe8me'" in data, "still latin-1, not re-encoded as UTF-8"
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "logging.info('café crème')" in data.decode("latin-1")
    assert "tf.logging" not in data.decode("latin-1")


def test_write_keeps_bom_and_crlf(project):
    source = ("\ufeffimport tensorflow as tf\r\n\r\ntf.logging.info('\u00e9t\u00e9')\r\n"
              "if tf.gfile.Exists('x'):\r\n    pass\r\n").encode("utf-8")
    path = project.write("mod.py", source)
    result = project.run("fix", "--write", "mod.py")
    assert result.returncode == 0, result.stdout
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert data.count(b"\n") == data.count(b"\r\n"), "every line ends in CRLF"
    text = data.decode("utf-8-sig")
    assert "from absl import logging\r\n" in text
    assert "logging.info('été')\r\n" in text
    assert "tf.io.gfile.exists('x')" in text


def test_untouched_files_stay_byte_identical(project):
    names = {
        "clean.py": TF2_CLEAN,
        "not_tf.py": "import numpy\n",
        "only_unsafe.py": "import tensorflow as tf\n\ntf.logging.fatal('bad')\n",
        "suppressed.py": "import tensorflow as tf\ntf.logging.info('x')  # noqa: TFM104\n",
        "ignored_file.py": "# tfmigrate: ignore-file\n" + TF1_SOURCE,
        "py2.py": "import tensorflow as tf\nprint 'x'\n",
    }
    before = {}
    for name, text in names.items():
        path = project.write(name, text.replace("\n", "\r\n") if name == "clean.py" else text)
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
        before[name] = (path.read_bytes(), path.stat())
    changed = project.write("changed.py", TF1_SAFE)
    result = project.run("fix", "--write", "--select", "TFM104,TFM105", ".")
    assert "from absl import logging" in changed.read_text()
    assert result.returncode == 1, "only_unsafe.py and py2.py still have findings"
    for name, (data, info) in before.items():
        path = project.root / name
        now = path.stat()
        assert path.read_bytes() == data, name
        assert (now.st_mtime_ns, now.st_ino) == (info.st_mtime_ns, info.st_ino), name


def test_read_only_file_is_reported_not_written(project):
    read_only = project.write("read_only.py", TF1_SAFE)
    read_only.chmod(0o444)
    other = project.write("other.py", TF1_SAFE)
    mtime = read_only.stat().st_mtime_ns
    result = project.run("fix", "--write", "--output-format", "concise", ".")
    assert result.returncode == 1
    assert [f[0:4] for f in findings(result.stdout)] == [("read_only.py", 1, 1, "TFM905")]
    assert "read-only" in result.stdout
    assert read_only.read_text() == TF1_SAFE
    assert read_only.stat().st_mtime_ns == mtime
    assert stat.S_IMODE(read_only.stat().st_mode) == 0o444
    assert "tf.logging" not in other.read_text(), "the run went on"
    # Not cached as clean: once writable, the file is fixed.
    read_only.chmod(0o644)
    assert project.run("fix", "--write", ".").returncode == 0
    assert "tf.logging" not in read_only.read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_write_keeps_the_owner(project):
    path = project.write("mod.py", TF1_SAFE)
    os.chown(path, 4242, 4343)
    assert project.run("fix", "--write", "mod.py").returncode == 0
    assert "tf.logging" not in path.read_text()
    assert (path.stat().st_uid, path.stat().st_gid) == (4242, 4343)


def test_write_through_a_symlink_rewrites_the_target(project):
    target = project.write("real/mod.py", TF1_SAFE)
    link = project.root / "link.py"
    link.symlink_to(target)
    result = project.run("fix", "--write", "link.py")
    assert result.returncode == 0
    assert link.is_symlink()
    assert "from absl import logging" in target.read_text()


def test_write_atomic_refuses_a_file_changed_since_it_was_read(tmp_path):
    path = tmp_path / "mod.py"
    path.write_bytes(b"new content from an editor\n")
    with pytest.raises(files.WriteRefused, match="changed"):
        files.write_atomic(path, b"fixed\n", expected=b"what tfmigrate read\n")
    assert path.read_bytes() == b"new content from an editor\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mod.py"]
    files.write_atomic(path, b"fixed\n", expected=b"new content from an editor\n")
    assert path.read_bytes() == b"fixed\n"
    assert [p.name for p in tmp_path.iterdir()] == ["mod.py"]


def test_read_refuses_special_files_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "fifo.py")
    with pytest.raises(OSError, match="FIFO"):
        files.read(tmp_path / "fifo.py")
    with pytest.raises(OSError, match="not a regular file"):
        files.read(Path("/dev/zero"))
    (tmp_path / "ok.py").write_bytes(b"x = 1\n")
    assert files.read(tmp_path / "ok.py") == b"x = 1\n"


def test_file_name_that_is_not_utf8(project):
    name = os.fsdecode(b"caf\xe9.py")
    project.write(name, TF1_SAFE)
    result = project.run("check", ".")
    assert result.returncode == 1
    assert findings(result.stdout) == [(name, 3, 1, "TFM104", True)]
    assert "    3 | tf.logging.info" in result.stdout
    for format in ("json", "sarif"):
        assert project.run("check", "--output-format", format, ".").returncode == 1, format
    assert project.run("fix", "--write", ".").returncode == 0
    assert "tf.logging" not in (project.root / name).read_text()


@pytest.mark.parametrize("name, source", [
    ("latin1.py", "# -*- coding: latin-1 -*-\nimport tensorflow as tf\ns = 'caf\xe9'\n"
                  "tf.logging.info(s)\n".encode("latin-1")),
    ("crlf.py", b"import tensorflow as tf\r\n\r\ntf.logging.info('x')\r\n"),
    ("bom.py", "\ufeffimport tensorflow as tf\ntf.logging.info('\u00e9')\n".encode("utf-8")),
    ("no_newline.py", b"import tensorflow as tf\ntf.logging.info('x')"),
], ids=["latin1", "crlf", "bom", "no-newline-at-end"])
def test_fix_diff_applies_to_the_exact_bytes(project, name, source):
    path = project.write(name, source)
    diff = subprocess.run([sys.executable, "-m", "tfmigrate", "fix", name], cwd=project.root,
                          capture_output=True, env=clean_env()).stdout
    assert diff.startswith(f"--- a/{name}".encode())
    copy = project.write("copy/" + name, source)
    assert project.run("fix", "--write", "copy/" + name).returncode == 0
    git(project.root, "init", "-q")
    applied = git(project.root, "apply", "-", input=diff, check=False)
    assert applied.returncode == 0, applied.stderr
    assert path.read_bytes() == copy.read_bytes() != source
