"""Fixtures shared by the engine's unit tests.

The backend comes from the TOS_TEST_* environment variables that the test
tasks set (see tasks.py); without them the tests use the embedded backend.
Each test gets a database of its own, dropped afterwards.
"""

import json
import os
import uuid

import pytest

from tos import embedded
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


@pytest.fixture
def make_storage(options):
    """Factory for connected storages on this test's database.

    ``make_storage(**initialize_tos_arguments)`` returns an initialized
    TaskObjectStorage. The database is dropped when the test ends.
    """
    created = []

    def make(**initialize):
        storage = TaskObjectStorage(**dict(options))
        storage.initialize_tos(**initialize)
        created.append(storage)
        return storage

    yield make
    if created:
        created[0].client.drop_database(options["db_name"])
    for storage in created:
        storage.disconnect()
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
    return f"tos backend: {BACKEND} ({os.environ.get('TOS_TEST_DB_SERVER', 'embedded')})"
