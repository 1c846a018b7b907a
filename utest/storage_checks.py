"""Helpers the unit tests share: command counting, snapshots and time checks.

Fixtures that use these live at the end of ``conftest.py``.
"""

import os
from datetime import datetime, timedelta, timezone

from pymongo import monitoring

BACKEND = os.environ.get("TOS_TEST_BACKEND", "embedded")

#: True when the tests run on the in-process mongomock backend.
EMBEDDED = BACKEND == "embedded"

#: Commands the driver sends on its own: handshakes, monitoring, sessions.
DRIVER_COMMANDS = {
    "hello",
    "ismaster",
    "isMaster",
    "ping",
    "saslStart",
    "saslContinue",
    "endSessions",
    "killCursors",
    "buildInfo",
    "buildinfo",
    "getnonce",
    "authenticate",
}

#: Commands that change data.
WRITE_COMMANDS = {"insert", "update", "delete", "findAndModify"}


class CommandLog(monitoring.CommandListener):
    """Records the commands a client sends, so a test can count round trips.

    The embedded backend has no wire protocol, so nothing is recorded there
    and ``available`` is False; tests then rely on the stored fields alone.
    """

    available = not EMBEDDED

    def __init__(self):
        self.events = []

    def started(self, event):
        if event.command_name in DRIVER_COMMANDS:
            return
        collection = event.command.get(event.command_name)
        self.events.append((event.command_name, collection))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def clear(self):
        self.events.clear()

    def take(self):
        """Return the commands recorded so far and start a new recording."""
        taken = list(self.events)
        self.events.clear()
        return taken

    def names(self):
        """Names of the recorded commands, in order."""
        return [name for name, _ in self.events]

    def writes(self, collection=None, events=None):
        """The write commands among ``events`` (default: all recorded ones).

        With ``collection``, only the writes to that collection.
        """
        return [
            (name, target)
            for name, target in (self.events if events is None else events)
            if name in WRITE_COMMANDS and collection in (None, target)
        ]


def snapshot(storage):
    """Every collection of the storage's database with its documents.

    Two snapshots compare equal when nothing was written in between.
    """
    database = storage.database
    return {
        name: sorted(database[name].find(), key=lambda document: str(document["_id"]))
        for name in sorted(database.list_collection_names())
    }


def utc_floor():
    """The current UTC instant, naive, truncated to the millisecond.

    Take it before a write: a timestamp the write stores is not earlier.
    """
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond - now.microsecond % 1000)


def utc_ceiling():
    """The current UTC instant, naive; take it after a write."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def as_stored(value):
    """``value`` (naive means local time) as MongoDB stores it: naive UTC ms."""
    utc = value.astimezone(timezone.utc).replace(tzinfo=None)
    return utc.replace(microsecond=utc.microsecond - utc.microsecond % 1000)


def datetimes_in(value, path=""):
    """Yield ``(path, datetime)`` for every datetime inside ``value``."""
    if isinstance(value, datetime):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from datetimes_in(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from datetimes_in(item, f"{path}.{index}")


def assert_whole_ms_utc(document):
    """Every datetime in ``document`` is naive (UTC) and has whole milliseconds."""
    found = list(datetimes_in(document))
    for path, value in found:
        assert value.tzinfo is None, f"{path} is not naive UTC: {value!r}"
        assert value.microsecond % 1000 == 0, f"{path} has sub-ms part: {value!r}"
    return found


LONG_AGO = datetime(2001, 2, 3, 4, 5, 6)


def backdate(storage, object_id, **fields):
    """Set fields directly in the collection, bypassing the engine.

    Used to put an object into a state (an old ``updatedAt``, a stale claim)
    without waiting.
    """
    storage.tos.update_one({"_id": object_id}, {"$set": fields})


def ms(value):
    """A timedelta of ``value`` milliseconds."""
    return timedelta(milliseconds=value)


def stored(storage, object_id):
    """Return the task object exactly as stored, read with pymongo."""
    return storage.tos.find_one({"_id": object_id})
