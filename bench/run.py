"""Benchmark this project against task-object-storage 1.4 on the same backends.

Run it with ``invoke bench`` (arguments after ``--`` come here) or
``python bench/run.py`` from the project's environment. ``--help`` lists the
options; ``docs/benchmarks.md`` shows figures and explains them.

What it does:

1. Builds ``.venv-peer`` on first use: the same Python version as this one,
   with task-object-storage 1.4.0 from the package index, and the same
   pymongo and mongomock versions as this project's environment.
2. For each backend (embedded, then the wire server, or a MongoDB named by
   ``--mongodb-uri`` with ``--backends mongodb``), runs ``workload.py``
   as a separate process per implementation and mode:
   TOS 1.4 with its keyword sequence, this project with the same sequence,
   and this project with its new operations. Each prints JSON; this script
   prints the figures side by side, with the ratios and the targets of
   issue #4.
3. Times single claims at two queue lengths and shows the claim query's
   plan where the backend reports one.

``--concurrency`` runs the other benchmark instead: worker processes
claiming and finishing from one shared queue on the wire server, then an
audit that counts duplicates and losses (see ``concurrency.py``).

The wire server is mongoeco's MongoDB emulator, not a MongoDB server: its
figures show round trips and relative cost, not what MongoDB would do.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

import servers  # noqa: E402  (run from bench/, whose folder is on sys.path)
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

import tasks  # noqa: E402  (the project's environment and wire server helpers)

PEER_VENV = ROOT / ".venv-peer"
PEER_DISTRIBUTION = "task-object-storage==1.4.0"
WORKLOAD = BENCH / "workload.py"
CONCURRENCY = BENCH / "concurrency.py"
WORKLOAD_TIMEOUT_SECONDS = 45 * 60
STREAM_BATCH_SIZE = 100

console = Console(highlight=False, width=None if sys.stdout.isatty() else 132)

LABELS = {
    ("peer", "legacy"): "TOS 1.4",
    ("ours", "legacy"): "this project, TOS 1.4 keyword sequence",
    ("ours", "new"): "this project, new operations",
}
SHORT_LABELS = {
    ("peer", "legacy"): "TOS 1.4",
    ("ours", "legacy"): "ours (1.4 keywords)",
    ("ours", "new"): "ours (new ops)",
}


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(
        description="Compare this project with task-object-storage 1.4: round "
        "trips and throughput of a producer and two consumer stages."
    )
    parser.add_argument(
        "--items", type=int, default=500, help="task objects in the pipeline"
    )
    parser.add_argument(
        "--batch-size", type=int, default=500, help="objects per bulk create"
    )
    parser.add_argument(
        "--backends",
        default="embedded,wire",
        help="comma-separated: embedded, wire, mongodb (default: embedded,wire); "
        "mongodb is the server named by --mongodb-uri",
    )
    parser.add_argument(
        "--claims", type=int, default=20, help="claims timed at each queue length"
    )
    parser.add_argument(
        "--embedded-queue-sizes",
        default="1000,20000",
        help="waiting objects for the claim timing on the embedded backend",
    )
    parser.add_argument(
        "--wire-queue-sizes",
        default="1000,4000",
        help="waiting objects for the claim timing on the wire server",
    )
    parser.add_argument(
        "--mongodb-queue-sizes",
        default="1000,20000",
        help="waiting objects for the claim timing on a MongoDB server",
    )
    parser.add_argument(
        "--no-claims", action="store_true", help="skip the claim timing"
    )
    parser.add_argument(
        "--mongodb-uri",
        default=os.environ.get("TOS_TEST_MONGODB_URI", ""),
        help="a MongoDB server for --backends mongodb and --concurrency (default: "
        "TOS_TEST_MONGODB_URI); credentials go in the URI, which is never printed "
        "with its password and reaches the workloads through their environment",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "results" / "bench",
        help="folder for the JSON results and logs",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="RESULTS_JSON",
        help="print the tables of an earlier run from its results.json, run nothing",
    )
    concurrency = parser.add_argument_group("concurrency test (issue #5)")
    concurrency.add_argument(
        "--concurrency",
        action="store_true",
        help="run the shared-queue test instead, on the wire server or on the "
        "MongoDB named by --mongodb-uri",
    )
    concurrency.add_argument("--processes", type=int, default=8)
    concurrency.add_argument("--objects", type=int, default=2000)
    concurrency.add_argument(
        "--stream",
        action="store_true",
        help="create the objects while the workers claim, in batches of 100, "
        "keeping fewer than --max-waiting waiting, instead of all before",
    )
    concurrency.add_argument(
        "--max-waiting",
        type=int,
        default=500,
        help="with --stream: the queue length the producer keeps under",
    )
    concurrency.add_argument(
        "--racy-claims",
        action="store_true",
        help="negative control: workers claim with a separate read and write, "
        "and the audit must report duplicates",
    )
    concurrency.add_argument(
        "--time-limit",
        type=float,
        default=300.0,
        help="seconds the workers may claim before they stop",
    )
    arguments = parser.parse_args(argv)
    arguments.backends = [name for name in arguments.backends.split(",") if name]
    unknown = set(arguments.backends) - {"embedded", "wire", "mongodb"}
    if unknown:
        parser.error(f"unknown backend(s): {', '.join(sorted(unknown))}")
    if "mongodb" in arguments.backends and not arguments.mongodb_uri:
        parser.error("--backends mongodb needs --mongodb-uri (or TOS_TEST_MONGODB_URI)")
    return arguments


def say(text="", style=None):
    console.print(text, style=style, markup=False, soft_wrap=True)


# Environments


def ours_python():
    """The Python running this script, which must import this project's ``tos``."""
    result = subprocess.run(
        [sys.executable, "-c", "import tos, os; print(os.path.dirname(tos.__file__))"],
        capture_output=True,
        text=True,
        cwd=BENCH,
        env=clean_environment(),
    )
    location = result.stdout.strip()
    if result.returncode != 0 or Path(location) != ROOT / "tos":
        raise SystemExit(
            f"{sys.executable} does not import this project's tos package "
            f"(got {location or result.stderr.strip()}). Run from the project "
            "environment: pip install -e . in .venv."
        )
    return sys.executable


def peer_python():
    """Build or reuse ``.venv-peer`` with TOS 1.4 and this side's driver versions."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    requirements = (
        PEER_DISTRIBUTION,
        f"pymongo=={metadata.version('pymongo')}",
        f"mongomock=={metadata.version('mongomock')}",
    )
    return tasks.ensure_venv(PEER_VENV, version, requirements)


def clean_environment(extra=None):
    """This process's environment without PYTHONPATH, so each side imports its own."""
    environment = {
        key: value for key, value in os.environ.items() if key != "PYTHONPATH"
    }
    environment.update(extra or {})
    return environment


# Running the workloads


def run_json(python, script, arguments, environment=None, timeout=None):
    """Run ``script`` with ``python``; return the JSON of its last output line."""
    command = [str(python), str(script), *[str(argument) for argument in arguments]]
    timeout = timeout or WORKLOAD_TIMEOUT_SECONDS
    try:
        result = subprocess.run(
            command,
            stdout=subprocess.PIPE,
            stderr=None,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=BENCH,
            env=clean_environment(environment),
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise SystemExit(
            f"{Path(script).name} {' '.join(command[2:])} did not finish within "
            f"{timeout} s; try fewer --items or smaller queue sizes."
        ) from None
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise SystemExit(
            f"{Path(script).name} {' '.join(command[2:])} failed with code "
            f"{result.returncode}"
        )
    return json.loads(lines[-1])


def connection_arguments(server):
    if server is None:
        return ["--backend", "embedded"], {}
    if isinstance(server, UriServer):
        return ["--backend", "mongodb"], {servers.URI_VARIABLE: server.uri}
    arguments = [
        "--backend",
        "wire",
        "--server",
        server.address,
        "--user",
        server.user,
        "--auth-source",
        server.auth_source,
    ]
    return arguments, {servers.PASSWORD_VARIABLE: server.password}


def benchmark_backend(backend, pythons, arguments, server=None):
    connection, environment = connection_arguments(server)
    # On a shared MongoDB, each run works in databases of its own.
    run_tag = f"_{os.getpid()}" if backend == "mongodb" else ""
    results = {"backend": backend, "pipelines": [], "claims": []}
    for impl, mode in (("peer", "legacy"), ("ours", "legacy"), ("ours", "new")):
        say(f"[{backend}] pipeline: {LABELS[impl, mode]}, {arguments.items} items")
        started = time.monotonic()
        result = run_json(
            pythons[impl],
            WORKLOAD,
            [
                "--task",
                "pipeline",
                "--impl",
                impl,
                "--mode",
                mode,
                "--items",
                arguments.items,
                "--batch-size",
                arguments.batch_size,
                "--db-name",
                f"bench_{impl}_{mode}{run_tag}",
                *connection,
            ],
            environment,
        )
        say(f"[{backend}]   done in {time.monotonic() - started:.0f} s")
        results["pipelines"].append(result)
    if arguments.no_claims:
        return results
    sizes = {
        "wire": arguments.wire_queue_sizes,
        "mongodb": arguments.mongodb_queue_sizes,
    }.get(backend, arguments.embedded_queue_sizes)
    for impl in ("peer", "ours"):
        label = "TOS 1.4" if impl == "peer" else "this project"
        say(f"[{backend}] claim timing: {label}, queue lengths {sizes}")
        started = time.monotonic()
        result = run_json(
            pythons[impl],
            WORKLOAD,
            [
                "--task",
                "claims",
                "--impl",
                impl,
                "--queue-sizes",
                sizes,
                "--claims",
                arguments.claims,
                "--db-name",
                f"bench_claims_{impl}{run_tag}",
                *connection,
            ],
            environment,
        )
        say(f"[{backend}]   done in {time.monotonic() - started:.0f} s")
        results["claims"].append(result)
    return results


# Reporting


def find(pipelines, impl, mode):
    for result in pipelines:
        if result["impl"] == impl and result["mode"] == mode:
            return result
    return None


def number(value, digits=2):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def yes_or_no(value):
    return "yes" if value else "NO"


def ratio(value, base):
    if value is None or not base:
        return "-"
    if 0 < value / base < 0.01:
        return "<0.01x"
    return f"{value / base:.2f}x"


def print_pipeline_table(backend_results):
    pipelines = backend_results["pipelines"]
    items = pipelines[0]["items"]
    peer = find(pipelines, "peer", "legacy")
    columns = [find(pipelines, *key) for key in LABELS]
    table = Table(
        title=f"{backend_results['backend']} backend: producer and two consumer "
        f"stages, {items} task objects",
        title_justify="left",
    )
    table.add_column("")
    for key in LABELS:
        table.add_column(LABELS[key], justify="right")

    def row(label, cell):
        table.add_row(label, *[cell(result) if result else "-" for result in columns])

    row("producer round trips / item", lambda r: number(r["producer"]["per_item"], 3))
    row(
        "producer round trips / batch",
        lambda r: (
            number(
                r["producer"]["round_trips"] / math.ceil(r["items"] / r["batch_size"])
            )
            if r["batch_size"]
            else "-"
        ),
    )
    row(
        "consumer round trips / item / stage",
        lambda r: number(r["consumer"]["per_item_per_stage"]),
    )

    def round_trip_ratios(result):
        producer = ratio(result["producer"]["per_item"], peer["producer"]["per_item"])
        consumer = ratio(
            result["consumer"]["per_item_per_stage"],
            peer["consumer"]["per_item_per_stage"],
        )
        return f"{producer}, {consumer}"

    row("round trip ratio (producer, consumer)", round_trip_ratios)
    row("producer items/s", lambda r: number(r["producer"]["items_per_second"]))
    row(
        "consumer items/s (both stages)",
        lambda r: number(r["consumer"]["items_per_second"]),
    )
    row("pipeline items/s", lambda r: number(r["total"]["items_per_second"]))
    row(
        "pipeline items/s vs TOS 1.4",
        lambda r: ratio(
            r["total"]["items_per_second"], peer["total"]["items_per_second"]
        ),
    )
    row("pipeline seconds", lambda r: number(r["total"]["seconds"], 1))
    row("consumer ms / item / stage", lambda r: number(consumer_ms(r)))
    row("  of which the claim (share)", claim_share)
    row("every object passed both stages", lambda r: yes_or_no(r["check"]["ok"]))
    console.print(table)
    new = find(pipelines, "ours", "new")
    if new and "producer_single" in new:
        single = new["producer_single"]
        say(
            f"  create_new_task_object(finished=True), one object per call: "
            f"{number(single['per_item'])} round trips / item, "
            f"{number(single['items_per_second'])} items/s ({single['items']} objects)"
        )


CLAIM_OPERATIONS = ("claim_task_object", "find_one_task_object_by_status_and_stage")


def consumer_ms(result):
    consumer = result["consumer"]
    return consumer["seconds"] * 1000 / (result["items"] * len(consumer["stages"]))


def claim_share(result):
    """Milliseconds the claim takes per item and stage, and its share of the stage."""
    for name in CLAIM_OPERATIONS:
        entry = result["operations"].get(name)
        if entry:
            share = entry["ms_per_call"] / consumer_ms(result)
            return f"{number(entry['ms_per_call'])} ({share:.0%})"
    return "-"


def targets(backend_results):
    """The targets of issue #4 as (text, measured, met) rows."""
    pipelines = backend_results["pipelines"]
    peer = find(pipelines, "peer", "legacy")
    legacy = find(pipelines, "ours", "legacy")
    new = find(pipelines, "ours", "new")
    rows = []
    if new:
        batches = math.ceil(new["items"] / new["batch_size"])
        rows.append(
            (
                "producer, bulk: at most 1 round trip per batch",
                f"{new['producer']['round_trips']} for {batches} batch(es)",
                new["producer"]["round_trips"] <= batches,
            )
        )
        single = new.get("producer_single")
        if single:
            rows.append(
                (
                    "producer, one by one: at most 1 round trip per item",
                    number(single["per_item"]),
                    single["per_item"] <= 1,
                )
            )
        per_stage = new["consumer"]["per_item_per_stage"]
        rows.append(
            (
                "consumer, new operations: at most 2 round trips per item",
                number(per_stage),
                per_stage <= 2,
            )
        )
    if legacy and peer:
        for part, key in (("producer", "per_item"), ("consumer", "per_item_per_stage")):
            ours_value = legacy[part][key]
            peer_value = peer[part][key]
            rows.append(
                (
                    f"{part}, TOS 1.4 keyword sequence: at most half of TOS 1.4",
                    f"{number(ours_value)} vs {number(peer_value)}",
                    ours_value <= peer_value / 2,
                )
            )
    if new and peer:
        value = new["total"]["items_per_second"] / peer["total"]["items_per_second"]
        rows.append(
            (
                "items/s, new operations: at least 3x TOS 1.4",
                f"{value:.2f}x",
                value >= 3,
            )
        )
    if legacy and peer:
        value = legacy["total"]["items_per_second"] / peer["total"]["items_per_second"]
        rows.append(
            (
                "items/s, TOS 1.4 keyword sequence: at least 3x TOS 1.4",
                f"{value:.2f}x",
                value >= 3,
            )
        )
    return rows


def print_targets(all_results):
    table = Table(title="Targets of issue #4", title_justify="left")
    for name in ("backend", "target", "measured", "met"):
        table.add_column(name)
    for backend_results in all_results:
        for text, measured, met in targets(backend_results):
            table.add_row(
                backend_results["backend"],
                text,
                measured,
                "met" if met else "MISSED",
                style=None if met else "bold red",
            )
    console.print(table)


def print_operations(all_results):
    for backend_results in all_results:
        table = Table(
            title=f"{backend_results['backend']} backend, per call of each "
            "operation: round trips, the commands sent, milliseconds",
            title_justify="left",
        )
        table.add_column("implementation", no_wrap=True)
        table.add_column("operation", no_wrap=True)
        table.add_column("calls", justify="right")
        table.add_column("round trips", justify="right")
        table.add_column("commands", no_wrap=True)
        table.add_column("ms", justify="right")
        for result in backend_results["pipelines"]:
            label = SHORT_LABELS[result["impl"], result["mode"]]
            for operation, entry in result["operations"].items():
                commands = ", ".join(
                    f"{command} x{count:g}"
                    for command, count in entry["by_command"].items()
                )
                table.add_row(
                    label,
                    operation,
                    str(entry["calls"]),
                    number(entry["per_call"]),
                    commands,
                    number(entry["ms_per_call"]),
                )
        console.print(table)
        say()


def print_claims(all_results):
    rows = [
        (backend_results["backend"], result)
        for backend_results in all_results
        for result in backend_results["claims"]
    ]
    if not rows:
        return
    table = Table(
        title=f"Claim time against queue length ({rows[0][1]['sizes'][0]['claims']} "
        "claims timed "
        "at each length; the waiting objects have passed stage 0)",
        title_justify="left",
    )
    for name in ("backend", "implementation"):
        table.add_column(name)
    table.add_column("operation", no_wrap=True)
    for name in ("waiting", "median ms", "mean ms", "round trips / claim"):
        table.add_column(name, justify="right")
    for backend, result in rows:
        label = "TOS 1.4" if result["impl"] == "peer" else "this project"
        for size in result["sizes"]:
            table.add_row(
                backend,
                label,
                size["operation"],
                f"{size['waiting']:,}",
                number(size["median_ms"]),
                number(size["mean_ms"]),
                number(size["round_trips_per_claim"]),
            )
    console.print(table)
    for backend, result in rows:
        label = "TOS 1.4" if result["impl"] == "peer" else "this project"
        indexes = ", ".join(result["indexes"]) or "none"
        say(f"  {backend}, {label}: indexes on the collection: {indexes}")
        say(f"  {backend}, {label}: claim query plan: {result['explain']['summary']}")


def print_notes(all_results):
    say("Notes", "bold")
    excluded_shown = False
    shims_shown = set()
    for backend_results in all_results:
        backend = backend_results["backend"]
        pipelines = backend_results["pipelines"]
        if not pipelines:
            continue
        say(f"- {backend}: round trips counted by {pipelines[0]['counting']}.")
        if backend != "embedded" and not excluded_shown:
            excluded = ", ".join(pipelines[0]["excluded_commands"])
            say(
                f"- {backend}: not counted (connection set-up, once per connection or "
                f"process): {excluded}."
            )
            excluded_shown = True
        for result in pipelines + backend_results["claims"]:
            for shim in result.get("shims", []):
                if (backend, shim) not in shims_shown:
                    say(f"- {backend}: shim applied to TOS 1.4: {shim}.")
                    shims_shown.add((backend, shim))
        for result in pipelines:
            info = result.get("implementation")
            if info and result["mode"] == "legacy":
                say(
                    f"- {backend}: {info['distribution']} {info['version']} from "
                    f"{tasks.show(info['location'])}, Python {info['python']}, "
                    f"pymongo {info['pymongo']}."
                )
    if any(results["backend"] == "wire" for results in all_results):
        say(
            "- The wire server is mongoeco, a MongoDB emulator, not a MongoDB "
            "server: it scans the collection for every claim and inserts "
            "documents one at a time, so its times show relative cost only."
        )
    say(
        "- Times are wall-clock seconds on this machine; they vary from run to "
        "run and nothing asserts on them."
    )


def engine_revision():
    """The last commit that touched ``tos/``, and whether ``tos/`` has changes."""

    def git(*arguments):
        result = subprocess.run(
            ["git", *arguments], capture_output=True, text=True, cwd=ROOT
        )
        return result.stdout.strip() if result.returncode == 0 else ""

    commit = git("log", "-1", "--format=%h", "--", "tos") or "unknown"
    changed = bool(git("status", "--porcelain", "--", "tos"))
    return f"{commit}{' with uncommitted changes' if changed else ''}"


def benchmark(arguments):
    arguments.output.mkdir(parents=True, exist_ok=True)
    pythons = {"ours": ours_python(), "peer": peer_python()}
    all_results = []
    revision = engine_revision()
    started = time.monotonic()
    for backend in arguments.backends:
        if backend == "embedded":
            all_results.append(benchmark_backend(backend, pythons, arguments))
        elif backend == "mongodb":
            say(f"MongoDB server: {tasks.mask_uri(arguments.mongodb_uri)}")
            server = UriServer(arguments.mongodb_uri)
            all_results.append(benchmark_backend(backend, pythons, arguments, server))
        else:
            log_file = arguments.output / "wire-server.log"
            with tasks.wire_server_or_exit(log_file) as server:
                all_results.append(
                    benchmark_backend(backend, pythons, arguments, server)
                )
    run = {
        "seconds": time.monotonic() - started,
        "cores": os.cpu_count(),
        "engine_revision": revision,
        "results": all_results,
    }
    if engine_revision() != revision:
        run["engine_revision"] += f", then {engine_revision()} before the run ended"
    output = arguments.output / "results.json"
    output.write_text(json.dumps(run, indent=2, default=str))
    say()
    report(run)
    say(f"- All figures as JSON: {tasks.show(output)}")
    failed = [
        f"{results['backend']} {result['impl']}/{result['mode']}"
        for results in all_results
        for result in results["pipelines"]
        if not result["check"]["ok"]
    ]
    if failed:
        say(f"The pipeline left objects unfinished in: {', '.join(failed)}", "red")
        return 1
    return 0


def report(run):
    """Print every table of one benchmark run (fresh, or read back from JSON)."""
    all_results = run["results"]
    for backend_results in all_results:
        print_pipeline_table(backend_results)
        say()
    print_targets(all_results)
    say()
    print_operations(all_results)
    print_claims(all_results)
    say()
    print_notes(all_results)
    say(f"- Benchmark time: {run['seconds']:.0f} s on {run['cores']} cores.")
    if "engine_revision" in run:
        say(f"- This project's tos/ at commit {run['engine_revision']}.")


# The concurrency test


@contextmanager
def concurrency_server(arguments):
    """The wire server, or the MongoDB named by ``--mongodb-uri``."""
    if not arguments.mongodb_uri:
        with tasks.wire_server_or_exit(arguments.output / "wire-server.log") as server:
            yield server
        return
    say(f"Shared-queue test against {tasks.mask_uri(arguments.mongodb_uri)}")
    yield UriServer(arguments.mongodb_uri)


@dataclass
class UriServer:
    """A MongoDB reached by URI; the URI carries any credentials."""

    uri: str


def concurrency(arguments):
    output = arguments.output / "concurrency"
    output.mkdir(parents=True, exist_ok=True)
    for old_log in [*output.glob("worker-*.log"), output / "producer-done"]:
        old_log.unlink(missing_ok=True)
    python = ours_python()
    with concurrency_server(arguments) as server:
        connection, environment = connection_arguments(server)
        common = [*connection, "--log-dir", output]
        if arguments.mongodb_uri:
            # On a shared MongoDB, each run works in a database of its own.
            common += ["--db-name", f"bench_concurrency_{os.getpid()}"]
        racy = ["--racy-claims"] if arguments.racy_claims else []
        if arguments.stream:
            common += ["--stream"]
            seed = [
                "seed",
                "--objects",
                arguments.objects,
                "--max-waiting",
                arguments.max_waiting,
                "--batch-size",
                STREAM_BATCH_SIZE,
                *common,
            ]
        else:
            say(f"Seeding {arguments.objects} task objects")
            seeded = run_json(
                python,
                CONCURRENCY,
                ["seed", "--objects", arguments.objects, *common],
                environment,
            )
            say(f"  {seeded['created']} objects in {seeded['seconds']:.1f} s")

        start_at = time.time() + 3
        deadline = start_at + arguments.time_limit
        if arguments.stream:
            say(
                f"Starting a producer of {arguments.objects} task objects (at most "
                f"{arguments.max_waiting} waiting) and {arguments.processes} worker "
                "processes; the workers stop when the producer is done and the "
                f"queue is empty, or after {arguments.time_limit:.0f} s"
            )
            producer = start_process(
                python, [*seed, "--start-at", start_at], environment
            )
        else:
            say(
                f"Starting {arguments.processes} worker processes; they stop when "
                f"the queue is empty or after {arguments.time_limit:.0f} s"
            )
        workers = start_workers(
            arguments.processes,
            python,
            [*common, *racy],
            environment,
            start_at,
            deadline,
        )
        if arguments.stream:
            [seeded] = wait_for_workers([producer], deadline + 60)
            if "created" not in seeded:
                say(f"The producer failed: {seeded.get('error')}", "bold red")
                seeded = {"created": 0, **seeded}
                # Let the workers stop once the queue is empty.
                (output / "producer-done").touch()
        reports = wait_for_workers(workers, deadline + 60)
        drop = ["--drop-after-audit"] if arguments.mongodb_uri else []
        audit = run_json(python, CONCURRENCY, ["audit", *common, *drop], environment)

    busy = [report["seconds"] for report in reports if "seconds" in report]
    print_concurrency(arguments, seeded, reports, audit, max(busy, default=0.0))
    (output / "results.json").write_text(
        json.dumps({"seed": seeded, "workers": reports, "audit": audit}, indent=2)
    )
    clean = audit["duplicates"] == 0 and audit["losses"] == 0
    if arguments.racy_claims:
        if clean:
            say("Negative control: the racy claims went unnoticed.", "bold red")
            return 1
        say(
            "Negative control: the audit caught the racy claims, as it should "
            "(non-zero duplicates above are expected in this mode)."
        )
        return 0
    return 0 if clean else 1


def start_process(python, arguments, environment):
    """Start one step of ``concurrency.py``; its JSON report comes on stdout."""
    return subprocess.Popen(
        [str(python), str(CONCURRENCY), *[str(argument) for argument in arguments]],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=BENCH,
        env=clean_environment(environment),
    )


def start_workers(count, python, common, environment, start_at, deadline):
    workers = []
    for worker in range(1, count + 1):
        command = [
            str(python),
            str(CONCURRENCY),
            "work",
            "--worker",
            str(worker),
            "--start-at",
            str(start_at),
            "--deadline",
            str(deadline),
            *[str(argument) for argument in common],
        ]
        workers.append(
            subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                cwd=BENCH,
                env=clean_environment(environment),
            )
        )
    return workers


def wait_for_workers(workers, hard_deadline):
    """Collect each worker's report; stop (by pid) any that overstays."""
    reports = []
    for process in workers:
        remaining = max(1.0, hard_deadline - time.time())
        try:
            stdout, _ = process.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, _ = process.communicate()
            reports.append({"worker": None, "error": "killed after the time limit"})
            continue
        lines = stdout.strip().splitlines()
        if process.returncode != 0 or not lines:
            reports.append({"worker": None, "error": f"exit code {process.returncode}"})
        else:
            reports.append(json.loads(lines[-1]))
    return reports


def print_concurrency(arguments, seeded, reports, audit, seconds):
    table = Table(
        title=f"{arguments.processes} processes claiming from one queue on "
        f"{'a MongoDB server' if arguments.mongodb_uri else 'the wire server'} "
        f"({seeded['created']:,} objects)",
        title_justify="left",
    )
    for name in ("worker", "claimed", "finished", "seconds", "stopped by"):
        table.add_column(name, justify="right")
    for report in reports:
        if report.get("worker") is None:
            error = report.get("error", "failed")
            table.add_row("?", "-", "-", "-", error, style="red")
            continue
        table.add_row(
            str(report["worker"]),
            str(report["claimed"]),
            str(report["finished"]),
            f"{report['seconds']:.1f}",
            report["stopped_by"],
        )
    console.print(table)
    finished = audit["finished"]
    summary = Table(title="Audit", title_justify="left")
    summary.add_column("")
    summary.add_column("", justify="right")
    summary.add_row("objects", f"{audit['objects']:,}")
    summary.add_row("claims", f"{audit['claims']:,}")
    summary.add_row("finished", f"{finished:,}")
    summary.add_row(
        "duplicates (claimed twice)",
        str(audit["duplicates"]),
        style=None if audit["duplicates"] == 0 else "bold red",
    )
    summary.add_row(
        "losses (claimed, not finished by the claimant)",
        str(audit["losses"]),
        style=None if audit["losses"] == 0 else "bold red",
    )
    summary.add_row("still waiting (deadline reached first)", f"{audit['waiting']:,}")
    if seconds:
        summary.add_row(
            "throughput, all workers", f"{finished / seconds:.1f} objects/s"
        )
    console.print(summary)
    for example in audit["loss_examples"]:
        say(f"  loss: {example}", "red")
    if not arguments.mongodb_uri:
        say(
            "The wire server is mongoeco, a MongoDB emulator: it runs one command "
            "at a time, so this test shows how claims behave over the real driver "
            "and protocol, not how MongoDB scales."
        )


def main(argv=None):
    arguments = parse_arguments(argv)
    if arguments.report:
        report(json.loads(arguments.report.read_text()))
        return 0
    if arguments.concurrency:
        return concurrency(arguments)
    return benchmark(arguments)


if __name__ == "__main__":
    sys.exit(main())
