"""The task object storage engine.

:class:`TaskObjectStorage` keeps task objects in MongoDB and is the only
place that talks to it. It has no Robot Framework dependency: Python code
uses it directly and ``TOSLibrary`` turns its methods into keywords.

Every write that MongoDB can do in one command is one command. Arguments are
checked before anything is written; a bad one raises an error from
:mod:`tos.errors` that names it.
"""

import atexit
import logging
import os
import warnings
from datetime import timedelta

import pymongo
import pymongo.errors
from bson.objectid import ObjectId
from pymongo import ReturnDocument

from tos import connection, embedded, identity, queries, settings
from tos.errors import (
    ClaimLost,
    InvalidArgument,
    InvalidArgumentType,
    InvalidStage,
    InvalidStatus,
    NotInitialized,
    NotSupportedWithSeparatePayloads,
    PayloadNotFound,
    SeparatePayloadsRequired,
    TaskObjectNotFound,
)
from tos.payloads import InlinePayloads, SeparatePayloads, refused_writes_explained
from tos.statuses import Status
from tos.timeutil import as_naive_utc, utc_now
from tos.utils import accept_string_object_ids, get_temporary_file
from tos.validation import (
    check_collection_name,
    check_database_name,
    check_dict,
    check_document,
    check_field_name,
    check_status,
    check_storable,
    check_text,
    check_value,
    describe,
    to_bool,
    to_defer_until,
    to_int,
    to_non_negative_seconds,
    to_object_id,
    to_sort,
    to_stage,
    to_stages,
    to_statuses,
    to_ttl_seconds,
)

logger = logging.getLogger("tos")

_DUPLICATE_KEY = 11000
_MANUAL_DEPRECATED = (
    "The manual flag is deprecated; find objects by the status 'expected_fail'."
)
_CLAIM_OPTIONS = {"sort_condition", "amend", "start_stage", "reclaim_stale_after"}


class TaskObjectStorage:
    """Store, claim and update task objects in MongoDB.

    Options, all keyword arguments:

    - ``db_server``: ``host[:port]``, a MongoDB URI (``mongodb://...``,
      ``mongodb+srv://...``) or ``embedded`` for the in-process backend.
      Default ``mongodb://localhost:27017/``.
    - ``db_name``: the database.
    - ``db_user``, ``db_passw``: credentials, if the server needs them.
    - ``db_auth_source``: the database that holds the user; ``db_name`` by
      default.
    - ``mongo_client_options``: a dict passed to ``pymongo.MongoClient``,
      for example ``{"tls": True, "authMechanism": "SCRAM-SHA-256"}``.
    - ``timeout``: milliseconds to wait for the server; default 10000.

    The server is contacted (``ping``) when the object is created, so a
    wrong address or password fails here with a message that names the
    server but never the password. Call :meth:`initialize_tos` before any
    task object operation::

        storage = TaskObjectStorage(db_server="localhost:27017", db_name="rpa")
        storage.initialize_tos()
        storage.create_new_task_object({"invoice": 1234})
    """

    def __init__(self, **options):
        check_database_name(options.get("db_name"))
        options["mongo_client_options"] = check_dict(
            options.get("mongo_client_options") or {}, "mongo_client_options"
        )
        self.options = options
        self.client = self.connect()
        self._in_process = embedded.is_embedded(options.get("db_server") or "")
        # The claim_id of each claim this object made and has not finished:
        # finishing or rerunning checks it, so a robot whose claim was
        # released and given to another robot cannot overwrite that robot's
        # work.
        self._held_claims = {}
        self.tos = None
        self.payloads_coll = None
        self._payload_strategy = None
        atexit.register(self.disconnect)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.disconnect()

    def __repr__(self):
        server = connection.mask_server(str(self.options.get("db_server") or ""))
        return f"<TaskObjectStorage {server} db={self.options.get('db_name')!r}>"

    # Connection and set-up

    def connect(self):
        """Create the ``MongoClient`` and check that the server answers.

        :returns: the client, a ``pymongo.MongoClient`` (or its embedded
            stand-in).
        :raises tos.errors.ConnectionFailed: when the server cannot be
            reached in time; :class:`tos.errors.AuthenticationFailed` when
            it refuses the credentials.
        """
        return connection.connect(self.options)

    def disconnect(self):
        """Close the connection to the server."""
        self.client.close()

    @property
    def database(self):
        """The ``pymongo`` database named by ``db_name``."""
        return self.client[self.options["db_name"]]

    def list_collections(self):
        """Return the names of the collections in the database."""
        return self.database.list_collection_names()

    def initialize_tos(
        self,
        collection_suffix="",
        separate_payloads=False,
        payloads_ttl_seconds=0,
        collection_prefix="",
    ):
        """Select the collections and create the indexes the queries use.

        Task objects live in ``[prefix.]task_objects[.suffix]``; with
        ``separate_payloads`` their payloads live in ``[prefix.]payloads``.
        A positive ``payloads_ttl_seconds`` makes MongoDB delete a payload
        that many seconds after its last update (a TTL index named
        ``ttl_index`` on ``updatedAt``); a changed value replaces the old one.
        Safe to call again: existing indexes are kept.

        :raises tos.errors.InvalidCollectionName: if a name part has
            characters other than ``[0-9a-z_.]``.
        :raises ValueError: if ``payloads_ttl_seconds`` is given without
            ``separate_payloads``, or if a ``payloads`` collection exists but
            ``separate_payloads`` is not set.
        """
        ttl = to_ttl_seconds(payloads_ttl_seconds, "payloads_ttl_seconds")
        separate_payloads = to_bool(separate_payloads, "separate_payloads")
        check_text(collection_prefix, "collection_prefix")
        check_text(collection_suffix, "collection_suffix")
        name = ".".join(
            filter(
                None,
                [
                    collection_prefix,
                    settings.TASK_OBJECTS_COLLECTION,
                    collection_suffix,
                ],
            )
        )
        check_collection_name(name)
        payloads_name = ".".join(
            filter(None, [collection_prefix, settings.PAYLOADS_COLLECTION])
        )
        check_collection_name(payloads_name)
        if ttl and not separate_payloads:
            raise InvalidArgument(
                "Argument 'payloads_ttl_seconds' needs 'separate_payloads': the "
                "TTL applies to the separate payloads collection only."
            )
        if not separate_payloads and payloads_name in self._existing_collections():
            raise InvalidArgument(
                f"The collection '{payloads_name}' exists, so this database uses "
                "separate payloads: set 'separate_payloads', or rename that "
                "collection if it is not a payloads collection."
            )

        self.tos = self.database[name]
        self._create_task_object_indexes()
        if separate_payloads:
            self.payloads_coll = self.database[payloads_name]
            self._payload_strategy = SeparatePayloads(self.tos, self.payloads_coll)
            if ttl:
                self._ensure_ttl_index(ttl)
        else:
            self.payloads_coll = None
            self._payload_strategy = InlinePayloads(self.tos)
        logger.info(
            "Using collection %s (separate payloads: %s)", name, bool(separate_payloads)
        )

    def _existing_collections(self):
        try:
            return self.list_collections()
        except pymongo.errors.OperationFailure:
            return []

    def _create_task_object_indexes(self):
        for index in queries.TASK_OBJECT_INDEXES:
            if index.get("unique") and self._in_process:
                continue
            options = {key: value for key, value in index.items() if key != "keys"}
            self.tos.create_index(index["keys"], **options)

    def _ensure_ttl_index(self, seconds):
        current = self.payloads_coll.index_information().get(settings.TTL_INDEX_NAME)
        if current and current.get("expireAfterSeconds") == seconds:
            return
        if current:
            logger.info("Changing the payload TTL to %s seconds", seconds)
            self.payloads_coll.drop_index(settings.TTL_INDEX_NAME)
        self.payloads_coll.create_index(
            "updatedAt", name=settings.TTL_INDEX_NAME, expireAfterSeconds=seconds
        )

    @property
    def _payloads(self):
        """Where payloads live: inline or separate (see :mod:`tos.payloads`)."""
        if self._payload_strategy is None:
            raise _not_initialized()
        return self._payload_strategy

    @property
    def _collection(self):
        if self.tos is None:
            raise _not_initialized()
        return self.tos

    # Writing helpers shared by every method

    def _write(self, object_id, update, extra_filter=None):
        """Apply ``update`` to one object in one command and return the result.

        ``update`` is an update document (``updatedAt`` is added) or a
        pipeline (which must set ``updatedAt`` itself).
        """
        query = {"_id": object_id, **(extra_filter or {})}
        if isinstance(update, dict):
            update = queries.timestamped(update, utc_now())
        with refused_writes_explained(object_id, self._collection, query, update):
            document = self._collection.find_one_and_update(
                query,
                update,
                return_document=ReturnDocument.AFTER,
            )
        if document is None:
            self._raise_if_missing(object_id)
        return document

    def _raise_if_missing(self, object_id):
        if self._collection.count_documents({"_id": object_id}, limit=1) == 0:
            raise TaskObjectNotFound(f"No task object has the id '{object_id}'.")

    def _set(self, object_id, fields):
        return self._merged(self._write(object_id, {"$set": fields}))

    def _merged(self, document):
        return self._payloads.merge(document)

    def _payload_update(self, object_id, update):
        return self._payloads.update(object_id, update, utc_now())

    # Creating

    def create_new_task_object(
        self, payload, process_name="", priority=0, reference=None, finished=False
    ):
        """Create one task object with status ``new`` at stage 0 and return it.

        :param payload: dict with the work data.
        :param process_name: stored as ``process_name`` when given.
        :param priority: higher numbers are claimed first; default 0.
        :param reference: optional unique text (an invoice number, a file
            name). When an object with this reference exists, it is returned
            and nothing is created, so a producer can safely run again.
        :param finished: create it as already passed at stage 0, with the
            stage's timings recorded, so the producer needs no other write.
        :returns: the created (or existing) task object, with its payload
            merged in when payloads are separate.
        """
        created = self.create_new_task_objects(
            [payload],
            process_name=process_name,
            priority=priority,
            finished=finished,
            references=None if reference is None else [reference],
        )
        return created[0]

    def create_new_task_objects(
        self,
        payloads,
        process_name="",
        priority=0,
        batch_size=settings.DEFAULT_BATCH_SIZE,
        finished=False,
        reference_field=None,
        references=None,
    ):
        """Create many task objects, one ``insert_many`` per batch.

        :param payloads: list of payload dicts.
        :param batch_size: objects per ``insert_many``; default 500.
        :param finished: create them as already passed at stage 0.
        :param reference_field: payload key whose value is each object's
            unique reference (see :meth:`create_new_task_object`). Every
            payload must have it; whole numbers are stored as text.
        :param references: the references as a list parallel to
            ``payloads``; an alternative to ``reference_field``.
        :returns: the task objects in the order of ``payloads``; for a
            reference that already existed, the existing object.

        Every payload is checked before the first write, so a bad one
        creates nothing.
        """
        if not isinstance(payloads, (list, tuple)):
            raise InvalidArgumentType(
                f"Argument 'payloads' must be a list of dictionaries, got "
                f"{describe(payloads)}."
            )
        for payload in payloads:
            check_document(payload, "payloads" if len(payloads) > 1 else "payload")
        process_name = check_text(
            "" if process_name is None else process_name, "process_name"
        )
        finished = to_bool(finished, "finished")
        priority = to_int(priority, "priority")
        batch_size = to_int(batch_size, "batch_size")
        if batch_size < 1:
            raise InvalidArgument(
                f"Argument 'batch_size' must be 1 or more, got {batch_size}."
            )
        references = self._references(payloads, reference_field, references)

        created = []
        for start in range(0, len(payloads), batch_size):
            created.extend(
                self._create_batch(
                    payloads[start : start + batch_size],
                    references[start : start + batch_size],
                    process_name,
                    priority,
                    finished,
                )
            )
        logger.info("Created %d task objects", len(created))
        return created

    def _references(self, payloads, reference_field, references):
        if references is not None and reference_field is not None:
            raise InvalidArgument(
                "Give either 'reference_field' or 'references', not both."
            )
        if reference_field is not None:
            return [
                self._reference_from_row(payload, reference_field, position)
                for position, payload in enumerate(payloads)
            ]
        if references is None:
            return [None] * len(payloads)
        if len(references) != len(payloads):
            raise InvalidArgument(
                f"Argument 'references' has {len(references)} items but "
                f"'payloads' has {len(payloads)}."
            )
        for reference in references:
            if reference is not None and not (isinstance(reference, str) and reference):
                raise InvalidArgumentType(
                    f"Argument 'reference' must be non-empty text, got "
                    f"{describe(reference)}."
                )
        return list(references)

    @staticmethod
    def _reference_from_row(payload, reference_field, position):
        """The reference of one payload: its ``reference_field`` value as text."""
        if reference_field not in payload:
            raise InvalidArgument(
                f"Argument 'reference_field' names the key {reference_field!r}, "
                f"but payload number {position + 1} has no such key (it has "
                f"{', '.join(map(repr, payload)) or 'none'}). Nothing was created."
            )
        value = payload[reference_field]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value:
            raise InvalidArgumentType(
                f"Argument 'reference_field': payload number {position + 1} has "
                f"{describe(value)} in {reference_field!r}; a reference must be "
                "non-empty text or a whole number. Nothing was created."
            )
        return value

    def _new_document(
        self, stored_payload, process_name, priority, reference, now, finished
    ):
        document = {
            "status": Status.NEW,
            "stage": 0,
            "priority": priority,
            "payload": stored_payload,
            "analytics": {},
            "stages": {},
            "last_error": None,
            "retry_count": 0,
            "defer_until": None,
            "executor": None,
            "build_number": None,
            "job_name": None,
            "createdAt": now,
            "updatedAt": now,
        }
        if process_name:
            document["process_name"] = process_name
        if reference is not None:
            document["reference"] = reference
        if finished:
            document["status"] = Status.PASS
            document["executor"] = identity.executor()
            document["build_number"] = identity.build_number()
            document["job_name"] = identity.job_name()
            document["stages"] = {
                "0": {
                    "startedAt": now,
                    "endedAt": now,
                    "duration": 0,
                    "status": Status.PASS,
                    "executor": document["executor"],
                    "build_number": document["build_number"],
                }
            }
        return document

    def _create_batch(self, payloads, references, process_name, priority, finished):
        if not self._in_process:
            return self._insert_batch(
                payloads, references, process_name, priority, finished, set()
            )
        # The embedded backend has no unique index on references (mongomock
        # would scan the collection on every write to enforce it); a lock
        # and a look-up give the same guarantee inside the one process.
        with embedded.lock:
            taken = self._taken_references(references)
            return self._insert_batch(
                payloads, references, process_name, priority, finished, taken
            )

    def _taken_references(self, references):
        """Positions whose reference exists or repeats an earlier one."""
        wanted = [reference for reference in references if reference is not None]
        if not wanted:
            return set()
        seen = set(self._find_by_references(wanted))
        taken = set()
        for index, reference in enumerate(references):
            if reference is None:
                continue
            if reference in seen:
                taken.add(index)
            seen.add(reference)
        return taken

    def _insert_batch(
        self, payloads, references, process_name, priority, finished, taken
    ):
        now = utc_now()
        positions = [index for index in range(len(payloads)) if index not in taken]
        stored = self._payloads.store([payloads[i] for i in positions], now)
        documents = [
            self._new_document(
                value, process_name, priority, references[index], now, finished
            )
            for value, index in zip(stored, positions, strict=True)
        ]
        duplicates = set(taken)
        if documents:
            try:
                self._collection.insert_many(documents, ordered=False)
            except pymongo.errors.BulkWriteError as error:
                errors = error.details.get("writeErrors", [])
                if any(item.get("code") != _DUPLICATE_KEY for item in errors):
                    self._discard_unsaved(documents, stored)
                    raise
                failed = {item["index"] for item in errors}
                self._payloads.discard([stored[i] for i in failed])
                duplicates |= {positions[i] for i in failed}
            except Exception:
                self._discard_unsaved(documents, stored)
                raise

        existing = {}
        if duplicates:
            existing = self._find_by_references([references[i] for i in duplicates])
        created = dict(zip(positions, documents, strict=True))
        results = []
        for index, payload in enumerate(payloads):
            if index in duplicates:
                logger.info("Reference %r exists; nothing created", references[index])
                results.append(self._merged(existing[references[index]]))
            elif self._payloads.separate:
                results.append({**created[index], "payload": payload})
            else:
                results.append(created[index])
        return results

    def _discard_unsaved(self, documents, stored):
        """Remove what a failed batch left behind, so no half object remains."""
        saved = [document["_id"] for document in documents if "_id" in document]
        kept = {
            document["_id"]
            for document in self._collection.find({"_id": {"$in": saved}})
        }
        self._payloads.discard(
            [
                ref
                for ref, doc in zip(stored, documents, strict=True)
                if doc.get("_id") not in kept
            ]
        )

    def _find_by_references(self, references):
        found = self._collection.find({"reference": {"$in": list(set(references))}})
        return {document["reference"]: document for document in found}

    def find_task_object_by_reference(self, reference):
        """Return the task object with this unique reference, or ``None``."""
        if not isinstance(reference, str) or not reference:
            raise InvalidArgumentType(
                "Argument 'reference' must be non-empty text, got "
                f"{describe(reference)}."
            )
        return self._merged(self._collection.find_one({"reference": reference}))

    # Finding

    @accept_string_object_ids
    def find_task_object_by_id(self, object_id):
        """Return one task object as stored, without changing it.

        With separate payloads its ``payload`` is only the reference; use
        :meth:`find_task_object_by_id_and_merge_payload` for the payload.

        :raises tos.errors.TaskObjectNotFound: (a ``ValueError``) when no
            object has this id.
        """
        document = self._collection.find_one({"_id": object_id})
        if document is None:
            raise TaskObjectNotFound(f"No task object has the id '{object_id}'.")
        return document

    @accept_string_object_ids
    def find_task_object_by_id_and_merge_payload(self, object_id):
        """Return one task object with its separate payload merged in.

        :raises tos.errors.SeparatePayloadsRequired: (a ``TypeError``)
            without separate payloads.
        :raises ValueError: when the object or its payload does not exist.
        """
        self._require_separate_payloads()
        document = self.find_task_object_by_id(object_id)
        payload_id = (document.get("payload") or {}).get("_id")
        payload_document = self.payloads_coll.find_one({"_id": payload_id})
        if payload_document is None:
            raise PayloadNotFound(
                f"The payload '{payload_id}' of task object '{object_id}' does not "
                "exist. Has it expired through the payload TTL?"
            )
        return self._payloads.merge(document, payload_document)

    def find_all_task_objects_and_merge_them_with_payloads(self, object_ids: list):
        """Return the given task objects with their separate payloads merged in.

        Objects whose payload has expired are left out. Sorted by priority,
        highest first.
        """
        self._require_separate_payloads()
        ids = [to_object_id(object_id, "object_ids") for object_id in object_ids]
        documents = self._collection.find({"_id": {"$in": ids}}).sort(
            queries.DEFAULT_SORT
        )
        return self._payloads.merge_many(documents)

    def find_payload_document_by_payload_id(self, payload_id):
        """Return a whole payload document (id, payload, timestamps) by its id."""
        self._require_separate_payloads()
        payload_id = to_object_id(payload_id, "payload_id")
        document = self.payloads_coll.find_one({"_id": payload_id})
        if document is None:
            raise PayloadNotFound(
                f"No payload document has the id '{payload_id}'. Has it expired?"
            )
        return document

    @accept_string_object_ids
    def find_payload_document_by_to_id(self, object_id):
        """Return the whole payload document of the given task object."""
        self._require_separate_payloads()
        payload_id = (self.find_task_object_by_id(object_id).get("payload") or {}).get(
            "_id"
        )
        return self.find_payload_document_by_payload_id(payload_id)

    def _require_separate_payloads(self):
        if self.payloads_coll is None:
            raise SeparatePayloadsRequired(
                settings.ErrorMessages.SEP_PAYLOADS_NOT_INITIALIZED
            )

    def find_all_task_objects_by_status_and_stage(self, statuses=None, stages=None):
        """Return every claimable object with any of ``statuses`` at any of ``stages``.

        Either argument may be one value or a list; ``None`` leaves it out,
        but not both. Objects deferred to the future are left out. Sorted by
        priority, highest first, then oldest first. With separate payloads
        the payloads are references.
        """
        query = self._status_stage_query(statuses, stages, now=utc_now())
        return list(self._collection.find(query).sort(queries.DEFAULT_SORT))

    def find_all_task_objects_by_status(self, statuses):
        """Return every claimable object with any of ``statuses``."""
        return self.find_all_task_objects_by_status_and_stage(statuses=statuses)

    def find_all_task_objects_by_stage(self, stages):
        """Return every claimable object at any of ``stages``."""
        return self.find_all_task_objects_by_status_and_stage(stages=stages)

    def find_all_failed_task_objects(self):
        """Return every claimable object whose status is ``fail``."""
        return self.find_all_task_objects_by_status(Status.FAIL)

    def count_task_objects_by_stage_and_status(self):
        """Return ``[{"stage": n, "status": s, "count": c}, ...]`` for all objects.

        One aggregation; sorted by stage, then status.
        """
        rows = self._collection.aggregate(
            [
                {
                    "$group": {
                        "_id": {"stage": "$stage", "status": "$status"},
                        "count": {"$sum": 1},
                    }
                },
            ]
        )
        counts = [
            {
                "stage": row["_id"].get("stage"),
                "status": row["_id"].get("status"),
                "count": row["count"],
            }
            for row in rows
        ]
        return sorted(counts, key=_stage_and_status_order)

    def _statuses_and_stages(self, statuses, stages):
        if statuses is None and stages is None:
            raise InvalidArgumentType("Give 'statuses' or 'stages' or both.")
        return (
            None if statuses is None else to_statuses(statuses),
            None if stages is None else to_stages(stages),
        )

    def _status_stage_query(self, statuses, stages, now=None):
        status_list, stage_list = self._statuses_and_stages(statuses, stages)
        return queries.by_status_and_stage(status_list, stage_list, now=now)

    # Claiming

    def find_one_task_object_by_status_and_stage(
        self, statuses=None, stages=None, **kwargs
    ):
        """Claim one object with any of ``statuses`` at any of ``stages``.

        One atomic ``find_one_and_update`` sets the status to ``processing``,
        records ``claimedAt``, where the object came from (``claimed_from``)
        and who claimed it (executor, build number, job name), and returns
        the updated object; two robots never get the same one. Deferred
        objects are skipped. Returns ``None`` when nothing is waiting.

        Keyword options:

        - ``sort_condition``: a pymongo sort such as ``[("_id", 1)]``; the
          default is highest priority first, then oldest first.
        - ``amend``: an extra query condition (a dict).
        - ``start_stage``: move the object to this stage and record the
          stage's start in the same write.
        - ``reclaim_stale_after``: seconds (or a ``timedelta``); first give
          back objects of this queue that have been ``processing`` longer.
        """
        unknown = set(kwargs) - _CLAIM_OPTIONS
        if unknown:
            raise InvalidArgumentType(
                f"Unknown argument(s) {', '.join(sorted(unknown))}; accepted: "
                f"{', '.join(sorted(_CLAIM_OPTIONS))}."
            )
        sort = self._claim_sort(kwargs.get("sort_condition"))
        amend = kwargs.get("amend")
        if amend is not None:
            check_dict(amend, "amend")
        start_stage = kwargs.get("start_stage")
        if start_stage is not None:
            start_stage = to_stage(start_stage, "start_stage")
        status_list, stage_list = self._statuses_and_stages(statuses, stages)
        if kwargs.get("reclaim_stale_after") is not None:
            self._release_stale_for_claim(
                kwargs["reclaim_stale_after"], status_list, stage_list
            )

        now = utc_now()
        claim_id = ObjectId()
        query = queries.by_status_and_stage(status_list, stage_list, amend, now)
        with embedded.serialized(self._collection):
            document = self._collection.find_one_and_update(
                query,
                queries.claim_pipeline(now, claim_id, start_stage),
                sort=sort,
                projection=(
                    queries.EMBEDDED_CLAIM_PROJECTION if self._in_process else None
                ),
                return_document=ReturnDocument.AFTER,
            )
        if document is None:
            return None
        logger.info("Claimed task object %s", document["_id"])
        self._held_claims[document["_id"]] = claim_id
        if start_stage is not None and document.get("retry_count", 0) > 0:
            document = self._write(
                document["_id"],
                {"$set": queries.retry_fields(start_stage, document["retry_count"])},
            )
        elif self._in_process:
            # mongomock copies every matching document while it looks for the
            # first one. Asking it for the id only and reading that one object
            # back is a second call, but in-process and a third faster.
            document = self._collection.find_one({"_id": document["_id"]})
        return self._merged(document)

    def _claim_sort(self, sort_condition):
        if not sort_condition:
            return queries.DEFAULT_SORT
        if sort_condition == "priority":
            return [("priority", pymongo.DESCENDING)]
        return to_sort(sort_condition)

    def claim_task_object(
        self, stage, statuses=Status.PASS, reclaim_stale_after=None, sort_condition=None
    ):
        """Claim an object that finished ``stage - 1`` and start ``stage`` on it.

        One write: the object gets status ``processing`` at ``stage``, with
        the stage's start time, executor and build number recorded. A retry
        (``retry_count`` above 0) also records who runs it, in one more
        write. Returns ``None`` when nothing is waiting.
        """
        stage = to_stage(stage)
        if stage < 1:
            raise InvalidStage(
                f"Argument 'stage' must be 1 or more for a consumer, got {stage}; "
                "stage 0 is the producer's."
            )
        return self.find_one_task_object_by_status_and_stage(
            statuses,
            stage - 1,
            start_stage=stage,
            reclaim_stale_after=reclaim_stale_after,
            sort_condition=sort_condition,
        )

    def find_one_task_object_by_status(self, statuses):
        """Claim one object with any of ``statuses``, at any stage."""
        return self.find_one_task_object_by_status_and_stage(statuses=statuses)

    def find_one_task_object_by_stage(self, stages):
        """Claim one object at any of ``stages``, whatever its status."""
        return self.find_one_task_object_by_status_and_stage(stages=stages)

    # Stale claims

    def find_stale_task_objects(self, older_than, stages=None):
        """Return objects that have been ``processing`` longer than ``older_than``.

        :param older_than: seconds, or a ``timedelta``.
        :param stages: limit to objects processing at these stages.
        """
        cutoff = self._cutoff(older_than)
        query = queries.stale_claims(
            cutoff, stages=None if stages is None else to_stages(stages)
        )
        return list(self._collection.find(query).sort([("claimedAt", 1), ("_id", 1)]))

    @accept_string_object_ids
    def release_stale_task_object(
        self, object_id, older_than=0, status=None, stage=None
    ):
        """Give a stale ``processing`` object back to its queue.

        Without ``status`` the object returns to the status and stage it was
        claimed from, and the next claim of that queue takes it.

        With ``status`` the object gets that status and stays at the stage it
        was processing (or moves to ``stage`` when given): ``fail`` leaves it
        failed at that stage, while ``pass`` would let the next stage's
        consumer take it as if the stage had run. Only the object's status
        changes; the stage's record keeps what the claim wrote. With
        ``stage`` alone it gets the status it was claimed from at that stage.
        To send an object claimed by task-object-storage 1.4 (which records
        no origin) back to its queue, give both, for example
        ``status="pass", stage=0`` for an object that a stage 1 robot held.

        The release is appended to the object's ``releases`` list: when,
        which claim, which executor. The write only happens if the object is
        still in the same claim, so an object that its robot finished
        meanwhile is left alone.

        :raises ValueError: when the object is not ``processing``, its claim
            is younger than ``older_than``, or nothing says where it came from
            and no ``status`` is given.
        """
        if status is not None:
            check_status(status)
            if status == Status.PROCESSING:
                raise InvalidArgument(
                    "Argument 'status' cannot be 'processing': a released object "
                    "must become claimable again."
                )
        if stage is not None:
            stage = to_stage(stage)
        seconds = to_non_negative_seconds(older_than, "older_than")
        cutoff = utc_now() - timedelta(seconds=seconds)
        document = self.find_task_object_by_id(object_id)
        if document.get("status") != Status.PROCESSING:
            raise InvalidArgument(
                f"Task object '{object_id}' is not processing (status "
                f"{document.get('status')!r}), so there is no claim to release."
            )
        claimed_at = document.get("claimedAt") or document.get("updatedAt")
        if claimed_at is not None and as_naive_utc(claimed_at) > cutoff:
            raise InvalidArgument(
                f"Task object '{object_id}' was claimed at "
                f"{claimed_at:%Y-%m-%d %H:%M:%S} UTC, less than "
                f"{seconds:g} seconds ago."
            )
        released = self._release(document, status, stage=stage)
        if released is None:
            raise InvalidArgument(
                f"Task object '{object_id}' changed while it was being released; "
                "its robot may have finished it. Nothing was changed."
            )
        return self._merged(released)

    def release_stale_task_objects(self, older_than, stages=None):
        """Release every object that has been ``processing`` longer than ``older_than``.

        Objects without a record of where they came from are skipped and
        logged. Returns the released objects.
        """
        released = []
        for document in self.find_stale_task_objects(older_than, stages):
            result = self._release(document, None, skip_unknown=True)
            if result is not None:
                released.append(self._merged(result))
        logger.info("Released %d stale task objects", len(released))
        return released

    def _release_stale_for_claim(self, older_than, statuses, stages):
        cutoff = self._cutoff(older_than, "reclaim_stale_after")
        query = queries.stale_claims(
            cutoff, claimed_statuses=statuses, claimed_stages=stages
        )
        for document in self._collection.find(query):
            self._release(document, None, skip_unknown=True)

    def _release(self, document, status, skip_unknown=False, stage=None):
        origin = document.get("claimed_from") or {}
        new_status = status or origin.get("status")
        if new_status is None:
            if skip_unknown:
                logger.warning(
                    "Task object %s has no claim record; release it with a status",
                    document["_id"],
                )
                return None
            raise InvalidArgument(
                f"Task object '{document['_id']}' has no record of the status it "
                "was claimed from (it was claimed by an older version); give "
                "'status' to say where it goes."
            )
        now = utc_now()
        event = {
            "releasedAt": now,
            "claimedAt": document.get("claimedAt"),
            "executor": document.get("executor"),
            "stage": document.get("stage"),
            "released_by": identity.executor(),
        }
        fields = {"status": new_status, "claim_id": None, "updatedAt": now}
        if stage is not None:
            fields["stage"] = stage
        elif status is None and origin.get("stage") is not None:
            fields["stage"] = origin["stage"]
        guard = {
            "status": Status.PROCESSING,
            "claimedAt": document.get("claimedAt"),
            "updatedAt": document.get("updatedAt"),
        }
        with embedded.serialized(self._collection):
            released = self._collection.find_one_and_update(
                {"_id": document["_id"], **guard},
                {"$set": fields, "$push": {"releases": event}},
                return_document=ReturnDocument.AFTER,
            )
        if released is not None:
            logger.info(
                "Released stale task object %s to %s", document["_id"], new_status
            )
        return released

    def _cutoff(self, older_than, name="older_than"):
        seconds = to_non_negative_seconds(older_than, name)
        return utc_now() - timedelta(seconds=seconds)

    # Finishing

    @accept_string_object_ids
    def finish_task_object(
        self, object_id, stage, status, error_text=None, payload_update=None
    ):
        """Record the outcome of a claimed ``stage`` in one write and return the object.

        Sets the status and the stage's status, end time and duration; with
        ``error_text`` also ``last_error`` and the stage's exceptions; with
        ``payload_update`` (a dict) also those top-level payload keys (a
        dotted key is refused). With separate payloads the payload update is
        one more write, made after.

        The object must still be ``processing`` at ``stage``, as a claim left
        it. If it is not (it was released as stale and given back to its
        queue, or finished already), nothing is written and
        :class:`tos.errors.ClaimLost` is raised, so a late robot cannot undo
        the release or record an outcome twice.
        """
        stage = to_stage(stage)
        check_status(status)
        if status in (Status.NEW, Status.PROCESSING):
            raise InvalidStatus(
                f"Argument 'status' is {status!r}, which is not an outcome: "
                "finishing records how the stage ended, such as 'pass', 'fail', "
                "'expected_fail' or 'skip'."
            )
        fields = self._payload_fields(payload_update, "payload_update")
        guard = {"status": Status.PROCESSING, "stage": stage}
        return self._finish(object_id, stage, status, error_text, fields, guard)

    def _payload_fields(self, update, name):
        """``update``'s keys as payload fields; each replaces a top-level key."""
        if update is None:
            return {}
        check_document(update, name)
        for key in update:
            if "." in key:
                raise InvalidArgument(
                    f"Argument '{name}' has the key {key!r}: it sets whole "
                    "top-level payload keys, and a dotted key would mean "
                    "different things on different backends. Give the whole "
                    "value of the top-level key, or change a nested key with "
                    "update_payload."
                )
        return {f"payload.{key}": value for key, value in update.items()}

    def _claim_guard(self, object_id):
        """Filter that matches only while the claim this object made is live."""
        if object_id in self._held_claims:
            return {"claim_id": self._held_claims[object_id]}
        return {}

    def _claim_lost(self, object_id, guard):
        current = self.find_task_object_by_id(object_id)
        state = f"{current.get('status')!r} at stage {current.get('stage')}"
        if all(
            current.get(key) == value
            for key, value in guard.items()
            if key != "claim_id"
        ):
            return ClaimLost(
                f"Task object '{object_id}' is {state}, but under a newer claim "
                "than this robot's: its claim was released as stale and the "
                "object claimed again. Nothing was written."
            )
        expected = (
            f"processing at stage {guard['stage']}"
            if guard.get("status") == Status.PROCESSING
            else f"at stage {guard.get('stage')}"
        )
        return ClaimLost(
            f"Task object '{object_id}' is not {expected} (it is {state}), so "
            "nothing was written. It was probably released as stale and given "
            "back to its queue, or finished already."
        )

    def _finish(self, object_id, stage, status, error_text, fields, guard):
        if error_text is not None:
            error_text = str(error_text)
        now = utc_now()
        pipeline = queries.finish_pipeline(
            stage, status, now, error_text, self._payloads.pipeline_fields(fields)
        )
        guard = {**guard, **self._claim_guard(object_id)}
        document = self._write(object_id, pipeline, extra_filter=guard)
        if document is None:
            raise self._claim_lost(object_id, guard)
        self._held_claims.pop(object_id, None)
        payload_document = self._payloads.update_after_finish(document, fields, now)
        logger.info("Task object %s finished stage %s: %s", object_id, stage, status)
        return self._payloads.merge(document, payload_document)

    # Setting fields

    @accept_string_object_ids
    def set_task_object_status(self, object_id, status):
        """Set the status; it must be one of :data:`tos.statuses.VALID_STATUSES`."""
        return self._set(object_id, {"status": check_status(status)})

    @accept_string_object_ids
    def set_task_object_stage(self, object_id, stage: int):
        """Set the current stage (a whole number, 0 or more)."""
        return self._set(object_id, {"stage": to_stage(stage)})

    @accept_string_object_ids
    def set_task_object_payload(self, object_id, new_payload):
        """Replace the whole payload with ``new_payload`` (a dict)."""
        check_document(new_payload, "new_payload")
        return self._payload_update(object_id, {"$set": {"payload": new_payload}})

    @accept_string_object_ids
    def set_task_object_analytics(self, object_id, new_analytics):
        """Replace the whole ``analytics`` dict."""
        check_document(new_analytics, "new_analytics")
        return self._set(object_id, {"analytics": new_analytics})

    @accept_string_object_ids
    def set_task_object_analytics_item(self, object_id, key, value):
        """Set one key of the ``analytics`` dict."""
        check_field_name(key, "key")
        check_value(value, "value")
        return self._set(object_id, {f"analytics.{key}": value})

    @accept_string_object_ids
    def set_task_object_last_error(self, object_id, error_text):
        """Set ``last_error`` to ``error_text``."""
        return self._set(
            object_id, {"last_error": None if error_text is None else str(error_text)}
        )

    @accept_string_object_ids
    def set_task_object_priority(self, object_id, new_priority):
        """Set the priority; higher numbers are claimed first."""
        return self._set(object_id, {"priority": to_int(new_priority, "new_priority")})

    @accept_string_object_ids
    def set_task_object_executor(self, object_id):
        """Record this process's executor text as the object's executor."""
        return self._set(object_id, {"executor": identity.executor()})

    @accept_string_object_ids
    def set_task_object_build_number(self, object_id):
        """Record ``BUILD_NUMBER`` as the object's build number."""
        return self._set(object_id, {"build_number": identity.build_number()})

    @accept_string_object_ids
    def set_task_object_job_name(self, object_id):
        """Record ``JOB_NAME`` as the object's job name."""
        return self._set(object_id, {"job_name": identity.job_name()})

    @accept_string_object_ids
    def set_task_object_retry_time(self, object_id, defer_until):
        """Make the object unclaimable until ``defer_until``.

        ``defer_until`` is a datetime (naive means local time) or a delay
        from now (a ``timedelta`` or seconds).
        """
        return self._set(object_id, {"defer_until": to_defer_until(defer_until)})

    @accept_string_object_ids
    def set_task_object_to_manual_handling(self, object_id):
        """Deprecated: set the legacy ``manual`` flag. Use a status instead."""
        warnings.warn(
            "The manual flag is deprecated; use the status 'expected_fail'.",
            DeprecationWarning,
            stacklevel=3,
        )
        return self._set(object_id, {"manual": True})

    @accept_string_object_ids
    def set_task_object_for_rerun(self, object_id, defer_until=None, max_retries=None):
        """Send the object back one stage, as passed, so that stage runs again.

        The stage goes down by one, the status becomes ``pass`` and
        ``retry_count`` goes up by one; ``defer_until`` (a time or a delay)
        keeps it unclaimable until then. With ``max_retries``, an object that
        has already been retried that many times is not sent back: it gets
        the final status ``fail`` at its stage, with the reason in
        ``last_error`` and the stage's exceptions.

        :raises ValueError: at stage 0, which has no previous stage.
        """
        defer = None if defer_until is None else to_defer_until(defer_until)
        if max_retries is not None:
            max_retries = to_int(max_retries, "max_retries")
            if max_retries < 0:
                raise InvalidArgument(
                    f"Argument 'max_retries' must be 0 or more, got {max_retries}."
                )
        document = self.find_task_object_by_id(object_id)
        stage = document.get("stage", 0)
        held = self._claim_guard(object_id)
        if held and document.get("claim_id") != held["claim_id"]:
            raise self._claim_lost(object_id, {"stage": stage, **held})
        if stage <= 0:
            raise InvalidStage(
                f"Task object '{object_id}' is at stage {stage}; it cannot be set "
                "for rerun because there is no previous stage."
            )
        retries = document.get("retry_count", 0)
        if max_retries is not None and retries >= max_retries:
            reason = (
                f"Retry limit reached: retried {retries} time(s), at most "
                f"{max_retries} allowed."
            )
            logger.info("Task object %s: %s", object_id, reason)
            return self._finish(
                object_id, stage, Status.FAIL, reason, {}, {"stage": stage}
            )

        fields = {"status": Status.PASS}
        if defer is not None:
            fields["defer_until"] = defer
        guard = {"stage": stage, **self._claim_guard(object_id)}
        updated = self._write(
            object_id,
            {"$set": fields, "$inc": {"stage": -1, "retry_count": 1}},
            extra_filter=guard,
        )
        if updated is None:
            raise self._claim_lost(object_id, guard)
        self._held_claims.pop(object_id, None)
        return self._merged(updated)

    # Stage records

    @accept_string_object_ids
    def set_stage_start_time(self, object_id, stage):
        """Record now as the start time of ``stage``."""
        return self._set(object_id, {f"stages.{to_stage(stage)}.startedAt": utc_now()})

    @accept_string_object_ids
    def set_stage_end_time(self, object_id, stage):
        """Record now as the end of ``stage`` and its duration in ms, in one write."""
        stage = to_stage(stage)
        now = utc_now()
        pipeline = [
            {
                "$set": {
                    **queries.stage_end_fields(stage, now),
                    "updatedAt": queries.literal(now),
                }
            }
        ]
        return self._merged(self._write(object_id, pipeline))

    @accept_string_object_ids
    def set_stage_status(self, object_id, stage, status):
        """Set the status recorded for ``stage``."""
        return self._set(
            object_id, {f"stages.{to_stage(stage)}.status": check_status(status)}
        )

    @accept_string_object_ids
    def set_stage_build_number(self, object_id, stage):
        """Record ``BUILD_NUMBER`` for ``stage``."""
        return self._set(
            object_id,
            {f"stages.{to_stage(stage)}.build_number": identity.build_number()},
        )

    @accept_string_object_ids
    def set_stage_executor(self, object_id, stage):
        """Record this process's executor for ``stage``."""
        return self._set(
            object_id, {f"stages.{to_stage(stage)}.executor": identity.executor()}
        )

    @accept_string_object_ids
    def update_stage_object(self, object_id, current_stage):
        """Move the object to ``current_stage`` and record the stage's start.

        One write sets the stage, its start time, build number and executor.
        """
        stage = to_stage(current_stage, "current_stage")
        return self._set(
            object_id, {"stage": stage, **queries.stage_start_fields(stage, utc_now())}
        )

    @accept_string_object_ids
    def update_status(self, object_id, current_stage, status):
        """Set the object's status and the status of ``current_stage``, in one write."""
        stage = to_stage(current_stage, "current_stage")
        check_status(status)
        return self._set(
            object_id, {"status": status, f"stages.{stage}.status": status}
        )

    @accept_string_object_ids
    def update_exceptions(self, object_id, current_stage, error_text):
        """Set ``last_error`` and add the error to the stage's exceptions.

        One write.
        """
        stage = to_stage(current_stage, "current_stage")
        error_text = str(error_text)
        update = {
            "$set": {"last_error": error_text},
            "$push": {f"stages.{stage}.exceptions": error_text},
        }
        return self._merged(self._write(object_id, update))

    @accept_string_object_ids
    def update_stage_exceptions(self, object_id, error_text, stage):
        """Add ``error_text`` to the exceptions of ``stage``."""
        stage = to_stage(stage)
        return self._merged(
            self._write(
                object_id, {"$push": {f"stages.{stage}.exceptions": str(error_text)}}
            )
        )

    @accept_string_object_ids
    def update_stage_retry_count(self, object_id, stage):
        """Add one to the retry count of ``stage``."""
        stage = to_stage(stage)
        return self._merged(
            self._write(object_id, {"$inc": {f"stages.{stage}.retry_count": 1}})
        )

    # Retries

    @accept_string_object_ids
    def increment_retry_count(self, object_id):
        """Add one to the object's ``retry_count``."""
        return self._merged(self._write(object_id, {"$inc": {"retry_count": 1}}))

    def save_retry_metadata_if_retry(self, to, current_stage):
        """Record who runs this retry, if the object is being retried.

        When ``to["retry_count"]`` is above 0, one write records the executor
        and build number under ``stages.<stage>.retries.<retry_count>``.
        Returns the updated object, or ``None`` when it is not a retry.
        """
        check_dict(to, "to")
        stage = to_stage(current_stage, "current_stage")
        retries = to_int(to.get("retry_count") or 0, "to['retry_count']")
        if retries <= 0:
            return None
        object_id = to_object_id(to.get("_id"), "to['_id']")
        return self._set(object_id, queries.retry_fields(stage, retries))

    def _retry_path(self, stage, retry_count):
        stage = to_stage(stage)
        retry_count = to_int(retry_count, "retry_count")
        return f"stages.{stage}.retries.{retry_count}"

    @accept_string_object_ids
    def set_retry_start_time(self, object_id, stage, retry_count):
        """Record now as the start of retry ``retry_count`` of ``stage``."""
        return self._set(
            object_id, {f"{self._retry_path(stage, retry_count)}.startedAt": utc_now()}
        )

    @accept_string_object_ids
    def set_retry_end_time(self, object_id, stage, retry_count):
        """Record now as the end of retry ``retry_count`` of ``stage``."""
        return self._set(
            object_id, {f"{self._retry_path(stage, retry_count)}.endedAt": utc_now()}
        )

    @accept_string_object_ids
    def set_retry_executor(self, object_id, stage, retry_count):
        """Record this process's executor for retry ``retry_count`` of ``stage``."""
        return self._set(
            object_id,
            {f"{self._retry_path(stage, retry_count)}.executor": identity.executor()},
        )

    @accept_string_object_ids
    def set_retry_build_number(self, object_id, stage, retry_count):
        """Record ``BUILD_NUMBER`` for retry ``retry_count`` of ``stage``."""
        path = self._retry_path(stage, retry_count)
        return self._set(object_id, {f"{path}.build_number": identity.build_number()})

    # Stage movement

    @accept_string_object_ids
    def increment_task_object_stage(self, object_id):
        """Move the object to the next stage."""
        return self._merged(self._write(object_id, {"$inc": {"stage": 1}}))

    @accept_string_object_ids
    def decrement_task_object_stage(self, object_id):
        """Move the object to the previous stage; refused at stage 0."""
        document = self._write(
            object_id, {"$inc": {"stage": -1}}, extra_filter={"stage": {"$gte": 1}}
        )
        if document is None:
            raise InvalidStage(
                f"Task object '{object_id}' is at stage 0; its stage cannot go below 0."
            )
        return self._merged(document)

    # Payload

    @accept_string_object_ids
    def update_payload(self, object_id, update):
        """Set the top-level payload keys in ``update`` (a dict).

        Keys not in ``update`` stay; a nested dict value replaces the whole
        nested dict.
        """
        if not isinstance(update, dict):
            raise InvalidArgumentType(
                f"Argument 'update' must be a dictionary, got {describe(update)}."
            )
        check_document(update, "update")
        fields = {
            f"payload.{check_field_name(key, 'update')}": value
            for key, value in update.items()
        }
        return self._payload_update(object_id, {"$set": fields})

    @accept_string_object_ids
    def add_key_value_pair_to_payload(self, object_id, key, value):
        """Set one payload key; ``key`` may be a dotted path such as ``a.b``."""
        check_field_name(key, "key")
        check_value(value, "value")
        return self._payload_update(object_id, {"$set": {f"payload.{key}": value}})

    @accept_string_object_ids
    def remove_field_from_payload(self, object_id, key):
        """Remove one payload key; ``key`` may be a dotted path such as ``a.b``."""
        check_field_name(key, "key")
        return self._payload_update(object_id, {"$unset": {f"payload.{key}": ""}})

    @accept_string_object_ids
    def push_value_to_array_field(self, object_id, value, field_name):
        """Append ``value`` to the list at ``field_name``, creating the list if needed.

        ``field_name`` is a dotted path such as ``analytics.steps`` or
        ``payload.alerts``; with separate payloads a ``payload.`` path is
        written to the payload document.
        """
        check_field_name(field_name, "field_name")
        if field_name.split(".")[0] in queries.LIBRARY_KEPT_FIELDS:
            raise InvalidArgument(
                f"Argument 'field_name' is {field_name!r}, which the library "
                "keeps as a record of releases; it cannot be written directly."
            )
        if field_name in queries.NON_LIST_FIELDS:
            raise InvalidArgument(
                f"Argument 'field_name' is {field_name!r}, a task object field "
                "that is not a list; name a list inside it, such as "
                "'payload.alerts' or 'analytics.steps'."
            )
        check_value(value, "value")
        update = {"$push": {field_name: value}}
        if field_name.split(".")[0] == "payload":
            return self._payload_update(object_id, update)
        return self._merged(self._write(object_id, update))

    @accept_string_object_ids
    def add_binary_data_to_payload(self, object_id, filepath, data_title):
        """Store the bytes of the file at ``filepath`` in the payload.

        The bytes go to the payload key ``data_title``.
        """
        check_field_name(data_title, "data_title")
        if not isinstance(filepath, (str, os.PathLike)) or not os.path.isfile(filepath):
            raise InvalidArgument(
                "Argument 'filepath' must name an existing file, got "
                f"{filepath!r} ({type(filepath).__name__})."
            )
        with open(filepath, "rb") as file:
            data = file.read()
        check_storable(data, "filepath")
        return self.add_key_value_pair_to_payload(object_id, data_title, data)

    def save_binary_payload_to_tmp(
        self, task_object, payload_item_name, prefix="", suffix=""
    ):
        """Write binary data from a task object's payload to a temporary file.

        The data is ``task_object["payload"][payload_item_name]``.

        Returns the file's path; the caller removes the file when done.
        """
        check_dict(task_object, "task_object")
        payload = task_object.get("payload") or {}
        if payload_item_name not in payload:
            raise InvalidArgument(
                f"Argument 'payload_item_name': the payload has no key "
                f"{payload_item_name!r}; it has "
                f"{', '.join(map(repr, payload)) or 'none'}."
            )
        data = payload[payload_item_name]
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidArgumentType(
                f"Payload key {payload_item_name!r} holds {describe(data)}, "
                "not binary data."
            )
        path = get_temporary_file(prefix or "tmp_", suffix)
        with open(path, "wb") as file:
            file.write(data)
        return path

    @accept_string_object_ids
    def update_payload_document_and_timestamps(self, object_id, update: dict):
        """Apply a raw MongoDB ``update`` to the separate payload document.

        Both the payload document's and the task object's ``updatedAt`` are
        refreshed. Returns the task object as stored (payload as reference).
        For ordinary changes use :meth:`update_payload` and its siblings.
        """
        self._require_separate_payloads()
        check_dict(update, "update")
        now = utc_now()
        self._payloads.update_document(object_id, update, now)
        return self._write(object_id, {"$set": {}})

    # Raw access

    def update_task_object_and_timestamp(self, filter: dict, update: dict, sort=None):
        """Apply a raw MongoDB ``update`` to the first object matching ``filter``.

        ``updatedAt`` is refreshed. Returns the updated object, or ``None``
        when nothing matches. Prefer the named methods, which check input.
        """
        check_dict(filter, "filter")
        check_dict(update, "update")
        with embedded.serialized(self._collection):
            return self._collection.find_one_and_update(
                filter,
                queries.timestamped(update, utc_now()),
                sort=sort,
                return_document=ReturnDocument.AFTER,
            )

    # Legacy manual handling

    def find_all_task_objects_marked_as_manual_and_not_passed(self):
        """Deprecated: objects with the legacy ``manual`` flag that have not passed."""
        warnings.warn(
            _MANUAL_DEPRECATED,
            DeprecationWarning,
            stacklevel=2,
        )
        if self.payloads_coll is not None:
            raise NotSupportedWithSeparatePayloads(
                settings.ErrorMessages.OPERATION_NOT_SUPPORTED_WITH_SEP_PAYLOADS
            )
        query = {"manual": True, "status": {"$ne": Status.PASS}}
        return list(self._collection.find(query).sort(queries.DEFAULT_SORT))

    def find_one_task_object_marked_as_manual_and_not_passed(self):
        """Deprecated: the first object the manual listing returns, or ``None``."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            found = self.find_all_task_objects_marked_as_manual_and_not_passed()
        warnings.warn(
            _MANUAL_DEPRECATED,
            DeprecationWarning,
            stacklevel=2,
        )
        return found[0] if found else None


def _not_initialized():
    return NotInitialized(
        "The task object storage is not initialized: call initialize_tos "
        "(TOSLibrary does this when it is imported)."
    )


def _stage_and_status_order(row):
    """Stages in numeric order (any stage that is not a number after them)."""
    stage = row["stage"]
    numeric = isinstance(stage, (int, float)) and not isinstance(stage, bool)
    return (not numeric, stage if numeric else 0, str(stage), str(row["status"]))
