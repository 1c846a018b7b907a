"""Raw database steps that the scenario suites need and no keyword offers.

They stand in for what happens outside the library: a robot that crashed
hours ago, a payload that MongoDB's TTL monitor removed. Every step goes
straight to the collections of an imported TOSLibrary, named by its alias.
"""

from datetime import datetime, timedelta, timezone

from bson import ObjectId
from robot.libraries.BuiltIn import BuiltIn
from robot.utils import timestr_to_secs


class ScenarioHelper:
    """Steps on the raw collections of one TOSLibrary import."""

    ROBOT_LIBRARY_SCOPE = "GLOBAL"

    def _storage(self, library):
        return BuiltIn().get_library_instance(library).tos

    def backdate_claim(self, object_id, age, library="TOSLibrary"):
        """Make a ``processing`` object look as if it was claimed ``age`` ago.

        ``age`` is a Robot Framework time such as ``2 hours``. Both
        ``claimedAt`` and ``updatedAt`` move back, as if the claiming robot
        stopped right after the claim.
        """
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)
        claimed_at = now - timedelta(seconds=timestr_to_secs(age))
        result = self._storage(library).tos.update_one(
            {"_id": ObjectId(str(object_id)), "status": "processing"},
            {"$set": {"claimedAt": claimed_at, "updatedAt": claimed_at}},
        )
        if result.matched_count != 1:
            raise AssertionError(f"Task object {object_id} is not processing.")
        return claimed_at

    def remove_stored_payload_document(self, payload_id, library="TOSLibrary"):
        """Delete a separate payload document, as the payload TTL would."""
        result = self._storage(library).payloads_coll.delete_one(
            {"_id": ObjectId(str(payload_id))}
        )
        if result.deleted_count != 1:
            raise AssertionError(f"No payload document {payload_id} to remove.")

    def get_payload_index_information(self, library="TOSLibrary"):
        """Return the indexes of the separate payloads collection by name."""
        return self._storage(library).payloads_coll.index_information()

    def get_collection_name_of_task_objects(self, library="TOSLibrary"):
        """Return the name of the collection the library keeps task objects in."""
        return self._storage(library).tos.name

    def get_collection_name_of_payloads(self, library="TOSLibrary"):
        """Return the name of the separate payloads collection, or None."""
        payloads = self._storage(library).payloads_coll
        return None if payloads is None else payloads.name

    def get_stored_snapshot(self, library="TOSLibrary"):
        """Return every stored task object and payload document, in id order.

        Two snapshots are equal only if nothing was written in between.
        """
        storage = self._storage(library)
        snapshot = {"task_objects": list(storage.tos.find().sort("_id", 1))}
        if storage.payloads_coll is not None:
            payloads = storage.payloads_coll.find().sort("_id", 1)
            snapshot["payloads"] = list(payloads)
        return snapshot

    def milliseconds_between(self, start, end):
        """Whole milliseconds from datetime ``start`` to datetime ``end``."""
        return int((end - start) / timedelta(milliseconds=1))
