"""The embedded, in-process backend, built on mongomock.

Selected with ``db_server="embedded"`` (or ``"embedded://NAME"`` for a
separate store). Every client for the same name in one process shares the
same data, so a producer and consumers that run in one Robot Framework
execution see one queue. The data lives only as long as the process.

It needs no server and suits trying the library, demos and tests of small
queues: mongomock scans a whole collection on every query.
"""

import threading

import mongomock

from tos import settings

_stores = {}
_lock = threading.Lock()

#: Held while creating task objects with references, which the embedded
#: backend checks for uniqueness in this process instead of by an index.
lock = threading.RLock()


def is_embedded(server):
    """Return ``True`` when ``server`` selects the embedded backend."""
    name = str(server).strip().lower()
    return name == settings.EMBEDDED_DB_SERVER or name.startswith(
        settings.EMBEDDED_DB_SERVER + "://"
    )


def client(server=settings.EMBEDDED_DB_SERVER):
    """Return a mongomock client on the process-wide store named by ``server``."""
    name = str(server).strip().lower()
    with _lock:
        store = _stores.setdefault(name, mongomock.store.ServerStore())
    return mongomock.MongoClient(_store=store)


def reset(server=None):
    """Forget the data of one embedded store, or of all when ``server`` is None."""
    with _lock:
        if server is None:
            _stores.clear()
        else:
            _stores.pop(str(server).strip().lower(), None)
