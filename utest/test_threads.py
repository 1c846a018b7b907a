"""Threads of one process share a queue: each object is finished exactly once.

On the embedded backend this is the only way to share a queue, since its
data lives in one process; on a server it is the same as separate robots.
"""

import threading
from collections import Counter

THREADS = 6
OBJECTS = 240


def test_threads_claim_and_finish_every_object_exactly_once(make_storage):
    make_storage().create_new_task_objects(
        [{"number": number} for number in range(OBJECTS)], finished=True
    )
    storages = [make_storage() for _ in range(THREADS)]
    claimed = []
    errors = []
    start = threading.Barrier(THREADS)

    def work(storage):
        try:
            start.wait()
            while (task_object := storage.claim_task_object(1)) is not None:
                claimed.append(task_object["_id"])
                storage.finish_task_object(task_object["_id"], 1, "pass")
        except Exception as error:  # reported below, with the thread's result
            errors.append(error)

    threads = [threading.Thread(target=work, args=(s,)) for s in storages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert errors == []
    assert [count for count in Counter(claimed).values() if count > 1] == []
    assert len(claimed) == OBJECTS
    assert storages[0].tos.count_documents({"status": "pass", "stage": 1}) == OBJECTS
