"""TFM9xx: the tool's own findings. The engine reports these; they run no analysis."""

from tfmigrate.rule import Rule


class UnreadableFile(Rule):
    code = "TFM901"
    name = "unreadable-file"
    summary = "The file could not be read (permissions, a broken or looping link, an I/O error)."
    doc = """
The file was found but reading it failed, so it was neither checked nor changed. The
message carries the operating system's reason. The rest of the run goes on.
"""


class UndecodableFile(Rule):
    code = "TFM902"
    name = "undecodable-file"
    summary = "The file is not text in its declared encoding (or is binary)."
    doc = """
Python source is decoded as UTF-8 unless a coding cookie (`# -*- coding: latin-1 -*-`) or a
byte-order mark says otherwise. A file that does not decode, or holds NUL bytes, is reported
and left untouched.
"""


class SyntaxErrorInFile(Rule):
    code = "TFM903"
    name = "syntax-error"
    summary = "The file is not valid Python 3 (often Python 2 code), so it was not analysed."
    doc = """
tfmigrate parses Python 3 only. TF1-era code is sometimes still Python 2 (`print x`,
`except E, e`); convert it to Python 3 first (for example with `python -m lib2to3` on an
older Python, or by hand), then run tfmigrate again.
"""


class InternalError(Rule):
    code = "TFM904"
    name = "internal-error"
    summary = "A rule crashed on this file; the file was left as it was."
    doc = """
A bug in tfmigrate. The file is left unchanged and the other files are processed. Please
report the message together with the smallest code that reproduces it.
"""


class FixFailed(Rule):
    code = "TFM905"
    name = "fix-failed"
    summary = "The fixes did not produce valid, settled code; the file was left as it was."
    doc = """
After every pass of fixes tfmigrate re-parses the result. If the result does not parse, if
fixing never settles (at most 10 passes), or if it cannot be written in the file's encoding,
no change is written and this finding says why.
"""
