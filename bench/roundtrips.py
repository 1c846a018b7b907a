"""Count what a storage engine sends to its backend.

Against a server (the wire emulator or MongoDB), every command the driver
sends is a round trip: a ``pymongo.monitoring.CommandListener`` sees each
one as a ``CommandStartedEvent``. Commands that belong to connecting rather
than to the work (the handshake, authentication, the connection check and
closing sessions) are left out and listed in :data:`EXCLUDED_COMMANDS`.

The embedded backend (mongomock) sends no commands at all: the work happens
inside the process. There, each outermost call of a public
``mongomock.collection.Collection`` method (``insert_many``,
``find_one_and_update``, ...) counts as one round trip, the call a real
driver would turn into one command. Calls that mongomock makes to its own
methods while serving one call are not counted again.

This module runs in the environment of either implementation, so it needs
nothing but pymongo (and mongomock for the embedded backend).
"""

import collections
import functools
import threading
import time

from pymongo import monitoring

#: Commands that are not counted: connection handshake, authentication,
#: connection checks and session clean-up. None of them is part of a
#: producer's or consumer's work, and each is sent once per connection or
#: once per process, not per task object.
EXCLUDED_COMMANDS = frozenset(
    {
        "hello",
        "isMaster",
        "ismaster",
        "saslStart",
        "saslContinue",
        "authenticate",
        "getnonce",
        "ping",
        "buildInfo",
        "buildinfo",
        "endSessions",
    }
)

#: Collection methods that stand for one round trip on the embedded backend.
COUNTED_COLLECTION_METHODS = (
    "insert_one",
    "insert_many",
    "find",
    "find_one",
    "find_one_and_update",
    "find_one_and_replace",
    "find_one_and_delete",
    "update_one",
    "update_many",
    "replace_one",
    "delete_one",
    "delete_many",
    "bulk_write",
    "aggregate",
    "count_documents",
    "estimated_document_count",
    "distinct",
    "create_index",
    "create_indexes",
    "drop_index",
    "list_indexes",
    "index_information",
    "drop",
)


class RoundTripCounter:
    """Running totals of counted round trips, by command (or method) name."""

    def __init__(self):
        self.by_name = collections.Counter()
        self.excluded = collections.Counter()
        self.watched = None

    @property
    def total(self):
        return sum(self.by_name.values())

    def snapshot(self):
        return collections.Counter(self.by_name)

    def since(self, snapshot):
        """Round trips counted after ``snapshot`` was taken, by name."""
        difference = collections.Counter(self.by_name)
        difference.subtract(snapshot)
        return {name: count for name, count in difference.items() if count}

    def record(self, name, command=None):
        if name in EXCLUDED_COMMANDS:
            self.excluded[name] += 1
            return
        self.by_name[name] += 1
        if self.watched is not None:
            self.watched.append((name, command))

    def watch(self):
        """Start keeping the commands themselves; returns the list they go to."""
        self.watched = []
        return self.watched

    def stop_watching(self):
        self.watched = None


class CommandCounter(monitoring.CommandListener):
    """A pymongo command listener that feeds a :class:`RoundTripCounter`."""

    def __init__(self, counter):
        self.counter = counter

    def started(self, event):
        self.counter.record(event.command_name, event.command)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def count_driver_commands(counter):
    """Count every command of the ``MongoClient``\\ s created after this call."""
    monitoring.register(CommandCounter(counter))


def count_mongomock_calls(counter):
    """Count outermost calls of mongomock's collection methods."""
    import mongomock.collection

    depth = threading.local()

    def counting(name, method):
        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            level = getattr(depth, "level", 0)
            if level == 0:
                counter.record(name)
            depth.level = level + 1
            try:
                return method(*args, **kwargs)
            finally:
                depth.level = level

        return wrapper

    cls = mongomock.collection.Collection
    for name in COUNTED_COLLECTION_METHODS:
        method = getattr(cls, name, None)
        if method is not None and not getattr(method, "_bench_counted", False):
            wrapper = counting(name, method)
            wrapper._bench_counted = True
            setattr(cls, name, wrapper)


class OperationLog:
    """Round trips and calls per engine operation (method) name.

    ``call("update_status", storage.update_status, ...)`` runs the method and
    charges every round trip counted meanwhile to ``update_status``.
    """

    def __init__(self, counter):
        self.counter = counter
        self.operations = {}

    def call(self, name, method, *args, **kwargs):
        before = self.counter.snapshot()
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            seconds = time.perf_counter() - started
            sent = self.counter.since(before)
            entry = self.operations.setdefault(
                name, {"calls": 0, "round_trips": 0, "seconds": 0.0, "by_command": {}}
            )
            entry["calls"] += 1
            entry["seconds"] += seconds
            entry["round_trips"] += sum(sent.values())
            for command, count in sent.items():
                entry["by_command"][command] = (
                    entry["by_command"].get(command, 0) + count
                )

    def summary(self):
        """Per operation: calls, round trips and milliseconds per call, commands."""
        result = {}
        for name, entry in self.operations.items():
            calls = entry["calls"]
            result[name] = {
                "calls": calls,
                "round_trips": entry["round_trips"],
                "per_call": entry["round_trips"] / calls if calls else 0.0,
                "ms_per_call": entry["seconds"] * 1000 / calls if calls else 0.0,
                "by_command": {
                    command: count / calls
                    for command, count in sorted(entry["by_command"].items())
                },
            }
        return result
