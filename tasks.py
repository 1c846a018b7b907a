"""Developer and CI tasks, run with invoke (``invoke --list`` shows them).

``invoke test`` is what the README and CI run. It runs the unit tests
(``utest/``, pytest) and the acceptance tests (``atest/``, Robot Framework)
three times and prints a summary table:

1. on the embedded backend, with the Python that runs invoke;
2. against a server: mongoeco's wire server, started on a free loopback port
   with a fresh random password and stopped afterwards whatever happens, or
   the MongoDB named by ``--mongodb-uri`` / ``TOS_TEST_MONGODB_URI``;
3. on the embedded backend under Python 3.10, the lowest supported version.

The test code learns where to connect from these environment variables, so
no password ever appears on a command line:

| variable                    | meaning                                        |
| --------------------------- | ---------------------------------------------- |
| ``TOS_TEST_BACKEND``        | ``embedded``, ``wire`` or ``mongodb``          |
| ``TOS_TEST_DB_SERVER``      | ``db_server`` value; ``embedded`` by default   |
| ``TOS_TEST_DB_USER``        | user name, when the server wants one           |
| ``TOS_TEST_DB_PASSW``       | its password                                   |
| ``TOS_TEST_DB_AUTH_SOURCE`` | its authentication database                    |
| ``TOS_TEST_CLIENT_OPTIONS`` | JSON object of extra ``MongoClient`` options   |
| ``TOS_TEST_DB_NAME``        | database name, optional; passed through as set |

Acceptance tests tagged ``no-<backend>`` (``no-wire``, ...) are left out on
that backend.

Extra environments are built on first use and reused: ``.venv-wire``
(Python 3.13 with mongoeco, runs the wire server) and ``.venv-py310``
(Python 3.10 with this project installed). The interpreters come from pyenv,
or from ``python3.13`` / ``python3.10`` on ``PATH``.
"""

import base64
import hashlib
import io
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
import zlib
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html import unescape as unescape_html
from pathlib import Path

from invoke import Exit, task
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tos.connection import mask_server, uri_credentials

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DOCS_FILE = ROOT / "docs" / "TOSLibrary.html"
WIRE_SERVER_SCRIPT = ROOT / "tools" / "wire_server.py"
ROBOT_SOURCE_DIRS = ("atest", "examples")

WIRE_VENV = ROOT / ".venv-wire"
WIRE_PYTHON_VERSION = "3.13"
WIRE_REQUIREMENTS = ("mongoeco>=4.11", "pymongo>=4.6")
WIRE_USER = "robot"
WIRE_AUTH_SOURCE = "admin"
WIRE_CLIENT_OPTIONS = {"authMechanism": "SCRAM-SHA-256"}
WIRE_START_TIMEOUT_SECONDS = 60
WIRE_STOP_TIMEOUT_SECONDS = 10

LOWER_BOUND_VENV = ROOT / ".venv-py310"
LOWER_BOUND_PYTHON_VERSION = "3.10"

COMMAND_TIMEOUT_SECONDS = 30 * 60

CONNECTION_VARIABLES = (
    "TOS_TEST_BACKEND",
    "TOS_TEST_DB_SERVER",
    "TOS_TEST_DB_USER",
    "TOS_TEST_DB_PASSW",
    "TOS_TEST_DB_AUTH_SOURCE",
    "TOS_TEST_CLIENT_OPTIONS",
)

console = Console(highlight=False, width=None if sys.stdout.isatty() else 100)


def say(text="", style=None):
    """Print ``text`` as it is (no rich markup: commands contain brackets)."""
    console.print(text, style=style, markup=False, soft_wrap=True)


@dataclass
class Target:
    """Where one run of the suites goes: backend, interpreter and variables."""

    backend: str
    name: str
    python: str
    variables: dict = field(default_factory=dict)

    @property
    def results(self):
        return RESULTS / self.name

    def password(self):
        """The server password this target's tests use, if any."""
        return (
            self.variables.get("TOS_TEST_DB_PASSW")
            or uri_credentials(self.variables.get("TOS_TEST_DB_SERVER", ""))[1]
        )

    def environment(self):
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in CONNECTION_VARIABLES and key != "TOS_TEST_MONGODB_URI"
        }
        environment.update(self.variables)
        return environment


@dataclass
class Outcome:
    """The result of one suite run, for the summary table."""

    part: str
    suite: str
    passed: bool
    seconds: float = 0.0
    counts: tuple | None = None
    note: str = ""


# Helpers: commands and environments


def show(argument):
    """Shorten paths inside the project to relative ones for printing."""
    return str(argument).replace(f"{ROOT}{os.sep}", "")


def run_command(arguments, env=None, timeout=None):
    """Run ``arguments`` from the project root and return its exit code."""
    arguments = [str(argument) for argument in arguments]
    say(f"$ {shlex.join(show(argument) for argument in arguments)}", "bold")
    process = subprocess.Popen(arguments, cwd=ROOT, env=env, stdin=subprocess.DEVNULL)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        say(f"Stopping the command after {timeout} seconds.", "red")
        stop_process(process)
        return None
    except BaseException:
        stop_process(process)
        raise


def stop_process(process):
    process.terminate()
    try:
        process.wait(timeout=WIRE_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def find_interpreter(version):
    """Return the path of a CPython ``version`` interpreter from pyenv or PATH."""
    pyenv = shutil.which("pyenv")
    if pyenv:
        result = subprocess.run(
            [pyenv, "prefix", version],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        prefix = result.stdout.strip().splitlines()
        if result.returncode == 0 and prefix:
            candidate = Path(prefix[0]) / "bin" / f"python{version}"
            if candidate.exists():
                return str(candidate)
    found = shutil.which(f"python{version}")
    if found:
        return found
    raise Exit(
        f"No Python {version} found: install it with pyenv "
        f"(pyenv install {version}) or put python{version} on PATH.",
        code=1,
    )


def venv_python(venv):
    return venv / "bin" / "python"


def ensure_venv(venv, version, requirements, stamp_extra=""):
    """Create ``venv`` with Python ``version`` and install ``requirements``.

    The environment is reused while its interpreter works and a stamp of the
    requirements (plus ``stamp_extra``) is unchanged; otherwise it is brought
    up to date. Returns the path of its ``python``.
    """
    python = venv_python(venv)
    stamp_file = venv / ".tos-stamp"
    stamp = json.dumps(
        {"python": version, "requirements": list(requirements), "extra": stamp_extra}
    )
    working = python.exists() and is_python_version(python, version)
    if working and stamp_file.exists() and stamp_file.read_text() == stamp:
        return str(python)

    if not working:
        if venv.exists():
            say(f"Rebuilding {show(venv)}: its Python does not work.")
            shutil.rmtree(venv)
        say(f"Creating {show(venv)} with Python {version}.")
        interpreter = find_interpreter(version)
        if run_command([interpreter, "-m", "venv", venv]) != 0:
            raise Exit(f"Could not create {show(venv)}.", code=1)
    say(f"Installing into {show(venv)}: {' '.join(requirements)}")
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if run_command([*pip, *requirements]) != 0:
        raise Exit(
            f"Could not install {' '.join(requirements)} into {show(venv)}.", code=1
        )
    stamp_file.write_text(stamp)
    return str(python)


def is_python_version(python, version):
    result = subprocess.run(
        [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    return result.returncode == 0 and result.stdout.strip() == version


def ensure_wire_venv():
    return ensure_venv(WIRE_VENV, WIRE_PYTHON_VERSION, WIRE_REQUIREMENTS)


def ensure_lower_bound_venv():
    pyproject = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    return ensure_venv(
        LOWER_BOUND_VENV,
        LOWER_BOUND_PYTHON_VERSION,
        ("-e", ".[dev]"),
        stamp_extra=pyproject,
    )


def mask_uri(uri):
    """Hide the password of a MongoDB URI for printing."""
    return mask_server(uri)


def remainder_arguments(c):
    """Arguments given after ``--`` on the invoke command line."""
    return shlex.split(getattr(c, "remainder", "") or "")


# Helpers: the wire server


@dataclass
class WireServer:
    host: str
    port: int
    password: str
    user: str = WIRE_USER
    auth_source: str = WIRE_AUTH_SOURCE

    @property
    def address(self):
        return f"{self.host}:{self.port}"

    def variables(self):
        return {
            "TOS_TEST_BACKEND": "wire",
            "TOS_TEST_DB_SERVER": self.address,
            "TOS_TEST_DB_USER": self.user,
            "TOS_TEST_DB_PASSW": self.password,
            "TOS_TEST_DB_AUTH_SOURCE": self.auth_source,
            "TOS_TEST_CLIENT_OPTIONS": json.dumps(WIRE_CLIENT_OPTIONS),
        }


@contextmanager
def wire_server(log_file, port=0, password=None):
    """Run the wire server for the ``with`` block and always stop it after.

    The server runs in its own process group, which is terminated (and killed
    if it lingers) on the way out, also when the block fails, on Ctrl-C and
    on SIGTERM. The server also stops by itself if this process dies.
    """
    python = ensure_wire_venv()
    password = password or secrets.token_urlsafe(24)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    port_directory = Path(tempfile.mkdtemp(prefix="tos-wire-"))
    port_file = port_directory / "address.json"
    environment = dict(os.environ)
    environment.update(
        TOS_WIRE_USER=WIRE_USER,
        TOS_WIRE_PASSWORD=password,
        TOS_WIRE_AUTH_SOURCE=WIRE_AUTH_SOURCE,
    )
    arguments = [
        python,
        WIRE_SERVER_SCRIPT,
        "--port-file",
        port_file,
        "--port",
        port,
        "--exit-with-parent",
    ]
    say(f"$ {shlex.join(show(argument) for argument in arguments)}", "bold")
    previous_handler = signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        with open(log_file, "w") as log:
            process = subprocess.Popen(
                [str(argument) for argument in arguments],
                cwd=ROOT,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            address = wait_for_port_file(process, port_file, log_file)
            server = WireServer(address["host"], address["port"], password)
            say(
                f"Wire server (pid {process.pid}) listens on {server.address}; "
                f"log: {show(log_file)}"
            )
            yield server
        finally:
            stop_process_group(process)
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        shutil.rmtree(port_directory, ignore_errors=True)


@contextmanager
def wire_server_or_exit(log_file, port=0, password=None):
    """Like :func:`wire_server`, failing the task with a message, no traceback."""
    try:
        with wire_server(log_file, port, password) as server:
            yield server
    except WireServerError as error:
        raise Exit(str(error), code=1) from None


def raise_keyboard_interrupt(signal_number, frame):
    raise KeyboardInterrupt(f"signal {signal_number}")


def wait_for_port_file(process, port_file, log_file):
    deadline = time.monotonic() + WIRE_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise WireServerError(
                f"The wire server exited with code {process.returncode} before "
                f"listening. Its log ({show(log_file)}) ends with:\n"
                f"{tail(log_file)}"
            )
        with suppress(OSError, ValueError):
            address = json.loads(port_file.read_text())
            if address.get("pid") == process.pid:
                return address
        time.sleep(0.1)
    raise WireServerError(
        f"The wire server did not listen within {WIRE_START_TIMEOUT_SECONDS} s. "
        f"Its log ({show(log_file)}) ends with:\n{tail(log_file)}"
    )


def stop_process_group(process):
    """Terminate the process group led by ``process``; kill what lingers."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=WIRE_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        say("The wire server ignored SIGTERM; killing it.", "red")
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    say(f"Wire server (pid {process.pid}) stopped.")


def tail(path, lines=20):
    with suppress(OSError):
        return "\n".join(path.read_text().splitlines()[-lines:])
    return "(no log)"


class WireServerError(Exception):
    pass


# Helpers: running and counting the suites


def utest_command(target, extra=()):
    output = target.results / "utest"
    return [
        target.python,
        "-m",
        "pytest",
        "-ra",
        f"--junitxml={output / 'junit.xml'}",
        "-o",
        f"junit_suite_name=utest-{target.name}",
        *extra,
        "utest",
    ]


def atest_command(target, extra=()):
    return [
        target.python,
        "-m",
        "robot",
        "--outputdir",
        target.results / "atest",
        "--loglevel",
        "TRACE:INFO",
        "--xunit",
        "xunit.xml",
        "--exclude",
        f"no-{target.backend}",
        *extra,
        "atest",
    ]


def run_utest(target, extra=()):
    return run_suite(target, "utest", utest_command(target, extra), pytest_counts)


def run_atest(target, extra=()):
    return run_suite(target, "atest", atest_command(target, extra), robot_counts)


def run_suite(target, suite, command, count):
    console.rule(f"{suite} on {target.name}")
    shutil.rmtree(target.results / suite, ignore_errors=True)
    (target.results / suite).mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    code = run_command(
        command, env=target.environment(), timeout=COMMAND_TIMEOUT_SECONDS
    )
    seconds = time.monotonic() - started
    counts = count(target.results / suite)
    note = explain_exit(suite, code)
    return Outcome(target.name, suite, code == 0, seconds, counts, note)


def explain_exit(suite, code):
    if code is None:
        return f"timed out after {COMMAND_TIMEOUT_SECONDS} s"
    if code == 0:
        return ""
    if suite == "utest":
        known = {
            1: "tests failed",
            2: "interrupted",
            3: "internal error",
            4: "usage error",
            5: "no tests collected",
        }
        return known.get(code, f"exit code {code}")
    if code < 250:
        return "tests failed"
    known = {252: "invalid data or no tests", 253: "interrupted", 255: "internal error"}
    return known.get(code, f"exit code {code}")


def pytest_counts(directory):
    """Return (passed, failed, skipped) from pytest's JUnit XML, or None."""
    try:
        root = ElementTree.parse(directory / "junit.xml").getroot()
    except (OSError, ElementTree.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return (tests - failed - skipped, failed, skipped)


def robot_counts(directory):
    """Return (passed, failed, skipped) from Robot Framework's output.xml."""
    try:
        root = ElementTree.parse(directory / "output.xml").getroot()
    except (OSError, ElementTree.ParseError):
        return None
    total = root.find("./statistics/total/stat")
    if total is None:
        return None
    return tuple(int(total.get(key, 0)) for key in ("pass", "fail", "skip"))


def embedded_target(python=None, name="embedded"):
    return Target(
        backend="embedded",
        name=name,
        python=python or sys.executable,
        variables={"TOS_TEST_BACKEND": "embedded", "TOS_TEST_DB_SERVER": "embedded"},
    )


def mongodb_target(uri, python=None):
    return Target(
        backend="mongodb",
        name="mongodb",
        python=python or sys.executable,
        variables={
            "TOS_TEST_BACKEND": "mongodb",
            "TOS_TEST_DB_SERVER": uri,
            "TOS_TEST_CLIENT_OPTIONS": "{}",
        },
    )


def wire_target(server, python=None):
    return Target("wire", "wire", python or sys.executable, server.variables())


def environment_target(python=None):
    """A target that keeps the TOS_TEST_* variables already set."""
    backend = os.environ["TOS_TEST_BACKEND"]
    variables = {
        key: os.environ[key] for key in CONNECTION_VARIABLES if key in os.environ
    }
    return Target(backend, backend, python or sys.executable, variables)


@contextmanager
def single_target(backend, mongodb_uri, py310):
    """Yield the target for ``utest`` and ``atest`` run on their own."""
    python = ensure_lower_bound_venv() if py310 else None
    mongodb_uri = mongodb_uri or os.environ.get("TOS_TEST_MONGODB_URI")
    if not backend:
        if "TOS_TEST_BACKEND" in os.environ:
            yield environment_target(python)
            return
        backend = "mongodb" if mongodb_uri else "embedded"
    if backend == "embedded":
        yield embedded_target(python)
    elif backend == "mongodb":
        if not mongodb_uri:
            raise Exit("--backend mongodb needs --mongodb-uri or TOS_TEST_MONGODB_URI")
        yield mongodb_target(mongodb_uri, python)
    elif backend == "wire":
        with wire_server_or_exit(RESULTS / "wire" / "wire-server.log") as server:
            yield wire_target(server, python)
    else:
        raise Exit(f"Unknown backend {backend!r}: use embedded, wire or mongodb.")


def finish(outcomes):
    if not all(outcome.passed for outcome in outcomes):
        raise Exit(code=1)


BACKEND_HELP = (
    "embedded, wire or mongodb; by default the TOS_TEST_* variables already set, "
    "else embedded"
)
SUITE_HELP = {
    "backend": BACKEND_HELP,
    "mongodb-uri": "MongoDB URI for --backend mongodb (or TOS_TEST_MONGODB_URI)",
    "py310": "run under .venv-py310, the lowest supported Python",
}


# Tasks


@task(help=SUITE_HELP)
def utest(c, backend="", mongodb_uri="", py310=False):
    """Run the unit tests (pytest); arguments after -- go to pytest."""
    with single_target(backend, mongodb_uri, py310) as target:
        outcome = run_utest(target, remainder_arguments(c))
    print_summary([outcome])
    finish([outcome])


@task(help=SUITE_HELP)
def atest(c, backend="", mongodb_uri="", py310=False):
    """Run the acceptance tests (Robot Framework); arguments after -- go to robot."""
    with single_target(backend, mongodb_uri, py310) as target:
        outcome = run_atest(target, remainder_arguments(c))
    print_summary([outcome])
    finish([outcome])


@task(
    help={
        "mongodb-uri": "run the server part against this MongoDB instead of the "
        "wire server (default: TOS_TEST_MONGODB_URI)",
    }
)
def test(c, mongodb_uri=""):
    """Run utest and atest on embedded, on a server and on Python 3.10."""
    mongodb_uri = mongodb_uri or os.environ.get("TOS_TEST_MONGODB_URI", "")
    started = time.monotonic()
    (RESULTS / "summary.txt").unlink(missing_ok=True)
    outcomes = []

    outcomes += run_both(embedded_target())

    if mongodb_uri:
        say(f"Server suites run against {mask_uri(mongodb_uri)}.")
        outcomes += run_both(mongodb_target(mongodb_uri))
    else:
        outcomes += run_on_wire_server()

    outcomes += run_on_lower_bound()

    print_summary(outcomes, write_to=RESULTS / "summary.txt")
    say(f"invoke test took {time.monotonic() - started:.0f} s")
    finish(outcomes)


def run_both(target):
    outcomes = [run_utest(target), run_atest(target)]
    password = target.password()
    if password:
        outcomes.append(scan_for_password(target, password))
    return outcomes


def scan_for_password(target, password):
    """Fail when the server password appears in any file the suites wrote."""
    leaks = [
        show(path)
        for path in sorted(target.results.rglob("*"))
        if path.is_file() and password_in_file(path, password)
    ]
    if leaks:
        say(f"The password appears in: {', '.join(leaks)}", "red")
    else:
        say(f"The password appears in no file under {show(target.results)}.")
    return Outcome(
        target.name,
        "password scan",
        not leaks,
        note=f"found in {len(leaks)} file(s)" if leaks else "not found",
    )


def password_in_file(path, password):
    """Whether ``password`` shows in the file at ``path``, as stored or as read.

    XML and HTML files are also searched with their character references
    (``&amp;``, ...) decoded, and Robot Framework's log and report (with
    their ``.js`` parts of a split log) also in the strings they keep
    compressed.
    """
    data = path.read_bytes()
    if password.encode() in data:
        return True
    if path.suffix not in (".xml", ".html", ".js"):
        return False
    text = data.decode("utf-8", errors="replace")
    texts = [text]
    if path.suffix in (".html", ".js"):
        texts += robot_strings(text)
    return any(password in found or password in unescape_html(found) for found in texts)


# A double-quoted JavaScript string literal on one line, and the escapes
# that Robot Framework writes in them.
JS_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
JS_ESCAPE = re.compile(r"\\(x3c|.)")
JS_ESCAPED = {"n": "\n", "r": "\r", "t": "\t", "x3c": "<"}


def robot_strings(text):
    """Return the texts of the strings in a Robot Framework log or report.

    Robot Framework writes its data as lines ``window.NAME = ...;``, its
    texts as string literals in arrays such as ``window.output["strings"]``.
    A literal that starts with ``*`` holds the text itself; any other is the
    text compressed with zlib and encoded in base64, or no text at all.
    """
    strings = []
    for line in text.splitlines():
        if not line.startswith("window."):
            continue
        for literal in JS_STRING.findall(line):
            value = JS_ESCAPE.sub(lambda m: JS_ESCAPED.get(m[1], m[1]), literal)
            if value.startswith("*"):
                strings.append(value[1:])
                continue
            with suppress(ValueError, zlib.error):
                compressed = base64.b64decode(value, validate=True)
                strings.append(zlib.decompress(compressed).decode())
    return strings


def run_on_wire_server():
    started = time.monotonic()
    shutil.rmtree(RESULTS / "wire", ignore_errors=True)
    try:
        with wire_server(RESULTS / "wire" / "wire-server.log") as server:
            say(f"Wire setup took {time.monotonic() - started:.1f} s.")
            return run_both(wire_target(server))
    except (Exit, WireServerError) as error:
        return setup_failure("wire", started, error)


def run_on_lower_bound():
    started = time.monotonic()
    name = f"embedded-py{LOWER_BOUND_PYTHON_VERSION.replace('.', '')}"
    try:
        python = ensure_lower_bound_venv()
    except Exit as error:
        return setup_failure(name, started, error)
    say(f"{show(LOWER_BOUND_VENV)} ready after {time.monotonic() - started:.1f} s.")
    return run_both(embedded_target(python, name=name))


def setup_failure(part, started, error):
    message = getattr(error, "message", None) or str(error) or "setup failed"
    say(message, "red")
    seconds = time.monotonic() - started
    first_line = message.splitlines()[0]
    return [
        Outcome(part, "utest", False, seconds, note=first_line),
        Outcome(part, "atest", False, 0.0, note=first_line),
    ]


def print_summary(outcomes, write_to=None):
    """Print one row per suite run and a closing line with the test counts."""
    table = Table(title="Test summary")
    for column in ("part", "suite", "result", "passed", "failed", "skipped", "time"):
        table.add_column(
            column, justify="left" if column in ("part", "suite", "result") else "right"
        )
    totals = [0, 0, 0]
    for outcome in outcomes:
        if outcome.counts:
            totals = [a + b for a, b in zip(totals, outcome.counts, strict=True)]
        result = Text("PASS" if outcome.passed else "FAIL")
        result.stylize("green" if outcome.passed else "red")
        if outcome.note:
            result.append(f" ({outcome.note})")
        table.add_row(
            outcome.part,
            outcome.suite,
            result,
            *(str(count) for count in outcome.counts or ("-", "-", "-")),
            f"{outcome.seconds:.1f} s",
        )
    failed_runs = sum(not outcome.passed for outcome in outcomes)
    lines = [
        f"{len(outcomes)} suite runs, {failed_runs} failed",
        f"total: {totals[0]} passed, {totals[1]} failed, {totals[2]} skipped",
    ]

    console.print()
    console.print(table)
    for line in lines:
        say(line)

    if write_to:
        recorder = Console(record=True, width=100, file=io.StringIO())
        recorder.print(table)
        for line in lines:
            recorder.print(line, markup=False)
        write_to.parent.mkdir(parents=True, exist_ok=True)
        write_to.write_text(recorder.export_text())


@task(
    help={
        "port": "port to listen on; 0 (default) picks a free one",
        "password": "password of the test user; by default a random one",
    }
)
def wire(c, port=0, password=""):
    """Start the wire server by hand and show how to point the tests at it."""
    env_file = RESULTS / "wire" / "server-env.sh"
    log_file = RESULTS / "wire" / "wire-server.log"
    with wire_server_or_exit(log_file, port, password) as server:
        write_env_file(env_file, server.variables())
        say(
            f"\nThe wire server listens on {server.address} "
            f"(user {server.user!r}, authentication database "
            f"{server.auth_source!r}, mechanism SCRAM-SHA-256).\n"
            f"{show(env_file)} sets the TOS_TEST_* variables, password included."
            " In another shell:\n\n"
            f"    . {show(env_file)}\n"
            "    invoke utest          # or: python -m pytest utest\n"
            "    invoke atest          # or: python -m robot atest\n\n"
            "Press Ctrl-C to stop the server."
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            say("\nStopping.")
        finally:
            with suppress(OSError):
                env_file.unlink()


def write_env_file(path, variables):
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        for key, value in variables.items():
            stream.write(f"export {key}={shlex.quote(value)}\n")


def robot_source_dirs():
    return [name for name in ROBOT_SOURCE_DIRS if any((ROOT / name).rglob("*.robot"))]


def run_all(commands):
    codes = [run_command(command) for command in commands]
    if any(code != 0 for code in codes):
        raise Exit(code=1)


@task
def lint(c):
    """Check formatting and lint: ruff format, ruff check, robotidy."""
    python = sys.executable
    commands = [
        [python, "-m", "ruff", "format", "--check", "."],
        [python, "-m", "ruff", "check", "."],
    ]
    if robot_source_dirs():
        commands.append(
            [python, "-m", "robotidy", "--check", "--diff", *robot_source_dirs()]
        )
    run_all(commands)


@task(name="format")
def format_sources(c):
    """Apply ruff format, ruff's fixes and robotidy."""
    python = sys.executable
    commands = [
        [python, "-m", "ruff", "format", "."],
        [python, "-m", "ruff", "check", "--fix", "."],
    ]
    if robot_source_dirs():
        commands.append([python, "-m", "robotidy", *robot_source_dirs()])
    run_all(commands)


#: libdoc must create the library to list its keywords, and TOSLibrary needs
#: a server and a database name: the embedded backend costs nothing.
LIBDOC_LIBRARY = "TOSLibrary::embedded::libdoc"
GENERATED_STAMP = re.compile(r'"generated":\s*"[^"]*"')


@task(help={"check": "fail if docs/TOSLibrary.html is not up to date"})
def docs(c, check=False):
    """Generate docs/TOSLibrary.html with libdoc (or check it with --check)."""
    with tempfile.TemporaryDirectory() as directory:
        output = Path(directory) / "TOSLibrary.html"
        command = [sys.executable, "-m", "robot.libdoc", LIBDOC_LIBRARY, output]
        if run_command(command) != 0:
            raise Exit("libdoc failed.", code=1)
        generated = relative_sources(output.read_text(encoding="utf-8"))

    if not check:
        DOCS_FILE.parent.mkdir(parents=True, exist_ok=True)
        DOCS_FILE.write_text(generated, encoding="utf-8")
        say(f"Wrote {show(DOCS_FILE)}.")
        return

    if not DOCS_FILE.exists():
        raise Exit(f"{show(DOCS_FILE)} is missing: run 'invoke docs'.", code=1)
    committed = DOCS_FILE.read_text(encoding="utf-8")
    if without_stamp(committed) != without_stamp(generated):
        raise Exit(
            f"{show(DOCS_FILE)} is out of date with the keyword docs: "
            "run 'invoke docs' and commit the result.",
            code=1,
        )
    say(f"{show(DOCS_FILE)} is up to date.")


def relative_sources(html):
    """Make libdoc's source paths relative, so the file is the same anywhere."""
    prefix = re.escape(f'"source": "{ROOT.as_posix()}/')
    return re.sub(prefix, '"source": "', html)


def without_stamp(html):
    return GENERATED_STAMP.sub('"generated": ""', html)


def run_script(c, script):
    path = ROOT / script
    if not path.exists():
        raise Exit(f"{script} does not exist yet.", code=1)
    code = run_command([sys.executable, path, *remainder_arguments(c)])
    if code != 0:
        raise Exit(code=code or 1)


@task
def demo(c):
    """Run the example process (examples/run_demo.py); arguments after -- go to it."""
    run_script(c, "examples/run_demo.py")


@task
def bench(c):
    """Run the benchmarks (bench/run.py); arguments after -- go to it."""
    run_script(c, "bench/run.py")
