"""Checks run on arguments before anything is written.

Each check either returns the value in the form the engine stores, or raises
an error from :mod:`tos.errors` whose message names the argument, what it
got and what it expects.
"""

import math
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
    if isinstance(stage, str) and _is_ascii_digits(stage.strip().removeprefix("-")):
        stage = int(stage)
    if isinstance(stage, bool) or not isinstance(stage, int):
        raise InvalidStage(
            f"Argument '{name}' must be a whole number, got {describe(stage)}."
        )
    if stage < 0:
        raise InvalidStage(f"Argument '{name}' must be 0 or more, got {stage}.")
    return check_int64(stage, name)


def _is_ascii_digits(text):
    return text.isascii() and text.isdigit()


def to_stages(stages, name="stages"):
    """Return one stage or a list of them as a list of checked stages."""
    if isinstance(stages, (list, tuple)) and stages:
        return [to_stage(stage, name) for stage in stages]
    return [to_stage(stages, name)]


def to_int(value, name):
    """Return ``value`` as an ``int``; whole-number text is accepted."""
    if isinstance(value, str):
        text = value.strip()
        if _is_ascii_digits(text.removeprefix("-")):
            return check_int64(int(text), name)
    elif isinstance(value, int) and not isinstance(value, bool):
        return check_int64(value, name)
    raise InvalidArgumentType(
        f"Argument '{name}' must be a whole number, got {describe(value)}."
    )


def check_int64(value, name):
    """Return ``value`` if MongoDB can store it as a 64-bit integer."""
    if -(2**63) <= value < 2**63:
        return value
    raise InvalidArgument(
        f"Argument '{name}' is {value}, outside the range of whole numbers "
        "MongoDB can store (64-bit)."
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


def check_value(value, name):
    """Check a value to be stored: keys at every level, BSON types, size."""
    _check_keys(value, name)
    return check_storable(value, name)


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
    ``timedelta`` or a number of seconds. A delay below zero, like a time in
    the past, leaves the object claimable at once.
    """
    try:
        if isinstance(value, datetime):
            return to_utc(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise InvalidArgument(
                    f"Argument '{name}' must be a finite number of seconds, "
                    f"got {value}."
                )
            value = timedelta(seconds=value)
        if isinstance(value, timedelta):
            return utc_now() + value
    except OverflowError:
        raise InvalidArgument(
            f"Argument '{name}' is {value!r}, too far from now to store."
        ) from None
    raise InvalidArgument(
        f"Argument '{name}' must be a datetime or a delay (timedelta or "
        f"seconds), got {describe(value)}."
    )


def to_non_negative_seconds(value, name):
    """Return ``value`` as a non-negative, finite number of seconds."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentType(
            f"Argument '{name}' must be a number of seconds, got {describe(value)}."
        )
    if not math.isfinite(value) or value < 0:
        raise InvalidArgument(
            f"Argument '{name}' must be 0 or more and finite, got {value}."
        )
    return value


def to_ttl_seconds(value, name):
    """Return a payload lifetime as whole seconds, as a TTL index needs them.

    0 means no lifetime. Anything else must be whole seconds from 1 to
    :data:`tos.settings.MAX_TTL_SECONDS`.
    """
    seconds = to_non_negative_seconds(value, name)
    if seconds == 0:
        return 0
    if seconds != int(seconds) or not 1 <= seconds <= settings.MAX_TTL_SECONDS:
        raise InvalidArgument(
            f"Argument '{name}' must be whole seconds from 1 to "
            f"{settings.MAX_TTL_SECONDS}, or 0 to set none, got {value}."
        )
    return int(seconds)


def check_collection_name(collection):
    """Return ``collection`` if it matches ``^[0-9a-z_.]+$``."""
    if (
        isinstance(collection, str)
        and re.match(settings.COLLECTION_NAME_PATTERN, collection)
        and not collection.startswith("system.")
        and all(collection.split("."))
    ):
        return collection
    raise InvalidCollectionName(
        f"Collection name {collection!r} is not valid: use only lowercase "
        "letters, digits, '_' and '.' in 'collection_prefix' and "
        "'collection_suffix', with no empty part between dots, and do not "
        "start with 'system.', which MongoDB reserves."
    )


def check_text(value, name):
    """Return ``value`` if it is text."""
    if isinstance(value, str):
        return value
    raise InvalidArgumentType(f"Argument '{name}' must be text, got {describe(value)}.")


def check_database_name(value, name="db_name"):
    """Return ``value`` if MongoDB accepts it as a database name."""
    if not isinstance(value, str) or not value:
        raise InvalidArgument(
            f"Argument '{name}' is required and must be text, got {describe(value)}."
        )
    bad = set(value) & set(settings.DATABASE_NAME_FORBIDDEN)
    if bad or not value.isprintable() or len(value.encode()) >= 64:
        raise InvalidArgument(
            f"Argument '{name}' is {value!r}: MongoDB database names must be "
            "shorter than 64 bytes and cannot contain spaces, control "
            "characters or any of "
            f'/\\."$*<>:|?'
        )
    return value


def to_bool(value, name):
    """Return ``value`` as a bool; accepts Robot Framework style text too."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEAN_TEXT:
        return _BOOLEAN_TEXT[value.strip().lower()]
    if isinstance(value, int):
        return bool(value)
    raise InvalidArgumentType(
        f"Argument '{name}' must be true or false, got {describe(value)}."
    )


_BOOLEAN_TEXT = {
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
    "": False,
    "none": False,
}


def to_sort(sort_condition, name="sort_condition"):
    """Return a sort as a list of ``(field, 1 or -1)`` pairs."""
    if not isinstance(sort_condition, (list, tuple)):
        raise InvalidArgumentType(
            "Argument 'sort_condition' must be a list of (field, direction) "
            f"pairs, got {describe(sort_condition)}."
        )
    pairs = []
    if isinstance(sort_condition, (list, tuple)) and sort_condition:
        for item in sort_condition:
            if (
                isinstance(item, (list, tuple))
                and len(item) == 2
                and isinstance(item[0], str)
                and item[0]
                and not item[0].startswith("$")
                and item[1] in (1, -1)
                and not isinstance(item[1], bool)
            ):
                pairs.append((item[0], int(item[1])))
            else:
                break
        else:
            return pairs
    raise InvalidArgument(
        f"Argument '{name}' must be a list of (field, direction) pairs with "
        f"direction 1 or -1, such as [('priority', -1), ('_id', 1)], got "
        f"{describe(sort_condition)}."
    )
