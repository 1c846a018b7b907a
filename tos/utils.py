"""Helpers shared by the engine and by code that uses it."""

import functools
import os
import tempfile

from tos.validation import to_object_id


def accept_string_object_ids(func):
    """Let a method take its object id as text as well as an ``ObjectId``.

    The decorated method's first argument after ``self`` (or the keyword
    argument ``object_id``) is converted to :class:`bson.ObjectId`. A value
    that is not a valid id raises :class:`tos.errors.InvalidObjectId`, a
    ``ValueError``, before the method runs.
    """

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        if args:
            args = (to_object_id(args[0]), *args[1:])
        elif "object_id" in kwargs:
            kwargs["object_id"] = to_object_id(kwargs["object_id"])
        return func(self, *args, **kwargs)

    return wrapper


def get_temporary_file(prefix="tmp_", suffix="", directory=None):
    """Create an empty temporary file, close it and return its path.

    The caller owns the file and removes it when done.
    """
    handle, path = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=directory)
    os.close(handle)
    return path
