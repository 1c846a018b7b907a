"""The embedded, in-process backend, built on mongomock.

Selected with ``db_server="embedded"`` (or ``"embedded://NAME"`` for a
separate store). Every client for the same name in one process shares the
same data, so a producer and consumers that run in one Robot Framework
execution see one queue. The data lives only as long as the process.

It needs no server and suits trying the library, demos and tests of small
queues: mongomock scans a whole collection on every query.
"""

import contextlib
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


def serialized(collection):
    """Hold the process-wide lock around one write to ``collection`` if embedded.

    mongomock finds a document and then updates it by ``_id`` in two steps,
    so without the lock two threads could claim the same object; MongoDB
    does both in one, and other backends need no lock.
    """
    if isinstance(collection, mongomock.Collection):
        return lock
    return contextlib.nullcontext()


def refusal(collection, query, update):
    """Why MongoDB, or this backend, would not make ``update``, or ``None``.

    mongomock does not refuse what MongoDB refuses: a ``$push`` onto a value
    that is not a list fails half-way, after other fields of the update are
    written; a ``$set`` of a key inside a plain value changes nothing and
    reports success. Nor can it do all MongoDB does: writing past the end of
    a list crashes, and unsetting a list element does nothing. For updates
    that can hit these cases the stored document is read first and checked;
    other backends, and other updates, are not read.
    """
    if not isinstance(collection, mongomock.Collection) or not _needs_check(update):
        return None
    document = collection.find_one(query)
    if document is None:
        return None
    for operator, fields in update.items():
        for path in fields if isinstance(fields, dict) else ():
            reason = _path_refusal(document, str(path), operator)
            if reason:
                return reason
    return None


#: Roots of the fields that hold users' data, whose shape the library does
#: not control.
_USER_DATA_ROOTS = ("payload", "analytics")

#: Operators whose target must already be a list, or a number, if it exists.
_LIST_OPERATORS = ("$push", "$addToSet", "$pull", "$pullAll", "$pop")
_NUMBER_OPERATORS = ("$inc", "$mul")


def _needs_check(update):
    """Whether ``update`` can hit a case mongomock gets wrong."""
    if not isinstance(update, dict):
        return False
    for operator, fields in update.items():
        if not isinstance(fields, dict):
            continue
        if operator not in ("$set", "$unset"):
            return True
        for path in fields:
            parts = str(path).split(".")
            if parts[0] in _USER_DATA_ROOTS and len(parts) > 2:
                return True
    return False


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
                return (
                    f"the embedded backend cannot write past the end of the list "
                    f"{'.'.join(parts[:depth])!r} (MongoDB pads it with nulls)"
                )
            if operator == "$unset" and depth == len(parts) - 1:
                return (
                    f"the embedded backend cannot unset the list element {path!r} "
                    "(MongoDB sets it to null)"
                )
            value = value[int(part)]
        else:
            return (
                f"cannot create field {part!r} in element "
                f"{{{parts[depth - 1]}: {value!r}}}"
            )
    if operator in _LIST_OPERATORS and not isinstance(value, list):
        return (
            f"{operator} needs the field {path!r} to be a list, but it is "
            f"{type(value).__name__}"
        )
    if operator in _NUMBER_OPERATORS and (
        isinstance(value, bool) or not isinstance(value, (int, float))
    ):
        return (
            f"{operator} needs the field {path!r} to be a number, but it is "
            f"{type(value).__name__}"
        )
    return None
