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
# Options in a URI's query whose names contain "password", such as
# tlsCertificateKeyFilePassword.
_QUERY_PASSWORDS = re.compile(
    r"([?&;][^=&;#]*password[^=&;#]*=)([^&;#]*)", re.IGNORECASE
)
# The scheme of a server written as a URI, however it is spelled; a server
# without one ("user:password@host") has its user information at the start.
_SCHEME = re.compile(r"\s*[A-Za-z][A-Za-z0-9+.-]*:/+")
_AUTHENTICATION_FAILED_CODE = 18


def mask_password(text):
    """Return ``text`` with the passwords of the URIs in it replaced by ``***``."""

    def replace(match):
        user = match.group(2).split(":", 1)[0]
        return f"{match.group(1)}{user}:***@"

    text = _URI_CREDENTIALS.sub(replace, text)
    return _QUERY_PASSWORDS.sub(r"\1***", text)


def _split_server(server):
    """Split ``server`` into the text before its user information, the user
    information (``user:password``) and the rest, from its last ``@`` on.

    Returns ``None`` when ``server`` has no ``@``. Taking the last ``@``
    keeps a password with unescaped ``@``, ``/``, ``?`` or line breaks
    whole; an ``@`` in the query makes more than the password count as one,
    which is the safe side.
    """
    text = str(server)
    at = text.rfind("@")
    if at < 0:
        return None
    scheme = _SCHEME.match(text)
    start = scheme.end() if scheme and scheme.end() <= at else 0
    return text[:start], text[start:at], text[at:]


def mask_server(server):
    """Return ``db_server`` as it may be shown: every password in it masked."""
    parts = _split_server(server)
    text = str(server)
    if parts and ":" in parts[1]:
        before, userinfo, rest = parts
        text = f"{before}{userinfo.split(':', 1)[0]}:***{rest}"
    return _QUERY_PASSWORDS.sub(r"\1***", text)


def uri_credentials(server):
    """Return the user name and password written in ``db_server``, or empty texts."""
    parts = _split_server(server)
    if not parts:
        return "", ""
    user, _, password = parts[1].partition(":")
    return unquote_plus(user.strip()), unquote_plus(password)


def uri_query_passwords(server):
    """Return the values of password options in a URI's query."""
    return [
        unquote_plus(value)
        for _, value in _QUERY_PASSWORDS.findall(str(server))
        if value
    ]


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
        or uri_query_passwords(server)
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
    elif _uri_timeout(server) is None:
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
    parts = _split_server(server)
    if parts:
        # The password as written, in case it was percent-escaped.
        passwords.append(parts[1].partition(":")[2])
    passwords += uri_query_passwords(server) + option_passwords(options)
    shown = mask_server(server)
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
            source = (
                arguments.get("authSource")
                or uri_option(shown, "authSource")
                or "(default)"
            )
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
        timeout = arguments.get("serverSelectionTimeoutMS")
        if timeout is None:
            timeout = _uri_timeout(arguments["host"])
        reason = _scrub(str(error).split(", Timeout:")[0], passwords)
        raise ConnectionFailed(
            f"Could not connect to MongoDB at {shown} within {timeout} ms. "
            f"Is the server running and reachable? Driver said: {reason}"
        ) from None


def uri_option(server, name):
    """The value of option ``name`` in a MongoDB URI, or ``None``.

    Option names are matched without regard to case, as the driver does.
    """
    match = re.search(rf"[?&;]{name}=([^&;#]*)", server, re.IGNORECASE)
    return unquote_plus(match.group(1)) if match else None


def _uri_timeout(server):
    """The server selection timeout written in a URI, if it is a number."""
    value = uri_option(str(server), "serverSelectionTimeoutMS")
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return int(number) if number is not None and number.is_integer() else number


def _scrub(text, passwords):
    text = mask_password(text)
    for password in passwords:
        if password:
            text = text.replace(password, "***")
    return text
