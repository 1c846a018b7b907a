"""Building the MongoDB client and checking that the server answers.

``db_server`` is ``host[:port]``, any MongoDB URI (``mongodb://`` or
``mongodb+srv://``) or :data:`tos.settings.EMBEDDED_DB_SERVER` for the
in-process backend. Error messages name the server that was tried but never
a password: passwords are masked in URIs and scrubbed from driver messages.
"""

import logging
import re

import pymongo
import pymongo.errors

from tos import embedded, settings
from tos.errors import AuthenticationFailed, ConnectionFailed

logger = logging.getLogger("tos")

_URI_CREDENTIALS = re.compile(r"(mongodb(?:\+srv)?://)([^@/]*)@")
_AUTHENTICATION_FAILED_CODE = 18


def mask_password(server):
    """Return ``server`` with any password in a URI replaced by ``***``."""

    def replace(match):
        user = match.group(2).split(":", 1)[0]
        return f"{match.group(1)}{user}:***@"

    return _URI_CREDENTIALS.sub(replace, server)


def client_arguments(options):
    """Return the keyword arguments for ``MongoClient`` built from ``options``."""
    arguments = {
        "host": options.get("db_server") or settings.DEFAULT_DB_ADDRESS,
        "serverSelectionTimeoutMS": options.get(
            "timeout", settings.DEFAULT_SERVER_SELECTION_TIMEOUT_MS
        ),
    }
    if options.get("db_user") or options.get("db_passw"):
        arguments["username"] = options.get("db_user") or None
        arguments["password"] = options.get("db_passw") or None
        arguments["authSource"] = options.get("db_auth_source") or options.get(
            "db_name"
        )
    arguments.update(options.get("mongo_client_options") or {})
    return arguments


def connect(options):
    """Create the client for ``options`` and check that the server answers."""
    server = options.get("db_server") or settings.DEFAULT_DB_ADDRESS
    if embedded.is_embedded(server):
        logger.debug("Using the embedded backend %r", server)
        return embedded.client(server)

    password = options.get("db_passw") or ""
    shown = mask_password(server)
    arguments = client_arguments(options)
    try:
        client = pymongo.MongoClient(**arguments)
    except (pymongo.errors.ConfigurationError, TypeError, ValueError) as error:
        message = _scrub(str(error), password)
        raise ConnectionFailed(
            f"Invalid MongoDB connection settings for {shown}: {message}"
        ) from None
    check_connection(client, shown, arguments, password)
    logger.debug("Connected to %s", shown)
    return client


def check_connection(client, shown, arguments, password=""):
    """Send ``ping`` and turn driver failures into clear, password-free errors."""
    try:
        client.admin.command("ping")
    except pymongo.errors.OperationFailure as error:
        client.close()
        if error.code == _AUTHENTICATION_FAILED_CODE or "auth" in str(error).lower():
            user = arguments.get("username") or "(from the URI)"
            source = arguments.get("authSource") or "(default)"
            raise AuthenticationFailed(
                f"MongoDB at {shown} refused the credentials of user {user!r} "
                f"(authentication database {source!r}). Check db_user, db_passw "
                "and db_auth_source."
            ) from None
        raise ConnectionFailed(
            f"MongoDB at {shown} refused the connection check: "
            f"{_scrub(str(error), password)}"
        ) from None
    except pymongo.errors.PyMongoError as error:
        client.close()
        timeout = arguments.get("serverSelectionTimeoutMS")
        reason = _scrub(str(error).split(", Timeout:")[0], password)
        raise ConnectionFailed(
            f"Could not connect to MongoDB at {shown} within {timeout} ms. "
            f"Is the server running and reachable? Driver said: {reason}"
        ) from None


def _scrub(text, password):
    text = mask_password(text)
    if password:
        text = text.replace(password, "***")
    return text
