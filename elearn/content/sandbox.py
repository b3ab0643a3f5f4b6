"""Parse and render a course in a separate process with CPU, memory and time limits.

Author files are untrusted input for the renderer. A web worker (or the CLI)
hands the work to ``python -m elearn.content.sandbox``, which limits itself with
``setrlimit`` before reading anything; the caller kills it when the wall-clock
budget runs out. Whatever happens in there, the caller gets either a prepared
course, the authors' errors (``ContentErrors``) or a ``RenderFailure`` with a
message for the coordinator: never a hung worker.
"""

from __future__ import annotations

import errno
import math
import os
import pickle  # noqa: S403 - only between this module and the child it starts itself
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elearn.content.errors import ContentErrors
from elearn.content.limits import RenderBudget
from elearn.content.parse import ParsedCourse, parse_course
from elearn.content.publish import RenderedCourse, render_course
from elearn.content.upload import unpack_course_zip
from elearn.problem_text import Problem

# A full disk or temp directory, a full quota, a file over the size limit.
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
NO_SPACE_MESSAGE = Problem(
    "ruang penyimpanan sementara di server penuh; coba lagi nanti atau hubungi admin"
)
MEMORY_MESSAGE = Problem("pemrosesan melebihi batas memori; perkecil berkas kursus")
CRASH_MESSAGE = Problem("pemrosesan berhenti tanpa hasil; hubungi admin bila terulang")


def _timeout(seconds: int) -> Problem:
    return Problem(
        "pemrosesan melebihi batas waktu (%(seconds)d detik); "
        "perkecil atau sederhanakan berkas kursus",
        seconds=seconds,
    )


class RenderFailure(Exception):
    """The render process gave no result; ``message`` says why, in Indonesian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PreparedCourse:
    parsed: ParsedCourse
    rendered: RenderedCourse


@dataclass(frozen=True)
class ZipSource:
    """An uploaded zip, as bytes."""

    data: bytes
    filename: str
    # A preview's own URL for the assets (the browser editor's); None: the version's.
    asset_base: str | None = None


@dataclass(frozen=True)
class FolderSource:
    """A course folder on disk (``flask courses ...``)."""

    folder: Path
    label: str


Source = ZipSource | FolderSource


def prepare(source: Source, budget: RenderBudget) -> PreparedCourse:
    """Unpack, parse and render ``source`` in this process (the child calls this)."""
    try:
        if isinstance(source, FolderSource):
            return _prepare_folder(source.folder, source.label, budget)
        with tempfile.TemporaryDirectory(prefix="elearn-upload-") as tmp:
            folder = unpack_course_zip(source.data, source.filename, Path(tmp))
            return _prepare_folder(folder, folder.name, budget, source.asset_base)
    except OSError as exc:
        if exc.errno in NO_SPACE:
            raise RenderFailure(NO_SPACE_MESSAGE) from exc
        raise
    except MemoryError:
        raise RenderFailure(MEMORY_MESSAGE) from None


def _prepare_folder(
    folder: Path, label: str, budget: RenderBudget, base: str | None = None
) -> PreparedCourse:
    parsed = parse_course(folder, label=label, max_scan_chars=budget.max_scan_chars)
    return PreparedCourse(parsed, render_course(parsed, base))


def prepare_limited(source: Source, budget: RenderBudget) -> PreparedCourse:
    """Run ``prepare`` in a child process limited by ``budget``; raise as ``prepare`` does."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        finished = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "elearn.content.sandbox"],
            input=pickle.dumps((source, budget)),
            capture_output=True,
            timeout=budget.wall_seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child
        raise RenderFailure(_timeout(budget.wall_seconds)) from None
    except OSError as exc:
        if exc.errno in NO_SPACE or exc.errno == errno.ENOMEM:
            raise RenderFailure(NO_SPACE_MESSAGE) from exc
        raise
    if finished.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise RenderFailure(_timeout(budget.cpu_seconds))
    if finished.returncode != 0 or not finished.stdout:
        raise RenderFailure(CRASH_MESSAGE)
    kind, value = pickle.loads(finished.stdout)  # noqa: S301 - written by our child above
    if kind == "errors":
        raise ContentErrors(value)
    if kind == "failure":
        raise RenderFailure(value)
    prepared: PreparedCourse = value
    return prepared


def _limit_self(budget: RenderBudget) -> None:
    import resource  # POSIX only; the child runs on the server, never on Windows

    # The budget is for the work, not for importing the application: count from now.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = math.ceil(usage.ru_utime + usage.ru_stime) + budget.cpu_seconds
    # Past the soft CPU limit the kernel sends SIGXCPU, whose default action ends us.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    resource.setrlimit(resource.RLIMIT_AS, (budget.memory_bytes, budget.memory_bytes))


def _child() -> None:
    source, budget = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our parent
    _limit_self(budget)
    result: tuple[str, Any]
    try:
        result = ("ok", prepare(source, budget))
    except ContentErrors as exc:
        result = ("errors", exc.problems)
    except RenderFailure as exc:
        result = ("failure", exc.message)
    try:
        output = pickle.dumps(result)
    except MemoryError:
        output = pickle.dumps(("failure", MEMORY_MESSAGE))
    sys.stdout.buffer.write(output)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    # Run the imported module, not __main__: what is pickled must name real classes.
    from elearn.content import sandbox

    sandbox._child()
