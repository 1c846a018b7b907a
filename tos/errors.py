"""Exceptions raised by the task object storage.

Every error derives from :class:`TOSError`. Each class also derives from the
built-in exception that task-object-storage 1.4 raised in the same situation
(``ValueError``, ``TypeError`` or ``NameError``), so ``except`` clauses written
for the old library keep catching them.

``ROBOT_SUPPRESS_NAME`` makes Robot Framework show only the message, not the
class name, when a keyword fails.
"""


class TOSError(Exception):
    """Base class of all errors raised by ``tos`` and ``TOSLibrary``."""

    ROBOT_SUPPRESS_NAME = True


class InvalidArgument(TOSError, ValueError):
    """An argument has a value that cannot be used; nothing was written."""


class InvalidArgumentType(TOSError, TypeError):
    """An argument has the wrong type; nothing was written."""


class InvalidObjectId(InvalidArgument):
    """An object id is neither an ``ObjectId`` nor its 24-character hex text."""


class InvalidStatus(InvalidArgument):
    """A status is not one of the statuses in :mod:`tos.statuses`."""


class InvalidStage(InvalidArgument):
    """A stage is not a non-negative integer."""


class InvalidCollectionName(TOSError, NameError):
    """A collection name does not match ``^[0-9a-z_.]+$``."""


class TaskObjectNotFound(TOSError, ValueError):
    """No task object has the given id."""


class PayloadNotFound(TOSError, ValueError):
    """A separate payload document is missing, for example expired by its TTL."""


class SeparatePayloadsRequired(TOSError, TypeError):
    """The operation needs the separate payloads collection, which is not in use."""


class NotSupportedWithSeparatePayloads(TOSError, TypeError):
    """The operation cannot be used with the separate payloads collection."""


class ClaimLost(TOSError, ValueError):
    """The object is no longer in the expected claim; nothing was written."""


class UpdateRefused(TOSError, ValueError):
    """MongoDB refused an update, for example a push to a non-list; nothing changed."""


class NotInitialized(TOSError):
    """A task object operation was called before ``initialize_tos``."""


class ConnectionFailed(TOSError):
    """The MongoDB server could not be reached."""


class AuthenticationFailed(ConnectionFailed):
    """The MongoDB server refused the user name or password."""
