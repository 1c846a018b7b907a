"""Checks run on arguments before anything is written.

Each check either returns the value in the form the engine stores, or raises
an error from :mod:`tos.errors` whose message names the argument, what it
got and what it expects.
"""

import re
from datetime import datetime, timedelta

import bson
from bson.errors import InvalidDocument
from bson.objectid import ObjectId

from tos import settings
from tos.errors import (
    InvalidArgument,
    InvalidArgumentType,
    InvalidCollectionName,
    InvalidObjectId,
    InvalidStage,
    InvalidStatus,
)
from tos.statuses import VALID_STATUSES
from tos.timeutil import to_utc, utc_now


def describe(value):
    """Short, safe description of a value for an error message."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def to_object_id(value, name="object_id"):
    """Return ``value`` as an ``ObjectId``, accepting its 24-digit hex text."""
    if isinstance(value, ObjectId):
        return value
    if isinstance(value, str) and ObjectId.is_valid(value):
        return ObjectId(value)
    raise InvalidObjectId(
        f"Argument '{name}' must be an ObjectId or its 24-character hex text, "
        f"got {describe(value)}."
    )


def check_status(status, name="status"):
    """Return ``status`` if it is one of :data:`tos.statuses.VALID_STATUSES`."""
    if status in VALID_STATUSES:
        return status
    raise InvalidStatus(
        f"Argument '{name}' must be one of {', '.join(VALID_STATUSES)}, "
        f"got {describe(status)}."
    )


def to_statuses(statuses, name="statuses"):
    """Return one status or a list of them as a list of checked statuses."""
    if isinstance(statuses, str):
        return [check_status(statuses, name)]
    if isinstance(statuses, (list, tuple)) and statuses:
        return [check_status(status, name) for status in statuses]
    raise InvalidArgumentType(
        f"Argument '{name}' must be a status or a non-empty list of statuses, "
        f"got {describe(statuses)}."
    )


def to_stage(stage, name="stage"):
    """Return ``stage`` as a non-negative ``int``; digit text is accepted."""
    if isinstance(stage, str) and stage.strip().isdigit():
        stage = int(stage)
    if isinstance(stage, bool) or not isinstance(stage, int):
        raise InvalidStage(
            f"Argument '{name}' must be a whole number, got {describe(stage)}."
        )
    if stage < 0:
        raise InvalidStage(f"Argument '{name}' must be 0 or more, got {stage}.")
    return stage


def to_stages(stages, name="stages"):
    """Return one stage or a list of them as a list of checked stages."""
    if isinstance(stages, (list, tuple)) and stages:
        return [to_stage(stage, name) for stage in stages]
    return [to_stage(stages, name)]


def to_int(value, name):
    """Return ``value`` as an ``int``; digit text is accepted."""
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    elif isinstance(value, int) and not isinstance(value, bool):
        return value
    raise InvalidArgumentType(
        f"Argument '{name}' must be a whole number, got {describe(value)}."
    )


def check_dict(value, name):
    """Return ``value`` if it is a dict."""
    if isinstance(value, dict):
        return value
    raise InvalidArgumentType(
        f"Argument '{name}' must be a dictionary, got {describe(value)}."
    )


def check_field_name(key, name):
    """Return ``key`` if MongoDB accepts it as (a dotted path to) a field."""
    if not isinstance(key, str):
        raise InvalidArgumentType(
            f"Argument '{name}' must use text keys, got {describe(key)}."
        )
    for part in key.split("."):
        if not part:
            raise InvalidArgument(
                f"Argument '{name}' has an empty field name in {key!r}; "
                "MongoDB rejects empty names and empty parts of dotted names."
            )
        if part.startswith("$"):
            raise InvalidArgument(
                f"Argument '{name}' has the field name {key!r}, which starts "
                "with '$'; MongoDB reserves such names for operators."
            )
    return key


def check_document(document, name):
    """Check that ``document`` (a dict) can be stored in MongoDB.

    Keys are checked at every level; values must be BSON types; the whole
    document must fit in MongoDB's 16 MB limit.
    """
    check_dict(document, name)
    _check_keys(document, name)
    check_storable(document, name)
    return document


def _check_keys(value, name):
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidArgumentType(
                    f"Argument '{name}' must use text keys, got {describe(key)}."
                )
            if not key or key.startswith("$"):
                raise InvalidArgument(
                    f"Argument '{name}' has the field name {key!r}; MongoDB "
                    "rejects empty names and names starting with '$'."
                )
            _check_keys(item, name)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_keys(item, name)


def check_storable(value, name):
    """Check that ``value`` can be encoded as BSON and fits in a document."""
    try:
        size = len(bson.encode({"value": value}))
    except (InvalidDocument, TypeError, OverflowError) as error:
        raise InvalidArgumentType(
            f"Argument '{name}' contains a value MongoDB cannot store: {error}. "
            "Use text, numbers, booleans, dates, lists, dictionaries or bytes."
        ) from None
    if size > settings.MAX_DOCUMENT_BYTES:
        raise InvalidArgument(
            f"Argument '{name}' is {size} bytes when encoded, more than "
            f"MongoDB's limit of {settings.MAX_DOCUMENT_BYTES} bytes for a "
            "document. Store large files outside the task object."
        )
    return value


def to_defer_until(value, name="defer_until"):
    """Return the instant before which an object is not claimable.

    ``value`` is a datetime (naive means local time) or a delay from now as a
    ``timedelta`` or a number of seconds.
    """
    if isinstance(value, datetime):
        return to_utc(value)
    if isinstance(value, timedelta):
        return utc_now() + value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return utc_now() + timedelta(seconds=value)
    raise InvalidArgument(
        f"Argument '{name}' must be a datetime or a delay (timedelta or "
        f"seconds), got {describe(value)}."
    )


def to_non_negative_seconds(value, name):
    """Return ``value`` as a non-negative number of seconds."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentType(
            f"Argument '{name}' must be a number of seconds, got {describe(value)}."
        )
    if value < 0:
        raise InvalidArgument(f"Argument '{name}' must be 0 or more, got {value}.")
    return value


def check_collection_name(collection):
    """Return ``collection`` if it matches ``^[0-9a-z_.]+$``."""
    if (
        isinstance(collection, str)
        and re.match(settings.COLLECTION_NAME_PATTERN, collection)
        and not collection.startswith("system.")
    ):
        return collection
    raise InvalidCollectionName(
        f"Collection name {collection!r} is not valid: use only lowercase "
        "letters, digits, '_' and '.' in 'collection_prefix' and "
        "'collection_suffix', and do not start with 'system.', which MongoDB "
        "reserves."
    )
