"""Keywords that look at the database directly, past TOSLibrary.

Acceptance tests use them to check what a keyword really stored, and to
start each test from an empty collection.
"""

import os
import secrets
import subprocess
import sys

import backend
from bson import ObjectId
from robot.libraries.BuiltIn import BuiltIn

from tos.connection import uri_credentials
from tos.errors import TOSError
from tos.task_object_storage import TaskObjectStorage


class StorageHelper:
    """Raw access to the collections of the imported TOSLibrary instance."""

    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def _storage(self, library="TOSLibrary"):
        return BuiltIn().get_library_instance(library).tos

    def empty_task_object_storage(self, library="TOSLibrary"):
        """Delete every task object (and separate payload) of the library."""
        storage = self._storage(library)
        storage.tos.delete_many({})
        if storage.payloads_coll is not None:
            storage.payloads_coll.delete_many({})

    def get_stored_task_object(self, object_id, library="TOSLibrary"):
        """Return the task object exactly as stored, read with pymongo."""
        document = self._storage(library).tos.find_one(
            {"_id": ObjectId(str(object_id))}
        )
        if document is None:
            raise AssertionError(f"No task object {object_id} is stored.")
        return document

    def get_stored_payload_document(self, payload_id, library="TOSLibrary"):
        """Return a separate payload document exactly as stored, or None."""
        storage = self._storage(library)
        return storage.payloads_coll.find_one({"_id": ObjectId(str(payload_id))})

    def count_stored_task_objects(self, library="TOSLibrary", **query):
        """Count stored task objects, optionally matching simple equality fields."""
        return self._storage(library).tos.count_documents(query)

    def count_stored_payload_documents(self, library="TOSLibrary"):
        """Count documents in the separate payloads collection."""
        return self._storage(library).payloads_coll.count_documents({})

    def get_collection_names(self, library="TOSLibrary"):
        """Return the names of the collections in the test database."""
        return sorted(self._storage(library).database.list_collection_names())

    def connect_with_wrong_password(self):
        """Connect to the test server with a wrong password; return the error text.

        Fails if the error contains the password. The password is read here,
        not passed to or returned from a keyword, so that it is not logged
        with keyword arguments at log level TRACE.
        """
        options = _backend_options()
        password = _test_password()
        options["db_passw"] = (password or "x") + "-wrong"
        options["db_user"] = options["db_user"] or uri_credentials(backend.DB_SERVER)[0]
        try:
            TaskObjectStorage(**options)
        except TOSError as error:
            if password and password in str(error):
                raise AssertionError(
                    "The error message contains the password."
                ) from None
            return str(error)
        raise AssertionError("Connecting with a wrong password succeeded.")

    def test_server_has_password(self):
        """Whether the test server's connection settings carry a password."""
        return bool(_test_password())

    def error_should_not_contain_password(self, error):
        """Fail if ``error`` contains the test server's password."""
        password = _test_password()
        if password and password in str(error):
            raise AssertionError("The error message contains the password.")

    def test_user(self):
        """Return the test server's user name, from the settings or the URI."""
        return backend.DB_USER or uri_credentials(backend.DB_SERVER)[0]

    def connect_to_closed_port_with_password_in_uri(self, password):
        """Connect to a closed port with ``password`` in the URI; return the error."""
        try:
            TaskObjectStorage(
                db_server=f"mongodb://robot:{password}@127.0.0.1:9/",
                db_name="unused",
                mongo_client_options={"serverSelectionTimeoutMS": 300},
            )
        except TOSError as error:
            return str(error)
        raise AssertionError("Connecting to a closed port succeeded.")

    def run_child_suite_and_look_for_password(
        self, suite, output_dir, secret_characters=""
    ):
        """Run ``suite`` at log level TRACE with the password; report where it shows.

        The password (the test server's, or a made-up one on the embedded
        backend) is handed over in the environment and never passed to or
        returned from a keyword, so this run's own log stays clean too.
        With ``secret_characters``, the password is made up of random pieces
        with these characters between them, for suites that log in nowhere,
        and no piece may show either.
        Returns a dictionary: ``summary`` (the child's closing line),
        ``leaks`` (output names that contain the password) and ``output``
        (the child's output.xml text).
        """
        if secret_characters:
            pieces = [secrets.token_hex(6) for _ in range(len(secret_characters) + 1)]
            secret = pieces[0] + "".join(
                character + piece
                for character, piece in zip(secret_characters, pieces[1:], strict=True)
            )
        else:
            pieces = []
            secret = _test_password() or secrets.token_hex(12)

        def shows_secret(text):
            return any(needle in text for needle in [secret, *pieces])

        environment = {**os.environ, "TOS_CHILD_SECRET": secret}
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "robot",
                "--loglevel",
                "TRACE",
                "--outputdir",
                output_dir,
                "--consolecolors",
                "off",
                suite,
            ],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        console = result.stdout + result.stderr
        leaks = ["console"] if shows_secret(console) else []
        texts = {}
        for name in ("output.xml", "log.html", "report.html"):
            with open(os.path.join(output_dir, name), encoding="utf-8") as file:
                texts[name] = file.read()
            if shows_secret(texts[name]):
                leaks.append(name)
        summary = next(
            (line for line in console.splitlines() if " tests, " in line), ""
        )
        return {
            "summary": summary.strip(),
            "leaks": leaks,
            "output": texts["output.xml"],
        }


def _test_password():
    return backend.DB_PASSW or uri_credentials(backend.DB_SERVER)[1]


def _backend_options():
    return {
        "db_server": backend.DB_SERVER,
        "db_name": backend.DB_NAME,
        "db_user": backend.DB_USER,
        "db_passw": backend.DB_PASSW,
        "db_auth_source": backend.DB_AUTH_SOURCE,
        "mongo_client_options": dict(backend.CLIENT_OPTIONS),
    }
