"""Several robot processes share one queue: each object is finished exactly once.

The workers are separate operating-system processes (concurrency_worker.py)
talking to one server, as robots on several machines do. They start together
after all of them are connected, then claim and finish until the queue is
empty.
"""

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from storage_checks import EMBEDDED

WORKERS = 4
OBJECTS = 300
TIMEOUT_SECONDS = 240

HERE = Path(__file__).resolve().parent
WORKER = HERE / "concurrency_worker.py"
ROOT = HERE.parent

pytestmark = pytest.mark.skipif(
    EMBEDDED,
    reason=(
        "the embedded backend is in-process only: separate processes cannot "
        "share its queue; run with TOS_TEST_BACKEND=wire or mongodb"
    ),
)


def start_workers(options, mode):
    processes = []
    for number in range(1, WORKERS + 1):
        environment = {
            **os.environ,
            "TOS_WORKER_OPTIONS": json.dumps(options),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
            ),
            "NODE_NAME": "utest-worker",
            "EXECUTOR_NUMBER": str(number),
        }
        processes.append(
            subprocess.Popen(
                [sys.executable, str(WORKER), mode],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=environment,
                cwd=ROOT,
            )
        )
    return processes


def wait_until_ready(processes, deadline):
    for process in processes:
        readable, _, _ = select.select(
            [process.stdout], [], [], max(0, deadline - time.monotonic())
        )
        line = process.stdout.readline() if readable else ""
        if line.strip() != "ready":
            process.kill()
            _, errors = process.communicate()
            pytest.fail(f"worker {process.pid} did not get ready: {errors}")


def run_workers(options, mode):
    """Run the workers to the end; return each one's result and exit code."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    processes = start_workers(options, mode)
    try:
        wait_until_ready(processes, deadline)
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for number, process in enumerate(processes, start=1):
            output, errors = process.communicate(
                timeout=max(1, deadline - time.monotonic())
            )
            assert process.returncode == 0, f"worker {number} failed:\n{errors}"
            result = json.loads(output.strip().splitlines()[-1])
            results.append({**result, "executor": number})
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.parametrize("mode", ["legacy", "stage"])
def test_worker_processes_finish_every_object_exactly_once(storage, options, mode):
    created = storage.create_new_task_objects(
        [{"n": n} for n in range(OBJECTS)], finished=mode == "stage"
    )
    ids = {str(item["_id"]) for item in created}
    stage = "0" if mode == "legacy" else "1"

    results = run_workers(options, mode)

    claims = [object_id for result in results for object_id in result["claimed"]]
    assert len(claims) == OBJECTS
    assert set(claims) == ids
    assert sum(1 for result in results if result["claimed"]) >= 2
    claimant = {
        object_id: result for result in results for object_id in result["claimed"]
    }
    documents = list(storage.tos.find())
    assert len(documents) == OBJECTS
    for document in documents:
        owner = claimant[str(document["_id"])]
        assert document["status"] == "pass"
        assert document["analytics"]["finished_by"] == [owner["pid"]]
        assert document["executor"] == (
            f"Executor {owner['executor']} on node utest-worker"
        )
        assert document["stages"][stage]["status"] == "pass"
    assert storage.tos.count_documents({"status": {"$ne": "pass"}}) == 0
    waiting = "new" if mode == "legacy" else "pass"
    assert storage.find_all_task_objects_by_status_and_stage(waiting, 0) == []
