"""TFM1xx: modules TensorFlow 2 removed — tf.app, tf.flags, tf.logging, tf.gfile."""

from __future__ import annotations

import libcst as cst

from tfmigrate.context import Context, Reference, parse_expression
from tfmigrate.rule import Edit, FixSafety, Invalid, Rule, Valid


def _alias_assignment(ref: Reference, ctx: Context, local: str) -> cst.BaseSmallStatement | None:
    """`local = <ref>` at module level, the statement that a new import replaces."""
    statement = ctx.statement_of(ref.node)
    if (isinstance(statement, cst.Assign) and statement.value is ref.node
            and len(statement.targets) == 1
            and isinstance(statement.targets[0].target, cst.Name)
            and statement.targets[0].target.value == local
            and not ctx.in_function(ref.node)):
        return statement
    return None


def _respell_module(ref: Reference, ctx: Context, module: str, local: str,
                    message: str, absl_module: str) -> None:
    """Report `ref` and respell its `module` prefix as the absl module bound to `local`."""
    assignment = _alias_assignment(ref, ctx, local) if ref.prefix(module) is ref.node else None
    if assignment is not None:
        ctx.report(ref.node, message, [ctx.removal(assignment)], imports=(absl_module,))
    else:
        ctx.report(ref.node, message, [ctx.replace_prefix(ref, module, local)],
                   imports=(absl_module,))


# -- tf.app ---------------------------------------------------------------------------------

class AppRun(Rule):
    code = "TFM101"
    name = "tf-app-run"
    summary = "`tf.app.run` was removed: use `absl.app.run`, keeping TF's tolerance of unknown flags."
    fix = FixSafety.SAFE
    references = ("tensorflow.app.",)
    doc = """
## Why
`tf.app` does not exist in TensorFlow 2. `tf.app.run` was a thin wrapper over
`absl.app.run` that (a) found `main` in the `__main__` module when none was passed, and
(b) parsed flags with `known_only=True`, so unknown command-line flags were left in `argv`
instead of aborting the program.

## What it becomes
`absl.app.run(main, flags_parser=lambda argv: flags.FLAGS(argv, known_only=True))`: the same
function, the same argv, the same tolerance of unknown flags. Delete the `flags_parser`
argument if you want absl's strict parsing (unknown flags then stop the program with
"Unknown command line flag").

## Caveats
`tf.app.run()` without `main=` uses the `main` of the `__main__` module; the fix passes the
module's own top-level `main` and is only offered when one exists. `main` must accept the
argv list (absl calls `main(argv)`).
"""
    examples = (
        Valid("from absl import app\n\ndef main(argv):\n    pass\n\napp.run(main)\n"),
        Invalid(
            "import tensorflow as tf\n\ndef main(_):\n    pass\n\nif __name__ == '__main__':\n"
            "    tf.app.run()\n",
            "from absl import app\nfrom absl import flags\n\ndef main(_):\n    pass\n\n"
            "if __name__ == '__main__':\n"
            "    app.run(main, flags_parser=lambda argv: flags.FLAGS(argv, known_only=True))\n"),
        Invalid(
            "import tensorflow as tf\n\ndef train(argv):\n    pass\n\n"
            "tf.app.run(main=train, argv=['prog', '--x'])\n",
            "from absl import app\nfrom absl import flags\n\ndef train(argv):\n    pass\n\n"
            "app.run(train, argv=['prog', '--x'], "
            "flags_parser=lambda argv: flags.FLAGS(argv, known_only=True))\n"),
        Invalid("import tensorflow as tf\n\ntf.app.run()\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.qualname.startswith("tensorflow.flags") or ref.via_alias:
            return  # tf.app.flags is TFM102's
        if ref.qualname != "tensorflow.app.run" or ctx.call_of(ref.node) is None:
            ctx.report(ref.node, "`tf.app` was removed in TF2: use `absl.app` "
                                 "(`from absl import app`; `app.run(main)`)")
            return
        call = ctx.call_of(ref.node)
        main, argv, other = None, None, False
        for index, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword else None
            if arg.star:
                other = True
            elif keyword == "main" or (keyword is None and index == 0):
                main = arg.value
            elif keyword == "argv" or (keyword is None and index == 1):
                argv = arg.value
            else:
                other = True
        if main is None and ctx.module_function("main"):
            main = cst.Name("main")
        message = "`tf.app.run` was removed in TF2: use `absl.app.run`"
        if main is None or other:
            ctx.report(ref.node, message + " and pass `main` explicitly "
                                           "(tf.app.run() looked it up in __main__)")
            return
        app = ctx.import_name("absl.app", replaces="tensorflow.app")
        flags = ctx.import_name("absl.flags", replaces="tensorflow.flags")
        args = [cst.Arg(main)]
        if argv is not None:
            args.append(cst.Arg(argv, keyword=cst.Name("argv"),
                                equal=cst.AssignEqual(cst.SimpleWhitespace(""),
                                                      cst.SimpleWhitespace(""))))
        parser = parse_expression(f"lambda argv: {flags}.FLAGS(argv, known_only=True)")
        args.append(cst.Arg(parser, keyword=cst.Name("flags_parser"),
                            equal=cst.AssignEqual(cst.SimpleWhitespace(""),
                                                  cst.SimpleWhitespace(""))))
        args = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                for a in args[:-1]] + args[-1:]
        new_call = cst.Call(parse_expression(f"{app}.run"), args)
        ctx.report(ref.node, message + " (unknown flags stay tolerated)",
                   [Edit(call, new_call)], imports=("absl.app", "absl.flags"))


# -- tf.flags ---------------------------------------------------------------------------------

class Flags(Rule):
    code = "TFM102"
    name = "tf-flags"
    summary = "`tf.flags` / `tf.app.flags` were removed: use `absl.flags`."
    fix = FixSafety.SAFE
    references = ("tensorflow.flags.",)
    doc = """
## Why
`tf.flags` and `tf.app.flags` do not exist in TensorFlow 2. They re-exported `absl.flags`
(`DEFINE_*`, `FLAGS`, `mark_flag_as_required`, validators), so every name keeps its meaning.

## What it becomes
`from absl import flags`, and `flags.DEFINE_integer(...)`, `flags.FLAGS`, ... An alias line
such as `flags = tf.app.flags` is replaced by the import.

## Caveats
TF wrapped `FLAGS` so that reading a flag before parsing parsed `sys.argv` on the spot; absl
raises `UnparsedFlagAccessError` instead. Flags read at import time, or in a program that
never calls `app.run`, are reported by TFM103.
"""
    examples = (
        Valid("from absl import flags\n\nflags.DEFINE_integer('steps', 3, 'n')\n"),
        Invalid(
            "import tensorflow as tf\n\ntf.app.flags.DEFINE_integer('steps', 3, 'n')\n"
            "FLAGS = tf.app.flags.FLAGS\n",
            "from absl import flags\n\nflags.DEFINE_integer('steps', 3, 'n')\n"
            "FLAGS = flags.FLAGS\n"),
        Invalid(
            "import tensorflow as tf\n\nflags = tf.flags\nflags.DEFINE_string('name', None, 'n')\n",
            "from absl import flags\n\nflags.DEFINE_string('name', None, 'n')\n"),
        Invalid(
            "import tensorflow as tf\nfrom tensorflow import flags\n\n"
            "flags.DEFINE_bool('b', False, 'n')\nx = tf.constant(1)\n",
            "import tensorflow as tf\nfrom absl import flags\n\n"
            "flags.DEFINE_bool('b', False, 'n')\nx = tf.constant(1)\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        local = ctx.import_name("absl.flags", replaces="tensorflow.flags")
        module = ref.prefix("tensorflow.flags")
        shown = ".".join(ref.chain.parts[:ref.chain.levels.index(module) + 1])
        _respell_module(ref, ctx, "tensorflow.flags", local,
                        f"`{shown}` was removed in TF2: use `absl.flags`", "absl.flags")


# Flags that absl itself defines once absl.logging / absl.app are imported.
ABSL_FLAGS = frozenset({
    "alsologtostderr", "log_dir", "logger_levels", "logtostderr", "only_check_args", "pdb",
    "pdb_post_mortem", "profile_file", "run_with_pdb", "run_with_profiling",
    "showprefixforinfo", "stderrthreshold", "use_cprofile_for_profiling", "v", "verbosity",
    "help", "helpshort", "helpfull", "helpxml", "flagfile", "undefok",
})


class FlagNameTakenByAbsl(Rule):
    code = "TFM106"
    name = "flag-name-taken-by-absl"
    summary = "A flag defined with a name absl already uses (`log_dir`, `verbosity`, ...)."
    prefilter = ("tensorflow", "absl")
    doc = """
## Why
absl defines its own flags (`log_dir`, `logtostderr`, `verbosity`, `v`, `stderrthreshold`,
`pdb`, `help`, ...) as soon as `absl.logging` or `absl.app` is imported. TensorFlow 2 imports
absl, so a program that defines a flag of the same name stops at import with
`DuplicateFlagError` — with or without migrating.

## What to do
Rename the flag (`log_dir` → `logdir` or `output_dir`) and its uses (`FLAGS.log_dir`), or
reuse absl's flag instead of defining one.
"""
    examples = (
        Valid("from absl import flags\n\nflags.DEFINE_string('logdir', '/tmp/logs', 'where')\n"),
        Invalid("import tensorflow as tf\n\n"
                "tf.flags.DEFINE_string('log_dir', '/tmp/logs', 'where')\n"),
        Invalid("from absl import flags\n\nflags.DEFINE_integer('verbosity', 0, 'v')\n"),
    )

    def on_module(self, ctx: Context) -> None:
        for call in ctx.module_calls():
            name = ctx.qualified_name(call.func) or ""
            module, _, function = name.rpartition(".")
            if module not in ("tensorflow.flags", "absl.flags") or \
                    not function.startswith("DEFINE") or not call.args:
                continue
            first = call.args[0]
            flag = first.value.evaluated_value if isinstance(first.value, cst.SimpleString) \
                else None
            if flag in ABSL_FLAGS:
                ctx.report(first, f"absl already defines the flag `{flag}`: defining it again "
                                  "raises DuplicateFlagError at import; rename it")


class FlagsReadBeforeParsing(Rule):
    code = "TFM103"
    name = "flags-read-before-parsing"
    summary = "A flag is read where absl has not parsed the command line yet."
    prefilter = ("tensorflow", "absl")
    doc = """
## Why
TensorFlow's `FLAGS` parsed `sys.argv` by itself the first time a flag was read. absl's
`FLAGS` does not: reading a flag before `app.run(main)` (or an explicit `FLAGS(sys.argv)`)
raises `absl.flags.UnparsedFlagAccessError`.

## What to do
Read flags inside `main`, which `app.run` calls after parsing. In a module without
`app.run`, parse once at the start of the program: `flags.FLAGS(sys.argv)` (strict) or
`flags.FLAGS(sys.argv, known_only=True)` (tolerates unknown flags, as TF's `tf.app.run` did).
"""
    examples = (
        Valid("import tensorflow as tf\n\nFLAGS = tf.flags.FLAGS\n\ndef main(_):\n"
              "    print(FLAGS.steps)\n\ntf.app.run()\n"),
        Invalid("import tensorflow as tf\n\nFLAGS = tf.flags.FLAGS\nbatch = FLAGS.batch_size\n"),
        Invalid("import tensorflow as tf\n\nFLAGS = tf.flags.FLAGS\n\ndef main():\n"
                "    print(FLAGS.steps)\n\nif __name__ == '__main__':\n    main()\n"),
    )

    _FLAGVALUES_API = {"is_parsed", "mark_as_parsed", "unparse_flags", "flag_values_dict",
                       "register_flag_by_module", "find_module_defining_flag", "get_flag_value",
                       "set_default", "append_flags_into_file", "read_flags_from_files",
                       "main_module_help", "get_help", "__call__", "__contains__",
                       "key_flags_by_module_dict", "flags_by_module_dict", "_flags"}
    _FLAGS = ("tensorflow.flags.FLAGS", "absl.flags.FLAGS")

    def on_module(self, ctx: Context) -> None:
        # Runs on absl's FLAGS too: the hazard outlives the rename that TFM102 makes.
        reads = []
        for node, qualname in ctx.named_expressions():
            for flags in self._FLAGS:
                if qualname.startswith(flags + "."):
                    name = qualname[len(flags) + 1:].split(".")[0]
                    if name not in self._FLAGVALUES_API and not name.startswith("__"):
                        reads.append((node, name))
        if not reads:
            return
        for node, name in reads:
            if not ctx.in_function(node):
                ctx.report(node, f"flag `{name}` is read at import time: absl raises "
                                 "UnparsedFlagAccessError before flags are parsed; read it in "
                                 "main() or call flags.FLAGS(sys.argv) first")
        if not _parses_flags(ctx) and any(ctx.in_function(node) for node, _ in reads):
            node, name = next((n, f) for n, f in reads if ctx.in_function(n))
            ctx.report(node, f"flag `{name}` is read but this module never calls app.run: "
                             "absl does not parse flags on first access; call app.run(main) "
                             "or flags.FLAGS(sys.argv) first")


def _parses_flags(ctx: Context) -> bool:
    """Whether the module calls app.run or parses FLAGS itself (`FLAGS(argv)`)."""
    for node in ctx.module_calls():
        name = ctx.qualified_name(node.func) or ""
        if name in ("tensorflow.app.run", "absl.app.run", "tensorflow.flags.FLAGS",
                    "absl.flags.FLAGS"):
            return True
    return False


# -- tf.logging -------------------------------------------------------------------------------

_PY_LEVEL_NAMES = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "FATAL"}
_CONSTANTS = {"DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING", "ERROR": "ERROR",
              "FATAL": "FATAL"}
_STDLIB_CONSTANTS = {"DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARN", "ERROR": "ERROR",
                     "FATAL": "FATAL"}
_RENAMED = {"info": "info", "debug": "debug", "error": "error", "warning": "warning",
            "warn": "warning", "flush": "flush", "TaskLevelStatusMessage": "error"}
# Functions whose first argument is a level: TF took Python levels, absl takes its own.
_LEVEL_FIRST = {"set_verbosity", "log", "log_every_n", "log_first_n", "log_if", "vlog"}


def standard_to_absl(level: int) -> int:
    """absl.logging.converter.standard_to_absl, without importing absl."""
    level = max(level, 0)
    if level < 10:
        return 10 - level + 1
    for bound, absl_level in ((20, 1), (30, 0), (40, -1), (50, -2)):
        if level < bound:
            return absl_level
    return -3


class Logging(Rule):
    code = "TFM104"
    name = "tf-logging"
    summary = "`tf.logging` was removed: use `absl.logging`, with levels mapped by name."
    fix = FixSafety.SAFE
    references = ("tensorflow.logging.",)
    doc = """
## Why
`tf.logging` does not exist in TensorFlow 2. Its functions logged through Python's
`tensorflow` logger; `absl.logging` is the supported replacement.

## What it becomes
`from absl import logging`; `info`, `debug`, `error`, `warning`, `flush`, `log`,
`log_every_n`, `log_first_n`, `log_if`, `vlog`, `set_verbosity` keep their names, `warn`
becomes `warning`, `TaskLevelStatusMessage(msg)` becomes `logging.error(msg)` (what TF did).

Levels are mapped **by name**, never by number: `tf.logging.INFO` is 20 (a Python level) but
`absl.logging.INFO` is 0. So `tf.logging.set_verbosity(tf.logging.INFO)` becomes
`logging.set_verbosity(logging.INFO)`, a literal level is converted
(`set_verbosity(20)` → `set_verbosity(logging.INFO)`, `vlog(1, ...)` → `vlog(10, ...)`), and
a `tf.logging` level used anywhere else (for example with Python's `logging`) becomes the
standard library constant of the same value. `get_verbosity()` becomes
`logging.converter.absl_to_standard(logging.get_verbosity())`, which still returns a Python
level.

## Caveats
- A level given as a variable cannot be mapped and is reported without a fix; so is a level
  constant assigned to a name (`level = tf.logging.WARN`), since the name may feed absl or
  Python's logging later.
- `tf.logging.fatal` only logged; absl's `logging.fatal` logs and then aborts the process.
  The same holds for any record at FATAL (`log(FATAL, ...)`, `log_if`, `log_every_n`,
  `log_first_n` with a FATAL level): those fixes are unsafe.
- Messages go through the `absl` logger, with absl's line prefix.
- TF's `log_every_n`/`log_first_n` counted per first caller outside the calling file, so in a
  one-file program all such calls shared one counter; absl counts per call site.
- Under `app.run`, absl's `set_verbosity` also sets the root logger's level, so other
  libraries' records at that level appear too; TF's only set the `tensorflow` logger.
"""
    examples = (
        Valid("from absl import logging\n\nlogging.info('x')\n"),
        Invalid(
            "import tensorflow as tf\n\ntf.logging.set_verbosity(tf.logging.INFO)\n"
            "tf.logging.warn('step %d', 3)\n",
            "from absl import logging\n\nlogging.set_verbosity(logging.INFO)\n"
            "logging.warning('step %d', 3)\n"),
        Invalid(
            "import logging\nimport tensorflow as tf\n\n"
            "logging.getLogger('x').setLevel(tf.logging.WARN)\ntf.logging.info('hi')\n",
            "import logging\nfrom absl import logging as absl_logging\n\n"
            "logging.getLogger('x').setLevel(logging.WARN)\nabsl_logging.info('hi')\n"),
        Invalid(
            "import tensorflow as tf\n\ntf.logging.set_verbosity(20)\ntf.logging.vlog(1, 'v')\n",
            "from absl import logging\n\nlogging.set_verbosity(logging.INFO)\n"
            "logging.vlog(10, 'v')\n"),
        Invalid("import tensorflow as tf\n\ndef f(level):\n    tf.logging.set_verbosity(level)\n"),
        Invalid("import tensorflow as tf\n\nlevel = tf.logging.WARN\n"),
        Invalid("import tensorflow as tf\n\ntf.logging.log(tf.logging.FATAL, 'stop')\n",
                "from absl import logging\n\nlogging.log(logging.FATAL, 'stop')\n", unsafe=True),
        Invalid("import tensorflow as tf\n\ntf.logging.fatal('bad')\n",
                "from absl import logging\n\nlogging.fatal('bad')\n", unsafe=True),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        rest = ref.rest("tensorflow.logging")
        local = ctx.import_name("absl.logging", replaces="tensorflow.logging")
        shown = "tf.logging" + ("." + rest[0] if rest else "")
        removed = f"`{shown}` was removed in TF2"
        if not rest:
            _respell_module(ref, ctx, "tensorflow.logging", local,
                            f"{removed}: use `absl.logging` (levels differ: absl.logging.INFO "
                            "is 0, not 20)", "absl.logging")
            return
        name = rest[0]
        target_node = ref.prefix(f"tensorflow.logging.{name}")
        if name in _CONSTANTS:
            self._constant(ref, ctx, name, target_node, local, removed)
            return
        call = ctx.call_of(target_node)
        if name in _RENAMED:
            ctx.report(ref.node, f"{removed}: use `absl.logging.{_RENAMED[name]}`",
                       [Edit(target_node, parse_expression(f"{local}.{_RENAMED[name]}"))],
                       imports=("absl.logging",))
        elif name == "get_verbosity" and call is not None and not call.args:
            replacement = parse_expression(
                f"{local}.converter.absl_to_standard({local}.get_verbosity())")
            ctx.report(ref.node, f"{removed}: absl's get_verbosity returns absl levels; "
                                 "convert with `absl.logging.converter.absl_to_standard`",
                       [Edit(call, replacement)], imports=("absl.logging",))
        elif name == "fatal":
            ctx.report(ref.node, f"{removed}: `absl.logging.fatal` also aborts the process "
                                 "after logging (TF's only logged)",
                       [Edit(target_node, parse_expression(f"{local}.fatal"))],
                       FixSafety.UNSAFE, imports=("absl.logging",))
        elif name in _LEVEL_FIRST and call is not None:
            self._level_call(ref, ctx, name, call, target_node, local, removed)
        else:
            ctx.report(ref.node, f"{removed}: use the matching `absl.logging` function")

    def _constant(self, ref, ctx, name, node, local, removed) -> None:
        call_name = _level_function(ctx, node)
        if call_name is not None:
            replacement = f"{local}.{_CONSTANTS[name]}"
            aborts = name == "FATAL" and call_name != "set_verbosity"
            message = (f"{removed}: use `absl.logging.{_CONSTANTS[name]}` (absl levels differ "
                       "in value, mapped by name)")
            if aborts:
                message += "; absl aborts the process after a FATAL record, TF only logged it"
            ctx.report(ref.node, message, [Edit(node, parse_expression(replacement))],
                       FixSafety.UNSAFE if aborts else None, imports=("absl.logging",))
        elif isinstance(ctx.statement_of(node), cst.Assign) and ctx.statement_of(node).value is node:
            # `level = tf.logging.INFO` may feed absl or Python logging later: a person decides.
            ctx.report(ref.node, f"{removed}: `{name}` is 20-style Python level here; pass "
                                 f"`absl.logging.{_CONSTANTS[name]}` to absl functions and "
                                 f"`logging.{_STDLIB_CONSTANTS[name]}` to Python's logging")
        else:
            std = ctx.import_name("logging")
            ctx.report(ref.node, f"{removed}: the level {name} is Python's "
                                 f"`logging.{_STDLIB_CONSTANTS[name]}` (same value)",
                       [Edit(node, parse_expression(f"{std}.{_STDLIB_CONSTANTS[name]}"))],
                       imports=("logging",))

    def _level_call(self, ref, ctx, name, call, node, local, removed) -> None:
        level = call.args[0].value if call.args and not call.args[0].star else None
        edits = [Edit(node, parse_expression(f"{local}.{name}"))]
        safety = None
        message = f"{removed}: use `absl.logging.{name}` (levels mapped by name)"
        if isinstance(level, cst.Integer):
            python_level = int(level.value, 0)
            if name == "set_verbosity" and python_level in _PY_LEVEL_NAMES:
                text = f"{local}.{_PY_LEVEL_NAMES[python_level]}"
            else:
                text = str(standard_to_absl(python_level))
            edits.append(Edit(level, parse_expression(text)))
            if python_level >= 50 and name != "set_verbosity":
                safety = FixSafety.UNSAFE
        elif not _is_logging_constant(ctx, level):
            ctx.report(ref.node, f"{removed}: absl.logging.{name} takes absl levels (INFO=0), "
                                 "TF took Python levels (INFO=20); convert the level with "
                                 "`absl.logging.converter.standard_to_absl`")
            return
        elif ctx.resolve(level).endswith(".FATAL") and name != "set_verbosity":
            safety = FixSafety.UNSAFE
        if safety is FixSafety.UNSAFE:
            message += "; absl aborts the process after a FATAL record, TF only logged it"
        ctx.report(ref.node, message, edits, safety, imports=("absl.logging",))


def _is_logging_constant(ctx: Context, node) -> bool:
    """`tf.logging.INFO` written out (not a variable that happens to hold it)."""
    if not isinstance(node, cst.Attribute):
        return False
    name = ctx.resolve(node) or ""
    return name.startswith("tensorflow.logging.") and name.rsplit(".", 1)[-1] in _CONSTANTS


def _level_function(ctx: Context, node: cst.CSTNode) -> str | None:
    """The tf.logging / absl.logging function whose level argument `node` is, if any."""
    arg = ctx.parent(node)
    call = ctx.parent(arg) if isinstance(arg, cst.Arg) else None
    if not isinstance(call, cst.Call) or not call.args or call.args[0] is not arg:
        return None
    name = ctx.qualified_name(call.func) or ""
    module, _, function = name.rpartition(".")
    if module in ("tensorflow.logging", "absl.logging") and function in _LEVEL_FIRST:
        return function
    return None


# -- tf.gfile ---------------------------------------------------------------------------------

# TF1 name → (tf.io.gfile name, keyword renames)
GFILE = {
    "Copy": ("copy", {"oldpath": "src", "newpath": "dst"}),
    "DeleteRecursively": ("rmtree", {"dirname": "path"}),
    "Exists": ("exists", {"filename": "path"}),
    "FastGFile": ("GFile", {}),
    "GFile": ("GFile", {}),
    "Glob": ("glob", {"filename": "pattern"}),
    "IsDirectory": ("isdir", {"dirname": "path"}),
    "ListDirectory": ("listdir", {"dirname": "path"}),
    "MakeDirs": ("makedirs", {"dirname": "path"}),
    "MkDir": ("mkdir", {"dirname": "path"}),
    "Open": ("GFile", {}),
    "Remove": ("remove", {"filename": "path"}),
    "Rename": ("rename", {"oldname": "src", "newname": "dst"}),
    "Stat": ("stat", {"filename": "path"}),
    "Walk": ("walk", {"in_order": "topdown"}),
}


class Gfile(Rule):
    code = "TFM105"
    name = "tf-gfile"
    summary = "`tf.gfile` was removed: use `tf.io.gfile` with its lower-case names."
    fix = FixSafety.SAFE
    references = ("tensorflow.gfile.",)
    doc = """
## Why
`tf.gfile` does not exist in TensorFlow 2; `tf.io.gfile` has the same functions under
Python-style names and keyword arguments.

## What it becomes
`Exists`→`exists`, `MakeDirs`→`makedirs`, `MkDir`→`mkdir`, `ListDirectory`→`listdir`,
`IsDirectory`→`isdir`, `DeleteRecursively`→`rmtree`, `Glob`→`glob`, `Remove`→`remove`,
`Rename`→`rename`, `Copy`→`copy`, `Stat`→`stat`, `Walk`→`walk`, and `GFile`, `FastGFile`,
`Open`→`GFile`. Keyword arguments are renamed with them (`Copy(oldpath=, newpath=)` →
`copy(src=, dst=)`, `Walk(in_order=)` → `walk(topdown=)`, `filename=`/`dirname=` → `path=`).

## Caveats
None known: the TF2 functions call the same file-system layer.
"""
    examples = (
        Valid("import tensorflow as tf\n\ntf.io.gfile.exists('/tmp')\n"),
        Invalid(
            "import tensorflow as tf\n\nif not tf.gfile.Exists(d):\n    tf.gfile.MakeDirs(d)\n",
            "import tensorflow as tf\n\nif not tf.io.gfile.exists(d):\n    tf.io.gfile.makedirs(d)\n"),
        Invalid(
            "import tensorflow as tf\n\ntf.gfile.Copy(oldpath=a, newpath=b, overwrite=True)\n"
            "with tf.gfile.FastGFile(p, 'rb') as f:\n    data = f.read()\n",
            "import tensorflow as tf\n\ntf.io.gfile.copy(src=a, dst=b, overwrite=True)\n"
            "with tf.io.gfile.GFile(p, 'rb') as f:\n    data = f.read()\n"),
        Invalid(
            "from tensorflow import gfile\n\nnames = gfile.ListDirectory('.')\n",
            "import tensorflow as tf\n\nnames = tf.io.gfile.listdir('.')\n"),
    )

    def on_reference(self, ref: Reference, ctx: Context) -> None:
        if ref.via_alias:
            return
        rest = ref.rest("tensorflow.gfile")
        if not rest or rest[0] not in GFILE:
            ctx.report(ref.node, "`tf.gfile` was removed in TF2: use `tf.io.gfile`")
            return
        new_name, keywords = GFILE[rest[0]]
        tf = ctx.tensorflow_name()
        node = ref.prefix(f"tensorflow.gfile.{rest[0]}")
        edits = [Edit(node, parse_expression(f"{tf}.io.gfile.{new_name}"))]
        call = ctx.call_of(node)
        if call is not None:
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in keywords:
                    edits.append(Edit(arg.keyword, cst.Name(keywords[arg.keyword.value])))
        ctx.report(ref.node, f"`tf.gfile.{rest[0]}` was removed in TF2: use "
                             f"`tf.io.gfile.{new_name}`", edits, imports=("tensorflow",))
