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


def refusal(collection, query, update):
    """Why MongoDB would refuse ``update`` on the embedded backend, or ``None``.

    mongomock does not refuse a ``$push`` onto a value that is not a list (it
    fails half-way, after other fields of the update are written) nor a
    ``$set`` of a key inside a plain value (it changes nothing and reports
    success). For such updates the stored document is read first and checked
    as MongoDB would check it. Other backends, and updates that cannot hit
    these cases, are not read.
    """
    if not isinstance(collection, mongomock.Collection) or not _needs_check(update):
        return None
    document = collection.find_one(query)
    if document is None:
        return None
    for operator in ("$set", "$push"):
        for path in update.get(operator) or {}:
            reason = _path_refusal(document, path, operator)
            if reason:
                return reason
    return None


#: Roots of the fields that hold users' data, whose shape the library does
#: not control.
_USER_DATA_ROOTS = ("payload", "analytics")


def _needs_check(update):
    """Whether ``update`` can hit a case mongomock gets wrong."""
    if not isinstance(update, dict):
        return False
    if update.get("$push"):
        return True
    return any(
        len(parts) > 2 and parts[0] in _USER_DATA_ROOTS
        for parts in (path.split(".") for path in update.get("$set") or {})
    )


def _path_refusal(document, path, operator):
    parts = path.split(".")
    value = document
    for depth, part in enumerate(parts):
        if isinstance(value, dict):
            if part not in value:
                return None
            value = value[part]
        elif isinstance(value, list) and part.isdigit():
            if int(part) >= len(value):
                return None
            value = value[int(part)]
        else:
            return (
                f"cannot create field {part!r} in element "
                f"{{{parts[depth - 1]}: {value!r}}}"
            )
    if operator == "$push" and not isinstance(value, list):
        return (
            f"the field {path!r} must be an array but is of type {type(value).__name__}"
        )
    return None
