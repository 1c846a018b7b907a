"""Connecting: client options, clear failures, and passwords kept out of messages.

Unreachable servers are a closed port on 127.0.0.1, found by binding and
closing a socket; nothing else is contacted.
"""

import socket
import uuid
from urllib.parse import quote_plus

import pymongo
import pytest
from conftest import connection_options
from storage_checks import EMBEDDED

from tos import embedded, settings
from tos.connection import has_password, mask_password, mask_server, uri_credentials
from tos.errors import AuthenticationFailed, ConnectionFailed, InvalidArgument
from tos.task_object_storage import TaskObjectStorage

SECRET = "Sup3r-Secret-Pw"
FAST = {"serverSelectionTimeoutMS": 500}
# Passwords with the characters a URI must escape, written unescaped. Every
# piece starts with "Hid3", so no piece of them may show anywhere.
UNESCAPED_PASSWORDS = [
    "Hid3a/Hid3b",
    "Hid3a@Hid3b",
    "Hid3a:Hid3b",
    "Hid3a?Hid3b",
    "Hid3a#Hid3b",
    "Hid3a/Hid3b@Hid3c:Hid3d?Hid3e#Hid3f",
]
ESCAPED_PASSWORD = quote_plus(UNESCAPED_PASSWORDS[-1])

needs_server = pytest.mark.skipif(
    EMBEDDED, reason="needs a server backend (TOS_TEST_BACKEND wire or mongodb)"
)


@pytest.fixture
def closed_port():
    """A loopback port that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def client_calls(monkeypatch):
    """Record the keyword arguments and the clients of every MongoClient made."""
    calls = []
    real = pymongo.MongoClient

    def recording(*args, **kwargs):
        client = real(*args, **kwargs)
        calls.append((kwargs, client))
        return client

    monkeypatch.setattr(pymongo, "MongoClient", recording)
    return calls


class NotConnecting(Exception):
    """Raised instead of creating a client, so nothing is contacted."""


@pytest.fixture
def refused_client_calls(monkeypatch):
    """Record MongoClient arguments and stop before any client exists."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(kwargs)
        raise NotConnecting

    monkeypatch.setattr(pymongo, "MongoClient", refuse)
    return calls


def test_unreachable_server_fails_naming_the_server_not_the_password(closed_port):
    server = f"127.0.0.1:{closed_port}"

    with pytest.raises(ConnectionFailed) as raised:
        TaskObjectStorage(
            db_server=server,
            db_name="utest_unreachable",
            db_user="robot",
            db_passw=SECRET,
            mongo_client_options=FAST,
        )

    message = str(raised.value)
    assert server in message
    assert "500 ms" in message
    assert SECRET not in message
    assert SECRET not in repr(raised.value)


def test_password_in_a_uri_is_masked(closed_port):
    server = f"mongodb://robot:{SECRET}@127.0.0.1:{closed_port}/?authSource=admin"

    with pytest.raises(ConnectionFailed) as raised:
        TaskObjectStorage(
            db_server=server, db_name="utest_unreachable", mongo_client_options=FAST
        )

    message = str(raised.value)
    assert f"mongodb://robot:***@127.0.0.1:{closed_port}" in message
    assert SECRET not in message


def test_invalid_settings_fail_without_the_password():
    server = f"mongodb://robot:{SECRET}@127.0.0.1:99999/"

    with pytest.raises(ConnectionFailed) as raised:
        TaskObjectStorage(db_server=server, db_name="utest_invalid")

    assert "mongodb://robot:***@127.0.0.1:99999" in str(raised.value)
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize("scheme", ["mongodb://", "mongodb+srv://"])
@pytest.mark.parametrize("password", UNESCAPED_PASSWORDS)
def test_unescaped_password_in_a_uri_is_found_and_masked_whole(scheme, password):
    uri = f"{scheme}robot:{password}@127.0.0.1:1234/?authSource=admin"

    assert uri_credentials(uri) == ("robot", password)
    assert has_password({"db_server": uri})
    assert mask_password(uri) == f"{scheme}robot:***@127.0.0.1:1234/?authSource=admin"


@pytest.mark.parametrize("scheme", ["mongodb://", "mongodb+srv://"])
def test_percent_escaped_password_in_a_uri_is_found_and_masked(scheme):
    uri = f"{scheme}robot:{ESCAPED_PASSWORD}@127.0.0.1:1234/?authSource=admin"

    assert uri_credentials(uri) == ("robot", UNESCAPED_PASSWORDS[-1])
    assert has_password({"db_server": uri})
    assert mask_password(uri) == f"{scheme}robot:***@127.0.0.1:1234/?authSource=admin"


@pytest.mark.parametrize(
    "uri",
    ["mongodb://127.0.0.1:1234/?authSource=admin", "mongodb+srv://robot@example.net"],
)
def test_uri_without_a_password_has_none(uri):
    assert uri_credentials(uri)[1] == ""
    assert not has_password({"db_server": uri})


@pytest.mark.parametrize("password", [*UNESCAPED_PASSWORDS, ESCAPED_PASSWORD])
def test_password_is_masked_in_text_that_quotes_the_uri(password):
    text = (
        f"Invalid settings for mongodb://robot:{password}@127.0.0.1:1234/: retry.\n"
        f"Also tried mongodb+srv://robot:{password}@example.net and gave up."
    )

    assert mask_password(text) == (
        "Invalid settings for mongodb://robot:***@127.0.0.1:1234/: retry.\n"
        "Also tried mongodb+srv://robot:***@example.net and gave up."
    )


@pytest.mark.parametrize(
    "server, shown",
    [
        ("mongdb://robot:Secret1@h:1/", "mongdb://robot:***@h:1/"),
        ("mongodb:/robot:Secret1@h:1/", "mongodb:/robot:***@h:1/"),
        ("robot:Secret1@h:1", "robot:***@h:1"),
        (" mongodb://robot:Secret1@h:1/", " mongodb://robot:***@h:1/"),
        ("mongodb://robot:Sec\nret1@h:1/", "mongodb://robot:***@h:1/"),
        (
            "mongodb://h:1/?tls=true&tlsCertificateKeyFilePassword=Secret1",
            "mongodb://h:1/?tls=true&tlsCertificateKeyFilePassword=***",
        ),
    ],
    ids=["misspelled", "one-slash", "no-scheme", "space", "newline", "query"],
)
def test_password_in_a_mistyped_or_unusual_server_is_found_and_masked(server, shown):
    assert has_password({"db_server": server})
    assert mask_server(server) == shown


def test_an_at_sign_in_the_query_is_masked_on_the_safe_side():
    server = "mongodb://127.0.0.1:1/?appname=me@host"

    assert has_password({"db_server": server})
    assert "appname=me" not in mask_server(server)


@pytest.mark.parametrize(
    "server",
    [
        "mongdb://robot:Secret1@127.0.0.1:{port}/",
        "robot:Secret1@127.0.0.1:{port}",
        "mongodb://robot:Sec\nret1@127.0.0.1:{port}/",
        "mongodb://robot:Sec%2Fret1@127.0.0.1:{port}/",
        "mongodb://127.0.0.1:{port}/?tlsCertificateKeyFilePassword=Secret1",
    ],
    ids=["misspelled", "no-scheme", "newline", "escaped", "query"],
)
def test_unusual_server_passwords_never_show_in_the_error(server, closed_port):
    with pytest.raises(ConnectionFailed) as raised:
        TaskObjectStorage(
            db_server=server.format(port=closed_port),
            db_name="utest_unreachable",
            mongo_client_options=FAST,
        )

    for piece in ("Secret1", "Sec\nret1", "Sec%2Fret1", "Sec/ret1", "ret1"):
        assert piece not in str(raised.value)


@pytest.mark.parametrize("password", [*UNESCAPED_PASSWORDS, ESCAPED_PASSWORD])
def test_unescaped_password_in_a_uri_never_shows_in_the_error(password, closed_port):
    server = f"mongodb://robot:{password}@127.0.0.1:{closed_port}/?authSource=admin"

    with pytest.raises(ConnectionFailed) as raised:
        TaskObjectStorage(
            db_server=server, db_name="utest_unreachable", mongo_client_options=FAST
        )

    assert f"mongodb://robot:***@127.0.0.1:{closed_port}/" in str(raised.value)
    assert "Hid3" not in str(raised.value)
    assert "Hid3" not in repr(raised.value)


def test_client_options_reach_the_client_without_credentials(client_calls, closed_port):
    options = {**FAST, "appname": "tos-utest", "maxPoolSize": 7}

    with pytest.raises(ConnectionFailed):
        TaskObjectStorage(
            db_server=f"127.0.0.1:{closed_port}",
            db_name="utest_options",
            mongo_client_options=options,
        )

    [(arguments, client)] = client_calls
    assert "username" not in arguments and "password" not in arguments
    assert client.options.pool_options.appname == "tos-utest"
    assert client.options.pool_options.max_pool_size == 7
    assert client.options.server_selection_timeout == 0.5


def test_client_options_reach_the_client_with_credentials(client_calls, closed_port):
    options = {**FAST, "appname": "tos-utest", "authMechanism": "SCRAM-SHA-256"}

    with pytest.raises(ConnectionFailed):
        TaskObjectStorage(
            db_server=f"127.0.0.1:{closed_port}",
            db_name="utest_options",
            db_user="robot",
            db_passw=SECRET,
            db_auth_source="admin",
            mongo_client_options=options,
        )

    [(arguments, client)] = client_calls
    assert arguments["username"] == "robot"
    assert arguments["password"] == SECRET
    assert arguments["authSource"] == "admin"
    assert arguments["authMechanism"] == "SCRAM-SHA-256"
    assert client.options.pool_options.appname == "tos-utest"
    assert client.options.server_selection_timeout == 0.5


def test_auth_source_defaults_to_the_database_and_mechanism_is_negotiated(
    refused_client_calls,
):
    with pytest.raises(NotConnecting):
        TaskObjectStorage(
            db_server="127.0.0.1:1", db_name="rpa", db_user="robot", db_passw=SECRET
        )

    [arguments] = refused_client_calls
    assert arguments["authSource"] == "rpa"
    assert "authMechanism" not in arguments


def test_default_server_address(refused_client_calls):
    with pytest.raises(NotConnecting):
        TaskObjectStorage(db_name="rpa")

    assert settings.DEFAULT_DB_ADDRESS == "mongodb://localhost:27017/"
    assert refused_client_calls[0]["host"] == settings.DEFAULT_DB_ADDRESS


def test_db_name_is_required():
    with pytest.raises(InvalidArgument, match="'db_name'"):
        TaskObjectStorage(db_server="embedded")


def test_client_options_must_be_a_dict():
    with pytest.raises(TypeError, match="'mongo_client_options'"):
        TaskObjectStorage(
            db_server="embedded", db_name="x", mongo_client_options="tls=true"
        )


def test_embedded_stores_are_shared_by_name_and_separate_between_names():
    names = [f"embedded://utest-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    first = TaskObjectStorage(db_server=names[0], db_name="shared")
    second = TaskObjectStorage(db_server=names[0].upper(), db_name="shared")
    other = TaskObjectStorage(db_server=names[1], db_name="shared")
    try:
        for storage in (first, second, other):
            storage.initialize_tos()
        created = first.create_new_task_object({"a": 1})

        assert second.tos.find_one({"_id": created["_id"]})["payload"] == {"a": 1}
        assert other.tos.count_documents({}) == 0
    finally:
        for storage in (first, second, other):
            storage.disconnect()
        for name in names:
            embedded.reset(name)


def test_context_manager_and_repr(options):
    with TaskObjectStorage(**options) as storage:
        storage.initialize_tos()
        storage.create_new_task_object({})
        assert options["db_name"] in repr(storage)
        assert "task_objects" in storage.list_collections()
        storage.client.drop_database(options["db_name"])


@needs_server
def test_connect_returns_a_mongo_client_with_the_options(storage):
    client = storage.connect()
    try:
        assert isinstance(client, pymongo.MongoClient)
        assert client is not storage.client
        assert client.admin.command("ping")["ok"] == 1
    finally:
        client.close()


@needs_server
def test_wrong_password_fails_naming_the_user_not_the_password():
    options = connection_options()
    user = options["db_user"] or uri_credentials(options["db_server"])[0]
    if not user:
        pytest.skip("the test server does not require authentication")
    wrong = "Wr0ng-" + SECRET
    options.update(db_user=user, db_passw=wrong)
    options["mongo_client_options"] = {**options["mongo_client_options"], **FAST}

    with pytest.raises(AuthenticationFailed) as raised:
        TaskObjectStorage(**options)

    message = str(raised.value)
    assert repr(user) in message
    assert wrong not in message


@needs_server
def test_uri_with_credentials_connects_and_repr_masks_the_password():
    options = connection_options()
    server = options["db_server"]
    if not options["db_user"] or "://" in server:
        pytest.skip("needs a host:port test server that requires authentication")
    query = f"authSource={options['db_auth_source'] or options['db_name']}"
    mechanism = options["mongo_client_options"].get("authMechanism")
    if mechanism:
        query += f"&authMechanism={mechanism}"
    uri = f"mongodb://{options['db_user']}:{options['db_passw']}@{server}/?{query}"

    storage = TaskObjectStorage(db_server=uri, db_name=options["db_name"])
    try:
        storage.initialize_tos()
        created = storage.create_new_task_object({"via": "uri"})
        assert storage.tos.find_one({"_id": created["_id"]})["payload"] == {
            "via": "uri"
        }
        assert f"{options['db_user']}:***@" in repr(storage)
        assert f":{options['db_passw']}@" not in repr(storage)
    finally:
        storage.client.drop_database(options["db_name"])
        storage.disconnect()


def test_timeout_written_in_the_uri_is_kept(client_calls, closed_port):
    uri = f"mongodb://127.0.0.1:{closed_port}/?serverSelectionTimeoutMS=500"

    with pytest.raises(ConnectionFailed, match="within 500 ms"):
        TaskObjectStorage(db_server=uri, db_name="utest_timeout")

    [(arguments, client)] = client_calls
    assert "serverSelectionTimeoutMS" not in arguments
    assert client.options.server_selection_timeout == 0.5


@pytest.mark.parametrize(
    "query", ["serverSelectionTimeoutMS=abc", "a=b;serverSelectionTimeoutMS="]
)
def test_a_timeout_in_the_uri_that_is_not_a_number_gives_the_default(
    refused_client_calls, query
):
    with pytest.raises(NotConnecting):
        TaskObjectStorage(db_server=f"mongodb://127.0.0.1:1/?{query}", db_name="rpa")

    [arguments] = refused_client_calls
    assert arguments["serverSelectionTimeoutMS"] == (
        settings.DEFAULT_SERVER_SELECTION_TIMEOUT_MS
    )


def test_timeout_after_a_semicolon_in_the_uri_is_kept(client_calls, closed_port):
    uri = f"mongodb://127.0.0.1:{closed_port}/?appname=x;serverSelectionTimeoutMS=500"

    with pytest.raises(ConnectionFailed, match="within 500 ms"):
        TaskObjectStorage(db_server=uri, db_name="utest_timeout")

    [(_, client)] = client_calls
    assert client.options.server_selection_timeout == 0.5


def test_timeout_option_wins_over_the_uri(client_calls, closed_port):
    uri = f"mongodb://127.0.0.1:{closed_port}/?serverselectiontimeoutms=60000"

    with pytest.raises(ConnectionFailed, match="within 300 ms"):
        TaskObjectStorage(db_server=uri, db_name="utest_timeout", timeout=300)

    [(_, client)] = client_calls
    assert client.options.server_selection_timeout == 0.3
