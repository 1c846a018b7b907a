"""Where payloads live: inside the task object, or in a collection of their own.

The engine talks to one of these two strategies and never asks which one it
has. With separate payloads the task object's ``payload`` holds only
``{"_id": <payload id>}``; the payload document is
``{_id, payload, createdAt, updatedAt}``, and a TTL index on ``updatedAt`` can
expire it.
"""

import logging
from contextlib import contextmanager

import pymongo.errors
from pymongo import ReturnDocument

from tos import embedded
from tos.errors import PayloadNotFound, TaskObjectNotFound, UpdateRefused
from tos.queries import timestamped

logger = logging.getLogger("tos")


@contextmanager
def refused_writes_explained(object_id, collection=None, query=None, update=None):
    """Turn MongoDB's refusal of an update into :class:`UpdateRefused`.

    MongoDB refuses, for example, to push to a field that is not a list or
    to set a key inside a value that is not a document; it then writes
    nothing. Given the ``collection``, ``query`` and ``update`` of the write,
    the embedded backend refuses the same updates before writing, and holds
    its lock from that check to the end of the write.
    """
    with embedded.serialized(collection):
        reason = embedded.refusal(collection, query, update)
        if reason:
            raise UpdateRefused(
                f"The embedded backend refused to change task object '{object_id}': "
                f"{reason}. Nothing was written."
            )
        try:
            yield
        except pymongo.errors.OperationFailure as error:
            raise UpdateRefused(
                f"MongoDB refused to change task object '{object_id}': "
                f"{refusal_reason(error)}. Nothing was written."
            ) from None


def refusal_reason(error):
    """The server's own words for why it refused a write."""
    return (error.details or {}).get("errmsg") or str(error)


class InlinePayloads:
    """Payloads stored inside the task objects."""

    separate = False

    def __init__(self, task_objects):
        self.task_objects = task_objects

    def store(self, payloads, now):
        """Return what the task objects' ``payload`` fields hold."""
        return list(payloads)

    def discard(self, stored):
        """Undo :meth:`store`; nothing was written, so nothing to undo."""

    def update(self, object_id, update, now):
        """Apply ``update`` (on ``payload.*`` paths) and return the object."""
        query = {"_id": object_id}
        with refused_writes_explained(object_id, self.task_objects, query, update):
            document = self.task_objects.find_one_and_update(
                query,
                timestamped(update, now),
                return_document=ReturnDocument.AFTER,
            )
        if document is None:
            raise TaskObjectNotFound(f"No task object has the id '{object_id}'.")
        return document

    def pipeline_fields(self, fields):
        """Payload fields that can be written together with the task object."""
        return fields

    def update_after_finish(self, document, fields, now):
        """Nothing to do: the finish write carried the payload fields."""
        return None

    def merge(self, document, payload_document=None):
        """Return the object as stored: its payload is already inside."""
        return document

    def merge_many(self, documents):
        return list(documents)


class SeparatePayloads:
    """Payloads stored in their own collection, referenced by id."""

    separate = True

    def __init__(self, task_objects, payloads):
        self.task_objects = task_objects
        self.payloads = payloads

    def store(self, payloads, now):
        documents = [
            {"payload": payload, "createdAt": now, "updatedAt": now}
            for payload in payloads
        ]
        if not documents:
            return []
        result = self.payloads.insert_many(documents, ordered=True)
        return [{"_id": payload_id} for payload_id in result.inserted_ids]

    def discard(self, stored):
        """Remove payload documents whose task objects were not created."""
        ids = [reference["_id"] for reference in stored]
        if ids:
            self.payloads.delete_many({"_id": {"$in": ids}})

    def payload_id(self, object_id):
        document = self.task_objects.find_one({"_id": object_id}, {"payload": 1})
        if document is None:
            raise TaskObjectNotFound(f"No task object has the id '{object_id}'.")
        return document.get("payload", {}).get("_id")

    def update_document(self, object_id, update, now):
        """Apply ``update`` to the payload document and return it."""
        payload_id = self.payload_id(object_id)
        query = {"_id": payload_id}
        with refused_writes_explained(object_id, self.payloads, query, update):
            document = self.payloads.find_one_and_update(
                query,
                timestamped(update, now),
                return_document=ReturnDocument.AFTER,
            )
        if document is None:
            raise PayloadNotFound(
                f"The payload '{payload_id}' of task object '{object_id}' does "
                "not exist. Has it expired through the payload TTL?"
            )
        return document

    def update(self, object_id, update, now):
        payload_document = self.update_document(object_id, update, now)
        document = self.task_objects.find_one_and_update(
            {"_id": object_id},
            {"$set": {"updatedAt": now}},
            return_document=ReturnDocument.AFTER,
        )
        if document is None:
            raise TaskObjectNotFound(f"No task object has the id '{object_id}'.")
        return self.merge(document, payload_document)

    def pipeline_fields(self, fields):
        """Payload fields go to the payload collection, not the task object."""
        return {}

    def update_after_finish(self, document, fields, now):
        """Write the payload fields of a finish to the payload document.

        The finish itself is already recorded; if the payload document has
        gone (expired through the payload TTL), the error says so.
        """
        if not fields:
            return None
        payload_id = (document.get("payload") or {}).get("_id")
        finished = (
            f"Task object '{document['_id']}' was finished with status "
            f"{document.get('status')!r} at stage {document.get('stage')}, but"
        )
        try:
            payload_document = self.payloads.find_one_and_update(
                {"_id": payload_id},
                timestamped({"$set": fields}, now),
                return_document=ReturnDocument.AFTER,
            )
        except pymongo.errors.OperationFailure as error:
            raise UpdateRefused(
                f"{finished} MongoDB refused its 'payload_update': "
                f"{refusal_reason(error)}. The payload was not changed."
            ) from None
        if payload_document is None:
            raise PayloadNotFound(
                f"{finished} its payload '{payload_id}' does not exist (has it "
                "expired through the payload TTL?), so 'payload_update' was not "
                "stored."
            )
        return payload_document

    def merge(self, document, payload_document=None):
        """Return ``document`` with its payload in place of the reference.

        When the payload document is gone (expired) the reference is left in
        place and a warning is logged.
        """
        if document is None:
            return None
        reference = document.get("payload") or {}
        if payload_document is None:
            payload_document = self.payloads.find_one({"_id": reference.get("_id")})
        if payload_document is None:
            logger.warning(
                "Payload %s of task object %s is missing; returning the reference",
                reference.get("_id"),
                document.get("_id"),
            )
            return document
        return {**document, "payload": payload_document.get("payload")}

    def merge_many(self, documents):
        """Merge a list of objects with their payloads in one extra query.

        Objects whose payload has expired are left out.
        """
        documents = list(documents)
        ids = [(d.get("payload") or {}).get("_id") for d in documents]
        found = {
            payload["_id"]: payload
            for payload in self.payloads.find({"_id": {"$in": ids}})
        }
        return [
            {**document, "payload": found[payload_id]["payload"]}
            for document, payload_id in zip(documents, ids, strict=True)
            if payload_id in found
        ]
