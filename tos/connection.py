"""Building the MongoDB client and checking that the server answers.

``db_server`` is ``host[:port]``, any MongoDB URI (``mongodb://`` or
``mongodb+srv://``) or :data:`tos.settings.EMBEDDED_DB_SERVER` for the
in-process backend. Error messages name the server that was tried but never
a password: passwords are masked in URIs and scrubbed from driver messages.
"""

import logging
import re
from urllib.parse import unquote_plus

import pymongo
import pymongo.errors

from tos import embedded, settings
from tos.errors import AuthenticationFailed, ConnectionFailed

logger = logging.getLogger("tos")

# A URI's user information runs from the scheme to the URI's last "@", so
# that a password with unescaped "/", "@", ":", "?" or "#" is still found
# and masked whole. In longer text, such as an error message, a URI ends at
# the end of its line or where the next URI starts. This can mask more than
# the password (an "@" in the query), which is the safe side. The scheme is
# matched in any letter case: pymongo refuses "MongoDB://", but the password
# in it must stay hidden all the same.
_URI_CREDENTIALS = re.compile(
    r"(mongodb(?:\+srv)?://)((?:(?!mongodb(?:\+srv)?://)[^\r\n])*)@",
    re.IGNORECASE,
)
_AUTHENTICATION_FAILED_CODE = 18


def mask_password(server):
    """Return ``server`` with any password in a URI replaced by ``***``."""

    def replace(match):
        user = match.group(2).split(":", 1)[0]
        return f"{match.group(1)}{user}:***@"

    return _URI_CREDENTIALS.sub(replace, server)


def uri_credentials(server):
    """Return the user name and password written in a URI, or empty texts."""
    match = _URI_CREDENTIALS.match(str(server))
    if not match:
        return "", ""
    user, _, password = match.group(2).partition(":")
    return unquote_plus(user), unquote_plus(password)


def option_passwords(options):
    """Return the secrets given in ``mongo_client_options``.

    pymongo reads option names in any letter case, and several options hold
    secrets (``password``, ``tlsCertificateKeyFilePassword``, ...): every
    option whose name contains ``password`` counts.
    """
    client_options = options.get("mongo_client_options") or {}
    if not isinstance(client_options, dict):
        return []
    return [
        str(value)
        for key, value in client_options.items()
        if "password" in str(key).lower() and value
    ]


def has_password(options):
    """Whether ``options`` carry a password anywhere."""
    server = str(options.get("db_server") or "")
    return bool(
        options.get("db_passw")
        or uri_credentials(server)[1]
        or option_passwords(options)
    )


def client_arguments(options):
    """Return the keyword arguments for ``MongoClient`` built from ``options``."""
    server = options.get("db_server") or settings.DEFAULT_DB_ADDRESS
    arguments = {"host": server}
    # A timeout written in the URI holds unless 'timeout' is given; keyword
    # arguments would otherwise override it.
    if options.get("timeout") is not None:
        arguments["serverSelectionTimeoutMS"] = options["timeout"]
    elif uri_option(str(server), "serverSelectionTimeoutMS") is None:
        arguments["serverSelectionTimeoutMS"] = (
            settings.DEFAULT_SERVER_SELECTION_TIMEOUT_MS
        )
    if options.get("db_user"):
        arguments["username"] = options["db_user"]
    if options.get("db_passw"):
        arguments["password"] = options["db_passw"]
    if options.get("db_user") or options.get("db_passw"):
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

    uri_user, uri_password = uri_credentials(server)
    passwords = [options.get("db_passw") or "", uri_password]
    passwords += option_passwords(options)
    shown = mask_password(server)
    arguments = client_arguments(options)
    try:
        client = pymongo.MongoClient(**arguments)
    except (pymongo.errors.PyMongoError, OSError, TypeError, ValueError) as error:
        message = _scrub(str(error), passwords)
        raise ConnectionFailed(
            f"Invalid MongoDB connection settings for {shown}: {message}"
        ) from None
    check_connection(client, shown, arguments, passwords, uri_user)
    logger.debug("Connected to %s", shown)
    return client


def check_connection(client, shown, arguments, passwords=(), uri_user=""):
    """Send ``ping`` and turn driver failures into clear, password-free errors."""
    try:
        client.admin.command("ping")
    except pymongo.errors.OperationFailure as error:
        client.close()
        if error.code == _AUTHENTICATION_FAILED_CODE or "auth" in str(error).lower():
            user = arguments.get("username") or uri_user
            source = arguments.get("authSource") or _uri_auth_source(shown)
            raise AuthenticationFailed(
                f"MongoDB at {shown} refused the credentials of user {user!r} "
                f"(authentication database {source!r}). Check the user name, "
                "password and authentication database: db_user, db_passw and "
                "db_auth_source, or those in the URI or mongo_client_options."
            ) from None
        raise ConnectionFailed(
            f"MongoDB at {shown} refused the connection check: "
            f"{_scrub(str(error), passwords)}"
        ) from None
    except pymongo.errors.PyMongoError as error:
        client.close()
        timeout = arguments.get("serverSelectionTimeoutMS") or uri_option(
            str(arguments["host"]), "serverSelectionTimeoutMS"
        )
        reason = _scrub(str(error).split(", Timeout:")[0], passwords)
        raise ConnectionFailed(
            f"Could not connect to MongoDB at {shown} within {timeout} ms. "
            f"Is the server running and reachable? Driver said: {reason}"
        ) from None


def uri_option(server, name):
    """The value of option ``name`` in a MongoDB URI, or ``None``.

    Option names are matched without regard to case, as the driver does.
    """
    match = re.search(rf"[?&]{name}=([^&]*)", server, re.IGNORECASE)
    return match.group(1) if match else None


def _uri_auth_source(server):
    match = re.search(r"[?&]authSource=([^&]+)", server)
    return unquote_plus(match.group(1)) if match else "(default)"


def _scrub(text, passwords):
    text = mask_password(text)
    for password in passwords:
        if password:
            text = text.replace(password, "***")
    return text
