"""Updates MongoDB refuses are reported clearly and change nothing."""

import pytest
from conftest import BACKEND
from storage_checks import snapshot

from tos.errors import InvalidArgument, UpdateRefused

MONGOMOCK_GAP = (
    "mongomock (the embedded backend) does not refuse this update as MongoDB "
    "does: it raises AttributeError for $push onto a non-list and silently "
    "ignores $set of a key inside a non-document"
)


@pytest.mark.parametrize("field_name", ["status", "payload", "_id", "stages"])
def test_push_to_a_field_that_is_never_a_list_is_refused(storage, field_name):
    object_id = storage.create_new_task_object({"a": 1})["_id"]
    before = snapshot(storage)

    with pytest.raises(InvalidArgument, match="'field_name'.*not a list"):
        storage.push_value_to_array_field(object_id, "x", field_name)

    assert snapshot(storage) == before


@pytest.mark.skipif(BACKEND == "embedded", reason=MONGOMOCK_GAP)
def test_push_to_a_payload_value_that_is_not_a_list_is_refused(storage):
    object_id = storage.create_new_task_object({"a": "text"})["_id"]
    before = snapshot(storage)

    with pytest.raises(UpdateRefused, match="MongoDB refused to change task object"):
        storage.push_value_to_array_field(object_id, "x", "payload.a")

    assert snapshot(storage) == before


@pytest.mark.skipif(BACKEND == "embedded", reason=MONGOMOCK_GAP)
def test_setting_a_key_inside_a_plain_value_is_refused(separate_storage):
    object_id = separate_storage.create_new_task_object({"a": 2})["_id"]
    before = snapshot(separate_storage)

    with pytest.raises(UpdateRefused, match="Nothing was written"):
        separate_storage.add_key_value_pair_to_payload(object_id, "a.b", 3)

    assert snapshot(separate_storage) == before
