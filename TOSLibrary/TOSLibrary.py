"""The Robot Framework library: keywords over one task object storage."""

from robot.api import logger
from robot.utils import timestr_to_secs
from robotlibcore import DynamicCore

from tos import __version__
from tos.connection import has_password
from tos.errors import InvalidArgument, TOSError
from tos.task_object_storage import TaskObjectStorage
from tos.validation import to_ttl_seconds
from TOSLibrary.keywords import (
    PayloadKeywords,
    RetryKeywords,
    StageKeywords,
    TaskKeywords,
)


class TOSLibrary(DynamicCore):
    """TOSLibrary keeps the task objects of an RPA process in MongoDB.

    A process is split into stages. Stage 0, the producer, turns its input
    into *task objects*, one per unit of work. Each later stage, a consumer,
    claims objects one at a time, does the work and records the outcome.
    Every object keeps its status, stage, payload, timings, errors and
    retries, so a failed or crashed run can be resumed, retried and audited,
    and several robots on several machines can share one queue.

    %TOC%

    = Importing =

    | =Argument= | =Meaning= |
    | ``db_server`` | ``host:port``, a MongoDB URI (``mongodb://...``, ``mongodb+srv://...``), or ``embedded`` for the in-process backend. |
    | ``db_name`` | The database. |
    | ``db_user``, ``db_passw`` | Credentials, when the server needs them. The password never appears in logs or errors. |
    | ``db_auth_source`` | The database that holds the user; ``db_name`` by default. |
    | ``collection_prefix``, ``collection_suffix`` | Task objects live in ``[prefix.]task_objects[.suffix]``; lowercase letters, digits, ``_`` and ``.`` only. |
    | ``separate_payloads`` | Keep payloads in their own ``[prefix.]payloads`` collection. |
    | ``payloads_ttl`` | With separate payloads, delete a payload this long after its last change: seconds or a time such as ``30 days``. |
    | ``mongo_client_options`` | A dictionary passed to pymongo's ``MongoClient``, such as ``{"tls": True, "authMechanism": "SCRAM-SHA-256"}``. |

    With a password in the arguments, a failed import (a wrong password,
    an unreachable server) is logged as an error and reported by the first
    keyword that runs, not by the import itself: Robot Framework would
    otherwise print every import argument, the password too, in its
    message.

    A MongoDB server, without and with credentials:

    | ***** Settings *****
    | Library    TOSLibrary    localhost:27017    invoices
    | Library    TOSLibrary    mongodb+srv://cluster0.example.net    invoices
    | ...    db_user=robot    db_passw=%{MONGO_PASSWORD}    db_auth_source=admin

    The embedded backend needs no server. Its data lives in the Robot
    Framework process, shared by every suite of one run, and is gone when
    the run ends. It is meant for trying the library, demos and tests:

    | Library    TOSLibrary    embedded    invoices

    = Task objects =

    A task object is a dictionary. Its main keys are ``_id``, ``status``
    (``new``, ``processing``, ``pass``, ``fail``, ``expected_fail``,
    ``skip``), ``stage`` (0 is the producer), ``priority`` (higher is taken
    first), ``payload`` (the work data), ``stages`` (per stage: start, end,
    duration in ms, status, executor, exceptions, retries), ``last_error``,
    ``retry_count`` and ``defer_until``. Keywords that change an object
    return the updated object. Times are UTC.

    ``fail`` means the robot failed and a retry may help; ``expected_fail``
    means a business failure, such as invalid input, that a retry will not
    fix.

    = A producer and a consumer =

    The fewest database round trips: create objects in bulk, claim with
    `Claim Task Object` and record the outcome with `Finish Task Object`.

    | ***** Tasks *****
    | Produce
    |     ${rows} =    Read Rows    input.csv
    |     Create New Task Objects    ${rows}    finished=True    reference_field=invoice
    |
    | Consume
    |     WHILE    True
    |         ${to} =    Claim Task Object    1
    |         IF    $to is None    BREAK
    |         ${status}    ${error} =    Run Keyword And Ignore Error    Handle Invoice    ${to}
    |         IF    $status == 'PASS'
    |             Finish Task Object    ${to}[_id]    1    pass
    |         ELSE
    |             Finish Task Object    ${to}[_id]    1    fail    error_text=${error}
    |         END
    |     END

    The keywords of task-object-storage 1.4 (`Find One Task Object By Status
    And Stage`, `Update Stage Object`, `Update Status`, `Set Stage End
    Time`, ...) work as before, each in one write.

    = Retries and retry limits =

    `Set Task Object For Rerun` sends an object back one stage as passed,
    so the stage runs again, and counts the retry in ``retry_count``.
    ``defer_until`` delays the retry (``5 min``, or a time). With
    ``max_retries``, an object already retried that many times is not sent
    back but ends as ``fail`` with the reason in ``last_error``, so a
    broken item cannot loop forever.

    = Stale claims =

    A claimed object has status ``processing`` and records ``claimedAt``
    and ``claimed_from`` (the status and stage it was claimed from). If the
    robot crashes, the object stays ``processing``. `Find Stale Task
    Objects` lists objects that have been processing longer than a given
    time; `Release Stale Task Object` and `Release Stale Task Objects` give
    them back to the status and stage they came from and note the release
    in the object's ``releases`` list. A consumer can do this itself:
    ``Claim Task Object    1    reclaim_stale_after=1 hour``. Choose a time
    clearly longer than the longest honest run of one item.

    = References =

    A producer that runs twice must not queue the same work twice. Give
    each object a unique ``reference`` (an invoice number, a file name):
    `Create New Task Object` with an existing reference returns the
    existing object and creates nothing, and `Create New Task Objects`
    skips rows whose ``reference_field`` value exists. `Find Task Object By
    Reference` looks one up.

    = Errors =

    A wrong argument fails before anything is written, with a message that
    names the argument, such as ``Argument 'status' must be one of ...``.
    """

    ROBOT_LIBRARY_SCOPE = "GLOBAL"
    ROBOT_LIBRARY_VERSION = __version__
    ROBOT_LIBRARY_DOC_FORMAT = "ROBOT"

    def __init__(
        self,
        db_server: str,
        db_name: str,
        db_user: str = "",
        db_passw: str = "",
        db_auth_source: str = "",
        collection_suffix: str = "",
        separate_payloads: bool = False,
        payloads_ttl: int | str = 0,
        collection_prefix: str = "",
        mongo_client_options: dict | None = None,
    ):
        """Connects to the database and selects the collections.

        See `Importing` for the arguments.
        """
        self.tos = None
        self._import_error = None
        components = [
            TaskKeywords(None),
            StageKeywords(None),
            PayloadKeywords(None),
            RetryKeywords(None),
        ]
        super().__init__(components)
        try:
            self.tos = _connect(
                db_server=db_server,
                db_name=db_name,
                db_user=db_user,
                db_passw=db_passw,
                db_auth_source=db_auth_source,
                collection_suffix=collection_suffix,
                separate_payloads=separate_payloads,
                payloads_ttl=payloads_ttl,
                collection_prefix=collection_prefix,
                mongo_client_options=mongo_client_options,
            )
        except Exception as error:
            if not _has_password(db_server, db_passw, mongo_client_options):
                raise
            # Robot Framework prints a failed import's arguments, password
            # included, so with a password the failure is reported by the
            # first keyword instead.
            self._import_error = error
            logger.error(f"TOSLibrary could not be imported: {error}")
            return
        for component in components:
            component.storage = self.tos

    def run_keyword(self, name, args, kwargs=None):
        if self._import_error is not None:
            raise TOSError(
                f"TOSLibrary could not be imported: {self._import_error}"
            ) from None
        return super().run_keyword(name, args, kwargs)


def _connect(
    payloads_ttl, collection_suffix, separate_payloads, collection_prefix, **options
):
    """Create the engine and select its collections."""
    ttl_seconds = _seconds(payloads_ttl)
    if ttl_seconds and not separate_payloads:
        raise InvalidArgument(
            "Argument 'payloads_ttl' needs 'separate_payloads': the TTL applies "
            "to the separate payloads collection only."
        )
    options["mongo_client_options"] = options["mongo_client_options"] or {}
    storage = TaskObjectStorage(**options)
    try:
        storage.initialize_tos(
            collection_suffix=collection_suffix,
            separate_payloads=separate_payloads,
            payloads_ttl_seconds=ttl_seconds,
            collection_prefix=collection_prefix,
        )
    except Exception:
        storage.disconnect()
        raise
    logger.debug(f"TOSLibrary uses {storage!r}")
    return storage


def _has_password(db_server, db_passw, mongo_client_options):
    """Whether the import arguments hold a password anywhere."""
    return has_password(
        {
            "db_server": db_server,
            "db_passw": db_passw,
            "mongo_client_options": mongo_client_options,
        }
    )


def _seconds(payloads_ttl):
    """Turn ``payloads_ttl`` (seconds or a Robot time string) into whole seconds."""
    value = payloads_ttl
    if isinstance(value, str):
        try:
            value = timestr_to_secs(value)
        except ValueError:
            raise InvalidArgument(
                "Argument 'payloads_ttl' must be seconds or a time such as "
                f"'30 days', got {payloads_ttl!r}."
            ) from None
    return to_ttl_seconds(value, "payloads_ttl")
