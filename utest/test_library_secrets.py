"""Secrets in connection options never reach an error or Robot Framework.

Robot Framework prints a failed library import's arguments, so TOSLibrary
defers a failed import to its first keyword whenever a secret is among them.
"""

import uuid

import pytest

from tos.connection import has_password
from tos.errors import ConnectionFailed, TOSError
from tos.task_object_storage import TaskObjectStorage
from TOSLibrary import TOSLibrary

CLOSED_PORT = "127.0.0.1:9"


def secret_options(key, secret):
    options = {key: secret, "serverSelectionTimeoutMS": 200}
    if key.lower().startswith("tls"):
        options.update(tls=True, tlsCertificateKeyFile="/nonexistent/robot.pem")
    else:
        options.update(username="robot")
    return options


KEYS = ["password", "Password", "PASSWORD", "tlsCertificateKeyFilePassword"]


@pytest.mark.parametrize("key", KEYS)
def test_any_password_option_counts_as_a_secret(key):
    assert has_password({"db_server": CLOSED_PORT, "mongo_client_options": {key: "x"}})


@pytest.mark.parametrize("key", KEYS)
def test_engine_error_never_shows_a_secret_from_client_options(key):
    secret = f"S3cret-{uuid.uuid4().hex}"

    with pytest.raises(ConnectionFailed) as raised:
        TaskObjectStorage(
            db_server=CLOSED_PORT,
            db_name="secrets",
            mongo_client_options=secret_options(key, secret),
        )

    assert secret not in str(raised.value)


@pytest.mark.parametrize("key", KEYS)
def test_library_import_with_a_secret_fails_at_the_first_keyword(key):
    secret = f"S3cret-{uuid.uuid4().hex}"

    library = TOSLibrary(
        CLOSED_PORT, "secrets", mongo_client_options=secret_options(key, secret)
    )

    with pytest.raises(TOSError, match="TOSLibrary could not be imported") as raised:
        library.run_keyword("Find All Failed Task Objects", [], {})
    assert secret not in str(raised.value)


def test_library_import_without_a_secret_fails_at_once():
    with pytest.raises(ConnectionFailed, match="127.0.0.1:9"):
        TOSLibrary(
            CLOSED_PORT,
            "secrets",
            mongo_client_options={"serverSelectionTimeoutMS": 200},
        )


# Unescaped in the URI: "/" ends the host part for pymongo and "@" splits the
# password, so only a whole-URI view of the password finds and masks it.
URI_PASSWORDS = ["Hid3a/Hid3b", "Hid3a@Hid3b", "Hid3a/Hid3b@Hid3c:Hid3d?Hid3e#Hid3f"]


@pytest.mark.parametrize("password", URI_PASSWORDS)
def test_library_import_with_an_unescaped_uri_password_fails_at_the_first_keyword(
    password, caplog
):
    server = f"mongodb://robot:{password}@{CLOSED_PORT}/?authSource=admin"

    library = TOSLibrary(
        server, "secrets", mongo_client_options={"serverSelectionTimeoutMS": 200}
    )

    with pytest.raises(TOSError, match="TOSLibrary could not be imported") as raised:
        library.run_keyword("Find All Failed Task Objects", [], {})
    logged = caplog.text
    assert "TOSLibrary could not be imported" in logged
    for text in (str(raised.value), logged):
        assert f"mongodb://robot:***@{CLOSED_PORT}/" in text
        assert "Hid3" not in text
