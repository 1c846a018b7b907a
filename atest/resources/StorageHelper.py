"""Keywords that look at the database directly, past TOSLibrary.

Acceptance tests use them to check what a keyword really stored, and to
start each test from an empty collection.
"""

from bson import ObjectId
from robot.libraries.BuiltIn import BuiltIn


class StorageHelper:
    """Raw access to the collections of the imported TOSLibrary instance."""

    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def _storage(self, library="TOSLibrary"):
        return BuiltIn().get_library_instance(library).tos

    def empty_task_object_storage(self, library="TOSLibrary"):
        """Delete every task object (and separate payload) of the library."""
        storage = self._storage(library)
        storage.tos.delete_many({})
        if storage.payloads_coll is not None:
            storage.payloads_coll.delete_many({})

    def get_stored_task_object(self, object_id, library="TOSLibrary"):
        """Return the task object exactly as stored, read with pymongo."""
        document = self._storage(library).tos.find_one({"_id": ObjectId(str(object_id))})
        if document is None:
            raise AssertionError(f"No task object {object_id} is stored.")
        return document

    def get_stored_payload_document(self, payload_id, library="TOSLibrary"):
        """Return a separate payload document exactly as stored, or None."""
        storage = self._storage(library)
        return storage.payloads_coll.find_one({"_id": ObjectId(str(payload_id))})

    def count_stored_task_objects(self, library="TOSLibrary", **query):
        """Count stored task objects, optionally matching simple equality fields."""
        return self._storage(library).tos.count_documents(query)

    def count_stored_payload_documents(self, library="TOSLibrary"):
        """Count documents in the separate payloads collection."""
        return self._storage(library).payloads_coll.count_documents({})

    def get_collection_names(self, library="TOSLibrary"):
        """Return the names of the collections in the test database."""
        return sorted(self._storage(library).database.list_collection_names())
