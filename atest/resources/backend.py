"""Variable file: which database the acceptance tests use.

The test tasks set these environment variables; without them the tests run
on the embedded backend. The password is read here, never passed on the
command line, so it cannot appear in Robot Framework's outputs.
"""

import json
import os
import sys
import uuid

BACKEND = os.environ.get("TOS_TEST_BACKEND", "embedded")
DB_SERVER = os.environ.get("TOS_TEST_DB_SERVER", "embedded")
DB_USER = os.environ.get("TOS_TEST_DB_USER", "")
DB_PASSW = os.environ.get("TOS_TEST_DB_PASSW", "")
DB_AUTH_SOURCE = os.environ.get("TOS_TEST_DB_AUTH_SOURCE", "")
CLIENT_OPTIONS = json.loads(os.environ.get("TOS_TEST_CLIENT_OPTIONS") or "{}")
DB_NAME = os.environ.get("TOS_TEST_DB_NAME") or f"atest_{uuid.uuid4().hex[:12]}"

#: The Python running the tests, for child Robot Framework runs.
PYTHON = sys.executable
