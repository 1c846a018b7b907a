"""Many processes claiming from one queue: are objects ever lost or doubled?

``bench/run.py --concurrency`` drives the three steps of this script:

``seed``
    Creates ``--objects`` task objects that have passed stage 0, in batches.
    With ``--stream`` it runs while the workers claim, like a producer that
    keeps feeding a queue: it adds a batch whenever fewer than
    ``--max-waiting`` objects wait, and leaves a ``producer-done`` file in
    the log folder when it has created them all.
``work``
    One worker process: claims stage 1 objects with ``claim_task_object`` and
    finishes each with ``finish_task_object`` until the queue is empty (with
    ``--stream``: empty after the producer is done) or the deadline passes.
    It appends ``claimed <id>`` and ``finished <id>`` lines to its own log
    file as it goes, so the audit can compare what every worker believes
    with what the database holds.
``audit``
    Reads the worker logs and the database and prints the counts as JSON.

A *duplicate* is a claim of an object that some worker had claimed already.
A *loss* is an object that was claimed but is not recorded as finished by
the worker that claimed it: left ``processing``, finished by someone else,
or missing. Objects never claimed because the deadline came first are
reported as waiting, not as losses.

Only this project runs here: task-object-storage 1.4 claims in one command
too, but records the claimant in three more, so it is not part of this test.

``--racy-claims`` is the negative control: workers then claim with a read
followed by a separate write, the way a naive queue would, and the audit is
expected to find duplicates. It shows that the audit can see them.
"""

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

import servers

from tos.task_object_storage import TaskObjectStorage

STAGE = 1
PRODUCER_DONE = "producer-done"
EXECUTOR_PREFIX = "Executor "


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=("seed", "work", "audit"))
    servers.add_arguments(parser, ("wire", "mongodb"), default="wire")
    parser.add_argument("--db-name", default="bench_concurrency")
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--worker", type=int, default=0)
    parser.add_argument("--log-dir", type=Path, required=True)
    parser.add_argument("--start-at", type=float, default=0.0, help="epoch seconds")
    parser.add_argument("--deadline", type=float, default=0.0, help="epoch seconds")
    parser.add_argument(
        "--stream",
        action="store_true",
        help="the producer runs while the workers claim",
    )
    parser.add_argument(
        "--max-waiting",
        type=int,
        default=500,
        help="with --stream: add a batch only when fewer objects than this wait",
    )
    parser.add_argument(
        "--drop-after-audit",
        action="store_true",
        help="drop the database once the audit has read it",
    )
    parser.add_argument(
        "--racy-claims",
        action="store_true",
        help="negative control: claim with a separate read and write",
    )
    arguments = parser.parse_args(argv)
    servers.read_secrets(parser, arguments)
    return arguments


def open_storage(arguments):
    options = servers.server_options(arguments)
    if arguments.backend == "wire":
        options["mongo_client_options"] = {"authMechanism": "SCRAM-SHA-256"}
    storage = TaskObjectStorage(**options)
    storage.initialize_tos()
    return storage


def seed(arguments):
    storage = open_storage(arguments)
    started = time.perf_counter()
    payloads = [{"number": number} for number in range(arguments.objects)]
    if arguments.stream:
        produce_while_workers_claim(storage, arguments, payloads)
    else:
        storage.create_new_task_objects(
            payloads, finished=True, batch_size=arguments.batch_size
        )
    return {
        "created": storage.tos.count_documents({}),
        "seconds": time.perf_counter() - started,
    }


WAITING = {"status": "pass", "stage": STAGE - 1}


def produce_while_workers_claim(storage, arguments, payloads):
    while time.time() < arguments.start_at:
        time.sleep(0.01)
    for start in range(0, len(payloads), arguments.batch_size):
        while storage.tos.count_documents(WAITING) >= arguments.max_waiting:
            time.sleep(0.05)
        storage.create_new_task_objects(
            payloads[start : start + arguments.batch_size], finished=True
        )
    (arguments.log_dir / PRODUCER_DONE).touch()


def producer_done(arguments):
    return not arguments.stream or (arguments.log_dir / PRODUCER_DONE).exists()


def work(arguments):
    os.environ["EXECUTOR_NUMBER"] = str(arguments.worker)
    storage = open_storage(arguments)
    log_file = arguments.log_dir / f"worker-{arguments.worker}.log"
    claim = racy_claim if arguments.racy_claims else claim_task_object
    claimed = finished = 0
    stopped_by = "empty queue"
    while time.time() < arguments.start_at:
        time.sleep(0.01)
    started = time.perf_counter()
    with open(log_file, "a", buffering=1) as log:
        while True:
            if arguments.deadline and time.time() >= arguments.deadline:
                stopped_by = "deadline"
                break
            task_object = claim(storage)
            if task_object is None:
                if not producer_done(arguments):
                    time.sleep(0.05)
                    continue
                # The producer may have added its last batch after that claim
                # looked; one more look decides.
                task_object = claim(storage)
                if task_object is None:
                    break
            object_id = task_object["_id"]
            log.write(f"claimed {object_id}\n")
            claimed += 1
            storage.finish_task_object(
                object_id, STAGE, "pass", payload_update={"worker": arguments.worker}
            )
            log.write(f"finished {object_id}\n")
            finished += 1
    return {
        "worker": arguments.worker,
        "claimed": claimed,
        "finished": finished,
        "seconds": time.perf_counter() - started,
        "stopped_by": stopped_by,
    }


def claim_task_object(storage):
    return storage.claim_task_object(STAGE)


def racy_claim(storage):
    """Claim the way a naive queue does: read, then write. Not atomic."""
    task_object = storage.tos.find_one(
        {"status": "pass", "stage": STAGE - 1}, sort=[("priority", -1), ("_id", 1)]
    )
    if task_object is not None:
        storage.update_stage_object(task_object["_id"], STAGE)
        storage.set_task_object_status(task_object["_id"], "processing")
    return task_object


def read_worker_logs(log_dir):
    claims = collections.defaultdict(list)
    finishes = collections.defaultdict(list)
    for path in sorted(log_dir.glob("worker-*.log")):
        worker = int(path.stem.split("-")[1])
        for line in path.read_text().splitlines():
            event, _, object_id = line.partition(" ")
            (claims if event == "claimed" else finishes)[object_id].append(worker)
    return claims, finishes


def audit(arguments):
    storage = open_storage(arguments)
    claims, finishes = read_worker_logs(arguments.log_dir)
    documents = {
        str(document["_id"]): document
        for document in storage.tos.find(
            {}, {"status": 1, "stage": 1, "payload.worker": 1, "stages": 1}
        )
    }

    duplicates = sum(len(workers) - 1 for workers in claims.values())
    lost = []
    for object_id, workers in claims.items():
        document = documents.get(object_id)
        if document is None:
            lost.append((object_id, "missing from the database"))
            continue
        if document.get("status") != "pass" or document.get("stage") != STAGE:
            lost.append((object_id, f"left {document.get('status')}"))
            continue
        recorded_worker = document.get("payload", {}).get("worker")
        if recorded_worker not in workers or finishes.get(object_id) != workers:
            lost.append((object_id, "finished by another worker than claimed it"))
            continue
        executor = document.get("stages", {}).get(str(STAGE), {}).get("executor", "")
        if not executor.startswith(f"{EXECUTOR_PREFIX}{recorded_worker} "):
            lost.append((object_id, f"stage executor is {executor!r}"))

    statuses = collections.Counter(
        (document.get("status"), document.get("stage"))
        for document in documents.values()
    )
    unclaimed_but_done = [
        object_id
        for object_id, document in documents.items()
        if object_id not in claims and document.get("stage") == STAGE
    ]
    if arguments.drop_after_audit:
        storage.client.drop_database(arguments.db_name)
    return {
        "objects": len(documents),
        "claims": sum(len(workers) for workers in claims.values()),
        "distinct_claimed": len(claims),
        "finished": sum(len(workers) for workers in finishes.values()),
        "duplicates": duplicates,
        "losses": len(lost) + len(unclaimed_but_done),
        "loss_examples": [f"{object_id}: {why}" for object_id, why in lost[:5]],
        "moved_without_a_claim": len(unclaimed_but_done),
        "waiting": statuses.get(("pass", 0), 0),
        "by_status_and_stage": {
            f"{status}@{stage}": count for (status, stage), count in statuses.items()
        },
    }


def main(argv=None):
    arguments = parse_arguments(argv)
    step = {"seed": seed, "work": work, "audit": audit}[arguments.step]
    print(json.dumps(step(arguments)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
