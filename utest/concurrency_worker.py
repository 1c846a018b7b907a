"""A robot process for test_concurrency: claim and finish until the queue is empty.

Run as ``python concurrency_worker.py MODE``. The connection options come as
JSON in the environment variable ``TOS_WORKER_OPTIONS``. The worker prints
``ready``, waits for a line on stdin so that all workers start together, then
claims objects and finishes each one, noting its process id in the object's
``analytics.finished_by`` list. ``MODE`` is ``legacy`` (claim ``new`` objects
at stage 0 with find_one_task_object_by_status_and_stage) or ``stage`` (claim
with claim_task_object(1)). At the end it prints a JSON line with its pid
and the ids it claimed.
"""

import json
import os
import sys

from tos.task_object_storage import TaskObjectStorage


def claim(storage, mode):
    if mode == "legacy":
        return storage.find_one_task_object_by_status_and_stage("new", 0)
    return storage.claim_task_object(1)


def main(mode):
    options = json.loads(os.environ["TOS_WORKER_OPTIONS"])
    storage = TaskObjectStorage(**options)
    storage.initialize_tos()
    stage = 0 if mode == "legacy" else 1
    claimed = []

    print("ready", flush=True)
    sys.stdin.readline()

    while True:
        task_object = claim(storage, mode)
        if task_object is None:
            break
        claimed.append(str(task_object["_id"]))
        storage.push_value_to_array_field(
            task_object["_id"], os.getpid(), "analytics.finished_by"
        )
        storage.finish_task_object(task_object["_id"], stage, "pass")

    storage.disconnect()
    print(json.dumps({"pid": os.getpid(), "claimed": claimed}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
