"""The filters, sorts and updates the engine sends, each written once.

Updates that need a value of the stored document (a stage's duration, the
status an object was claimed from) are update pipelines; every constant in
a pipeline is wrapped in ``$literal`` so that text starting with ``$`` is
stored as text, never read as a field path.
"""

import pymongo

from tos import identity

#: Claim and listing order: highest priority first, then oldest first.
DEFAULT_SORT = [("priority", pymongo.DESCENDING), ("_id", pymongo.ASCENDING)]

#: Task object fields that hold a single value or a document, never a list.
NON_LIST_FIELDS = frozenset(
    {
        "_id",
        "status",
        "stage",
        "priority",
        "payload",
        "analytics",
        "stages",
        "last_error",
        "retry_count",
        "defer_until",
        "executor",
        "build_number",
        "job_name",
        "createdAt",
        "updatedAt",
        "claimedAt",
        "claimed_from",
        "claim_id",
        "reference",
        "manual",
        "process_name",
    }
)

#: Task object fields only the library writes.
LIBRARY_KEPT_FIELDS = frozenset({"releases"})

#: What a claim on the embedded backend returns before the object is read back.
EMBEDDED_CLAIM_PROJECTION = {"_id": 1, "retry_count": 1}

#: Indexes that ``initialize_tos`` creates on the task object collection.
TASK_OBJECT_INDEXES = [
    {
        "keys": [
            ("status", pymongo.ASCENDING),
            ("stage", pymongo.ASCENDING),
            ("priority", pymongo.DESCENDING),
            ("_id", pymongo.ASCENDING),
        ],
        "name": "claim_order",
    },
    {
        "keys": [("status", pymongo.ASCENDING), ("claimedAt", pymongo.ASCENDING)],
        "name": "stale_claims",
    },
    {
        "keys": [("reference", pymongo.ASCENDING)],
        "name": "reference_unique",
        "unique": True,
        "partialFilterExpression": {"reference": {"$type": "string"}},
    },
]


def literal(value):
    """Wrap a constant for use inside an update pipeline."""
    return {"$literal": value}


def by_status_and_stage(statuses=None, stages=None, amend=None, now=None):
    """Filter for objects in any of ``statuses`` at any of ``stages``.

    ``None`` leaves that field unfiltered. With ``now``, objects deferred
    past that instant are left out (``defer_until`` missing, null or not
    after ``now``). ``amend`` is an extra condition. The filter is kept
    flat, with plain equality for a single value, which both emulators
    evaluate fastest.
    """
    query = {}
    if statuses is not None:
        query["status"] = _one_or_any(statuses)
    if stages is not None:
        query["stage"] = _one_or_any(stages)
    if now is not None:
        query["$or"] = [{"defer_until": None}, {"defer_until": {"$lte": now}}]
    if amend:
        return {"$and": [query, amend]}
    return query


def _one_or_any(values):
    values = list(values)
    return values[0] if len(values) == 1 else {"$in": values}


def stale_claims(older_than, stages=None, claimed_statuses=None, claimed_stages=None):
    """Filter for objects left ``processing`` since before ``older_than``.

    ``stages`` limits it to objects processing at those stages;
    ``claimed_statuses`` and ``claimed_stages`` to objects claimed from
    those statuses and stages (a consumer's own queue). Objects claimed by
    task-object-storage 1.4 have no ``claimedAt``; their last update time
    stands in for it.
    """
    query = {
        "status": "processing",
        "$or": [
            {"claimedAt": {"$lte": older_than}},
            {"claimedAt": None, "updatedAt": {"$lte": older_than}},
        ],
    }
    if stages is not None:
        query["stage"] = {"$in": list(stages)}
    if claimed_statuses is not None:
        query["claimed_from.status"] = {"$in": list(claimed_statuses)}
    if claimed_stages is not None:
        query["claimed_from.stage"] = {"$in": list(claimed_stages)}
    return query


def timestamped(update, now):
    """Return ``update`` with ``updatedAt`` set to ``now``."""
    update = dict(update)
    update["$set"] = {**update.get("$set", {}), "updatedAt": now}
    return update


def stage_start_fields(stage, now):
    """Fields recording that this process started ``stage`` at ``now``."""
    return {
        f"stages.{stage}.startedAt": now,
        f"stages.{stage}.executor": identity.executor(),
        f"stages.{stage}.build_number": identity.build_number(),
    }


def claimant_fields():
    """Fields naming the process that claims an object."""
    return {
        "executor": identity.executor(),
        "build_number": identity.build_number(),
        "job_name": identity.job_name(),
    }


def retry_fields(stage, retry_count):
    """Fields recording who runs retry number ``retry_count`` of ``stage``."""
    prefix = f"stages.{stage}.retries.{retry_count}"
    return {
        f"{prefix}.executor": identity.executor(),
        f"{prefix}.build_number": identity.build_number(),
    }


def claim_pipeline(now, claim_id, start_stage=None):
    """Pipeline that claims an object and remembers where it came from.

    ``claim_id`` identifies this claim, so that only its holder can finish
    it after a release has given the object to another robot.
    """
    fields = {
        "status": "processing",
        "claimedAt": now,
        "claim_id": claim_id,
        "updatedAt": now,
        **claimant_fields(),
    }
    if start_stage is not None:
        fields["stage"] = start_stage
        fields.update(stage_start_fields(start_stage, now))
    stage = {key: literal(value) for key, value in fields.items()}
    stage["claimed_from"] = {"status": "$status", "stage": "$stage"}
    return [{"$set": stage}]


def stage_end_fields(stage, now):
    """Pipeline fields that record the end of ``stage`` and its duration in ms.

    The duration is ``null`` when the stage has no start time.
    """
    return {
        f"stages.{stage}.endedAt": literal(now),
        f"stages.{stage}.duration": {
            "$subtract": [literal(now), f"$stages.{stage}.startedAt"]
        },
    }


def appended_exception(stage, error_text):
    """Pipeline expression: the stage's exceptions with ``error_text`` added."""
    return {
        "$concatArrays": [
            {"$ifNull": [f"$stages.{stage}.exceptions", []]},
            literal([error_text]),
        ]
    }


def finish_pipeline(stage, status, now, error_text=None, payload_fields=None):
    """Pipeline recording the outcome of ``stage`` in one write."""
    fields = {
        "status": literal(status),
        f"stages.{stage}.status": literal(status),
        "updatedAt": literal(now),
        **stage_end_fields(stage, now),
    }
    if error_text is not None:
        fields["last_error"] = literal(error_text)
        fields[f"stages.{stage}.exceptions"] = appended_exception(stage, error_text)
    for key, value in (payload_fields or {}).items():
        fields[key] = literal(value)
    return [{"$set": fields}]
