"""Fixtures shared by the engine's unit tests.

The backend comes from the TOS_TEST_* environment variables that the test
tasks set (see tasks.py); without them the tests use the embedded backend.
Each test gets a database of its own, dropped afterwards.
"""

import json
import os
import uuid

import pytest

from tos import connection, embedded
from tos.task_object_storage import TaskObjectStorage

BACKEND = os.environ.get("TOS_TEST_BACKEND", "embedded")


def connection_options(db_name=None):
    """Keyword arguments for TaskObjectStorage that reach the test backend."""
    return {
        "db_server": os.environ.get("TOS_TEST_DB_SERVER", "embedded"),
        "db_name": db_name or f"utest_{uuid.uuid4().hex[:12]}",
        "db_user": os.environ.get("TOS_TEST_DB_USER", ""),
        "db_passw": os.environ.get("TOS_TEST_DB_PASSW", ""),
        "db_auth_source": os.environ.get("TOS_TEST_DB_AUTH_SOURCE", ""),
        "mongo_client_options": json.loads(
            os.environ.get("TOS_TEST_CLIENT_OPTIONS") or "{}"
        ),
    }


@pytest.fixture
def options():
    """Connection options with a fresh database name."""
    return connection_options()


class StorageFactory:
    """Makes initialized storages on one test database and cleans them up."""

    def __init__(self, options, extra_client_options=None):
        self.options = options
        self.extra_client_options = extra_client_options or {}
        self.created = []

    def __call__(self, **initialize):
        client_options = {
            **self.options["mongo_client_options"],
            **self.extra_client_options,
        }
        storage = TaskObjectStorage(
            **{**self.options, "mongo_client_options": client_options}
        )
        storage.initialize_tos(**initialize)
        self.created.append(storage)
        return storage

    def close(self):
        """Drop the test database and close every client."""
        if self.created:
            self.created[0].client.drop_database(self.options["db_name"])
        for storage in self.created:
            storage.disconnect()


@pytest.fixture
def make_storage(options):
    """Factory for connected storages on this test's database.

    ``make_storage(**initialize_tos_arguments)`` returns an initialized
    TaskObjectStorage. The database is dropped when the test ends.
    """
    factory = StorageFactory(options)
    yield factory
    factory.close()
    if BACKEND == "embedded":
        embedded.reset()


@pytest.fixture
def storage(make_storage):
    """An initialized storage with inline payloads."""
    return make_storage()


@pytest.fixture
def separate_storage(make_storage):
    """An initialized storage with separate payloads."""
    return make_storage(separate_payloads=True)


def pytest_report_header(config):
    server = os.environ.get("TOS_TEST_DB_SERVER", "embedded")
    return f"tos backend: {BACKEND} ({connection.mask_password(server)})"


@pytest.fixture
def command_log():
    """A CommandLog (see storage_checks) for make_counted_storage's clients."""
    from storage_checks import CommandLog

    return CommandLog()


@pytest.fixture
def make_counted_storage(make_storage, options, command_log):
    """Like make_storage, but ``command_log`` records the client's commands.

    On the embedded backend nothing is recorded (``command_log.available`` is
    False). Storages share this test's database with make_storage's.
    """
    factory = StorageFactory(options, {"event_listeners": [command_log]})
    yield factory
    factory.close()


@pytest.fixture
def counted_storage(make_counted_storage, command_log):
    """An inline-payload storage whose commands ``command_log`` records."""
    storage = make_counted_storage()
    command_log.clear()
    return storage


@pytest.fixture
def counted_separate_storage(make_counted_storage, command_log):
    """A separate-payload storage whose commands ``command_log`` records."""
    storage = make_counted_storage(separate_payloads=True)
    command_log.clear()
    return storage


#: POSIX TZ values far from UTC: UTC+14 (Kiritimati) and UTC-11 (Pago Pago).
FAR_TIME_ZONES = ["KIRI-14", "PAGO+11"]


@pytest.fixture(params=[None, *FAR_TIME_ZONES], ids=["machine-tz", "utc+14", "utc-11"])
def time_zone(request, monkeypatch):
    """Run the test in the machine's zone and again in two far time zones.

    Yields the TZ value set, or None for the machine's own zone.
    """
    import time

    original = os.environ.get("TZ")
    if request.param is not None:
        monkeypatch.setenv("TZ", request.param)
        time.tzset()
    yield request.param
    if original is None:
        monkeypatch.delenv("TZ", raising=False)
    else:
        monkeypatch.setenv("TZ", original)
    time.tzset()
