"""One benchmark workload, run inside the environment of one implementation.

``bench/run.py`` starts this script once per implementation and mode, with
the Python of that implementation's environment, and reads the JSON it
prints on its last line. The same file drives both implementations: they
share the constructor and the method names of task-object-storage 1.4.

Tasks:

``pipeline``
    A producer creates ``--items`` task objects and finishes stage 0; then a
    consumer takes every object through stage 1, and another through stage 2.
    ``--mode legacy`` uses the keyword sequence a TOS 1.4 robot uses;
    ``--mode new`` uses this project's bulk creation, claim and finish.
``claims``
    Times single claims with 1,000 (and more) objects waiting, and asks the
    backend for the claim query's plan.

Round trips are counted as described in ``bench/roundtrips.py``. Nothing
here asserts on time: the figures are printed, not judged.
"""

import argparse
import json
import os
import statistics
import sys
import time

import roundtrips
import servers

PRODUCER_STAGE = 0
CONSUMER_STAGES = (1, 2)
SINGLE_CREATE_ITEMS = 200


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=("pipeline", "claims"), default="pipeline")
    parser.add_argument("--impl", choices=("ours", "peer"), required=True)
    parser.add_argument("--mode", choices=("legacy", "new"), default="legacy")
    servers.add_arguments(parser, ("wire", "embedded", "mongodb"))
    parser.add_argument("--db-name", default=f"bench_{os.getpid()}")
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--queue-sizes", default="1000,4000", help="comma-separated waiting counts"
    )
    parser.add_argument("--claims", type=int, default=20, help="claims timed per size")
    arguments = parser.parse_args(argv)
    if arguments.impl == "peer" and arguments.mode == "new":
        parser.error("task-object-storage 1.4 has no new operations")
    servers.read_secrets(parser, arguments)
    return arguments


def log(message):
    print(message, file=sys.stderr, flush=True)


# Connecting


def open_storage(arguments, collection_suffix=""):
    """Return an initialized storage of the chosen implementation, and shims."""
    from tos import task_object_storage

    shims = []
    if arguments.backend == "mongodb":
        options = servers.server_options(arguments)
        if arguments.impl == "peer":
            import peer_shims

            shims = peer_shims.apply_uri_shims(task_object_storage, arguments.uri)
    elif arguments.backend == "wire":
        options = servers.server_options(arguments)
        if arguments.impl == "ours":
            options["mongo_client_options"] = {"authMechanism": "SCRAM-SHA-256"}
        else:
            import peer_shims

            shims = peer_shims.apply_wire_shims(task_object_storage)
    else:
        if arguments.impl == "ours":
            options = {
                "db_server": f"embedded://bench-{os.getpid()}",
                "db_name": arguments.db_name,
            }
        else:
            import peer_shims

            shims = peer_shims.apply_embedded_shims(task_object_storage)
            options = {"db_server": "embedded", "db_name": arguments.db_name}

    storage = task_object_storage.TaskObjectStorage(**options)
    storage.initialize_tos(collection_suffix=collection_suffix)
    return storage, shims


def start_counting(backend):
    counter = roundtrips.RoundTripCounter()
    if backend != "embedded":
        roundtrips.count_driver_commands(counter)
        method = "pymongo command monitoring: one CommandStartedEvent = one round trip"
    else:
        roundtrips.count_mongomock_calls(counter)
        method = (
            "mongomock sends no commands: one outermost Collection method call "
            "(insert_many, find_one_and_update, ...) = one round trip"
        )
    return counter, method


# The work data


def payload(number):
    return {
        "invoice_number": f"INV-{number:07d}",
        "customer": f"C{number % 997:05d}",
        "amount": round(number * 1.25, 2),
        "lines": [{"sku": f"SKU-{number % 31}", "quantity": 1 + number % 5}],
    }


# The pipeline


def produce_legacy(storage, operations, items):
    for number in range(items):
        task_object = operations.call(
            "create_new_task_object", storage.create_new_task_object, payload(number)
        )
        object_id = task_object["_id"]
        operations.call(
            "update_stage_object",
            storage.update_stage_object,
            object_id,
            PRODUCER_STAGE,
        )
        operations.call(
            "update_status",
            storage.update_status,
            object_id,
            PRODUCER_STAGE,
            "pass",
        )
        operations.call(
            "set_stage_end_time", storage.set_stage_end_time, object_id, PRODUCER_STAGE
        )


def produce_new(storage, operations, items, batch_size):
    payloads = [payload(number) for number in range(items)]
    operations.call(
        "create_new_task_objects",
        storage.create_new_task_objects,
        payloads,
        finished=True,
        batch_size=batch_size,
    )


def consume_legacy(storage, operations, stage, items):
    for _ in range(items):
        task_object = operations.call(
            "find_one_task_object_by_status_and_stage",
            storage.find_one_task_object_by_status_and_stage,
            "pass",
            stage - 1,
        )
        if task_object is None:
            raise RuntimeError(f"stage {stage}: the queue ran dry early")
        object_id = task_object["_id"]
        operations.call(
            "update_stage_object", storage.update_stage_object, object_id, stage
        )
        operations.call(
            "update_payload",
            storage.update_payload,
            object_id,
            {f"stage_{stage}_result": "ok"},
        )
        operations.call(
            "update_status", storage.update_status, object_id, stage, "pass"
        )
        operations.call(
            "set_stage_end_time", storage.set_stage_end_time, object_id, stage
        )


def consume_new(storage, operations, stage, items):
    for _ in range(items):
        task_object = operations.call(
            "claim_task_object", storage.claim_task_object, stage
        )
        if task_object is None:
            raise RuntimeError(f"stage {stage}: the queue ran dry early")
        operations.call(
            "finish_task_object",
            storage.finish_task_object,
            task_object["_id"],
            stage,
            "pass",
            payload_update={f"stage_{stage}_result": "ok"},
        )


def timed(counter, action):
    before = counter.snapshot()
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    return seconds, sum(counter.since(before).values())


def run_pipeline(arguments):
    counter, counting = start_counting(arguments.backend)
    storage, shims = open_storage(arguments)
    operations = roundtrips.OperationLog(counter)
    items = arguments.items
    legacy = arguments.mode == "legacy"

    log(f"{arguments.impl}/{arguments.mode}: producing {items} task objects")
    if legacy:
        seconds, trips = timed(
            counter, lambda: produce_legacy(storage, operations, items)
        )
    else:
        seconds, trips = timed(
            counter,
            lambda: produce_new(storage, operations, items, arguments.batch_size),
        )
    producer = phase(seconds, trips, items)

    consume = consume_legacy if legacy else consume_new
    stages = []
    for stage in CONSUMER_STAGES:
        log(f"{arguments.impl}/{arguments.mode}: consuming stage {stage}")
        seconds, trips = timed(
            counter,
            lambda stage=stage: consume(storage, operations, stage, items),
        )
        stages.append({"stage": stage, **phase(seconds, trips, items)})

    consumer_seconds = sum(entry["seconds"] for entry in stages)
    consumer_trips = sum(entry["round_trips"] for entry in stages)
    total_seconds = producer["seconds"] + consumer_seconds
    result = {
        "task": "pipeline",
        "impl": arguments.impl,
        "mode": arguments.mode,
        "backend": arguments.backend,
        "items": items,
        "batch_size": arguments.batch_size if not legacy else None,
        "counting": counting,
        "excluded_commands": sorted(roundtrips.EXCLUDED_COMMANDS),
        "excluded_seen": dict(counter.excluded),
        "shims": shims,
        "producer": producer,
        "consumer": {
            "stages": stages,
            "seconds": consumer_seconds,
            "round_trips": consumer_trips,
            "per_item_per_stage": consumer_trips / (items * len(CONSUMER_STAGES)),
            "items_per_second": items / consumer_seconds,
        },
        "total": {"seconds": total_seconds, "items_per_second": items / total_seconds},
        "operations": operations.summary(),
        "check": check_pipeline(storage, items),
        "implementation": implementation_info(arguments.impl),
    }
    if not legacy:
        result["producer_single"] = produce_one_by_one(storage, counter, items)
    storage.client.drop_database(arguments.db_name)
    return result


def produce_one_by_one(storage, counter, items):
    """Round trips of a producer that creates finished objects one at a time."""
    count = min(items, SINGLE_CREATE_ITEMS)
    storage.initialize_tos(collection_suffix="single")
    operations = roundtrips.OperationLog(counter)

    def create_each():
        for number in range(count):
            operations.call(
                "create_new_task_object(finished=True)",
                storage.create_new_task_object,
                payload(number),
                finished=True,
            )

    seconds, trips = timed(counter, create_each)
    return {**phase(seconds, trips, count), "items": count}


def implementation_info(impl):
    """Which package ran, and from where: proof that each side is what it claims."""
    from importlib import metadata

    import tos

    distribution = "robotframework-tos" if impl == "ours" else "task-object-storage"
    return {
        "distribution": distribution,
        "version": metadata.version(distribution),
        "location": os.path.dirname(tos.__file__),
        "python": sys.version.split()[0],
        "pymongo": metadata.version("pymongo"),
    }


def phase(seconds, trips, items):
    return {
        "seconds": seconds,
        "round_trips": trips,
        "per_item": trips / items,
        "items_per_second": items / seconds if seconds else None,
    }


def check_pipeline(storage, items):
    """Confirm that every object went through both consumer stages once."""
    last_stage = CONSUMER_STAGES[-1]
    finished = storage.tos.count_documents({"stage": last_stage, "status": "pass"})
    total = storage.tos.count_documents({})
    sample = storage.tos.find_one({"stage": last_stage})
    payload_keys = sorted((sample or {}).get("payload", {}))
    stage_keys = sorted((sample or {}).get("stages", {}))
    leftover = storage.find_one_task_object_by_status_and_stage("pass", last_stage - 1)
    problems = []
    if finished != items or total != items:
        problems.append(f"{finished} of {total} objects passed stage {last_stage}")
    for stage in CONSUMER_STAGES:
        if f"stage_{stage}_result" not in payload_keys:
            problems.append(f"payload lacks the stage {stage} result")
    if stage_keys != [str(stage) for stage in (PRODUCER_STAGE, *CONSUMER_STAGES)]:
        problems.append(f"stage records {stage_keys}")
    if leftover is not None:
        problems.append("an object was still waiting after the last claim")
    return {"ok": not problems, "problems": problems, "finished": finished}


# Claim time against queue length


def fill_queue(storage, impl, count, first_number, batch_size):
    """Add ``count`` objects that wait for stage 1 (passed stage 0)."""
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        numbers = range(first_number + start, first_number + start + size)
        if impl == "ours":
            storage.create_new_task_objects(
                [payload(number) for number in numbers], finished=True
            )
        else:
            storage.tos.insert_many([peer_document(number) for number in numbers])


def peer_document(number):
    """A document as TOS 1.4's producer leaves it after stage 0."""
    import copy
    import datetime

    from tos.templates import INITIAL_TASK_OBJECT

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    document = copy.deepcopy(INITIAL_TASK_OBJECT)
    document.update(
        status="pass",
        payload=payload(number),
        createdAt=now,
        updatedAt=now,
        stages={"0": {"startedAt": now, "endedAt": now, "status": "pass"}},
    )
    return document


def claim_once(storage, impl, operations):
    if impl == "ours":
        return operations.call("claim_task_object", storage.claim_task_object, 1)
    return operations.call(
        "find_one_task_object_by_status_and_stage",
        storage.find_one_task_object_by_status_and_stage,
        "pass",
        0,
    )


def run_claims(arguments):
    counter, counting = start_counting(arguments.backend)
    storage, shims = open_storage(arguments, collection_suffix="claims")
    sizes = sorted(int(size) for size in arguments.queue_sizes.split(",") if size)
    waiting = 0
    created = 0
    results = []
    claim_command = None
    for size in sizes:
        log(f"{arguments.impl}: filling the queue to {size} waiting objects")
        started = time.perf_counter()
        fill_queue(storage, arguments.impl, size - waiting, created, batch_size=500)
        fill_seconds = time.perf_counter() - started
        created += size - waiting
        waiting = size

        operations = roundtrips.OperationLog(counter)
        durations = []
        for _ in range(arguments.claims):
            watched = counter.watch() if claim_command is None else None
            before = time.perf_counter()
            claimed = claim_once(storage, arguments.impl, operations)
            durations.append((time.perf_counter() - before) * 1000)
            counter.stop_watching()
            if claimed is None:
                raise RuntimeError("the claim found nothing waiting")
            if watched is not None:
                claim_command = first_claim_command(watched)
        waiting -= arguments.claims
        ((operation, entry),) = operations.summary().items()
        results.append(
            {
                "waiting": size,
                "total_objects": storage.tos.count_documents({}),
                "claims": arguments.claims,
                "fill_seconds": fill_seconds,
                "median_ms": statistics.median(durations),
                "mean_ms": statistics.fmean(durations),
                "max_ms": max(durations),
                "operation": operation,
                "round_trips_per_claim": entry["per_call"],
            }
        )
    explained = explain_claim(storage, arguments.backend, claim_command)
    indexes = index_names(storage)
    storage.client.drop_database(arguments.db_name)
    return {
        "task": "claims",
        "impl": arguments.impl,
        "backend": arguments.backend,
        "counting": counting,
        "shims": shims,
        "sizes": results,
        "indexes": indexes,
        "explain": explained,
    }


def first_claim_command(watched):
    """The claim's ``findAndModify`` as it went over the wire, if seen."""
    for name, command in watched:
        if name == "findAndModify" and command is not None:
            return {"query": command.get("query"), "sort": command.get("sort")}
    return None


def index_names(storage):
    try:
        return sorted(storage.tos.index_information())
    except Exception as error:  # the figure is informative only
        return [f"(could not list: {error})"]


def explain_claim(storage, backend, claim_command):
    """Ask the backend how it runs the claim query, and summarize the answer."""
    if backend == "embedded":
        return {
            "summary": "not available: mongomock has no explain() and no query "
            "planner; every query scans the whole collection"
        }
    if claim_command is None:
        return {"summary": "no findAndModify was seen, nothing to explain"}
    command = {
        "find": storage.tos.name,
        "filter": claim_command["query"],
        "sort": claim_command["sort"],
        "limit": 1,
    }
    try:
        answer = storage.tos.database.command(
            "explain", command, verbosity="queryPlanner"
        )
    except Exception as error:
        return {"summary": f"explain failed: {error}"}
    return {"summary": summarize_plan(answer), "raw": json.loads(to_json(answer))}


def summarize_plan(answer):
    planner = answer.get("queryPlanner")
    if planner:
        stages = []
        stage = planner.get("winningPlan", {})
        stage = stage.get("queryPlan", stage)
        while stage:
            name = stage.get("stage", "?")
            if stage.get("indexName"):
                name += f"({stage['indexName']})"
            stages.append(name)
            inputs = stage.get("inputStages") or []
            stage = stage.get("inputStage") or (inputs[0] if inputs else None)
        return "MongoDB plan: " + " <- ".join(stages)
    if "physical_plan" in answer:
        steps = " > ".join(
            step.get("operation", "?") for step in answer["physical_plan"]
        )
        available = ", ".join(index["name"] for index in answer.get("indexes", []))
        used = answer.get("hinted_index") or "none"
        return (
            f"mongoeco plan ({answer.get('engine')} engine): {steps}; "
            f"index used: {used}; indexes it knows: {available or 'none'}"
        )
    return "plan in an unknown format: keys " + ", ".join(sorted(answer))


def to_json(value):
    return json.dumps(value, default=str)


def main(argv=None):
    arguments = parse_arguments(argv)
    if arguments.task == "pipeline":
        result = run_pipeline(arguments)
    else:
        result = run_claims(arguments)
    print(to_json(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
