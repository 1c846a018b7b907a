"""Payloads kept in their own collection, referenced from the task object."""

import pytest
from bson import ObjectId
from storage_checks import (
    LONG_AGO,
    assert_whole_ms_utc,
    snapshot,
    utc_ceiling,
    utc_floor,
)

from tos.errors import PayloadNotFound, TaskObjectNotFound


def task_document(storage, object_id):
    return storage.tos.find_one({"_id": object_id})


def payload_document(storage, object_id):
    reference = task_document(storage, object_id)["payload"]
    return storage.payloads_coll.find_one({"_id": reference["_id"]})


def age(storage, object_id):
    """Set both updatedAt fields of an object far into the past."""
    payload_id = task_document(storage, object_id)["payload"]["_id"]
    storage.tos.update_one({"_id": object_id}, {"$set": {"updatedAt": LONG_AGO}})
    storage.payloads_coll.update_one(
        {"_id": payload_id}, {"$set": {"updatedAt": LONG_AGO}}
    )


@pytest.fixture
def task(separate_storage):
    return separate_storage.create_new_task_object({"invoice": 5, "lines": [1]})["_id"]


def test_created_object_references_its_payload_document(separate_storage):
    before = utc_floor()
    created = separate_storage.create_new_task_object({"invoice": 5})
    after = utc_ceiling()

    stored = task_document(separate_storage, created["_id"])
    assert set(stored["payload"]) == {"_id"}
    assert isinstance(stored["payload"]["_id"], ObjectId)
    payload = separate_storage.payloads_coll.find_one({"_id": stored["payload"]["_id"]})
    assert set(payload) == {"_id", "payload", "createdAt", "updatedAt"}
    assert payload["payload"] == {"invoice": 5}
    assert before <= payload["createdAt"] == payload["updatedAt"] <= after
    assert payload["createdAt"] == stored["createdAt"]
    assert_whole_ms_utc(payload)
    assert created == {**stored, "payload": {"invoice": 5}}


def test_find_by_id_returns_the_bare_object(separate_storage, task):
    found = separate_storage.find_task_object_by_id(task)

    assert found == task_document(separate_storage, task)
    assert set(found["payload"]) == {"_id"}


def test_find_by_id_and_merge_payload(separate_storage, task):
    merged = separate_storage.find_task_object_by_id_and_merge_payload(task)

    assert merged == {
        **task_document(separate_storage, task),
        "payload": {"invoice": 5, "lines": [1]},
    }


def test_merging_an_expired_payload_raises_value_error(separate_storage, task):
    separate_storage.payloads_coll.delete_many({})

    with pytest.raises(PayloadNotFound) as error:
        separate_storage.find_task_object_by_id_and_merge_payload(task)

    assert isinstance(error.value, ValueError)


def test_find_all_and_merge_leaves_out_expired_payloads(separate_storage):
    kept = separate_storage.create_new_task_object({"n": 1}, priority=1)["_id"]
    first = separate_storage.create_new_task_object({"n": 2}, priority=5)["_id"]
    expired = separate_storage.create_new_task_object({"n": 3})["_id"]
    separate_storage.payloads_coll.delete_one(
        {"_id": task_document(separate_storage, expired)["payload"]["_id"]}
    )

    merged = list(
        separate_storage.find_all_task_objects_and_merge_them_with_payloads(
            [str(kept), first, expired]
        )
    )

    assert [item["_id"] for item in merged] == [first, kept]
    assert [item["payload"] for item in merged] == [{"n": 2}, {"n": 1}]


def test_find_payload_documents(separate_storage, task):
    expected = payload_document(separate_storage, task)

    by_payload_id = separate_storage.find_payload_document_by_payload_id(
        str(expected["_id"])
    )
    by_task_id = separate_storage.find_payload_document_by_to_id(task)

    assert by_payload_id == expected
    assert by_task_id == expected


def test_unknown_payload_id_raises_value_error(separate_storage):
    with pytest.raises(PayloadNotFound) as error:
        separate_storage.find_payload_document_by_payload_id(ObjectId())

    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda s, i: s.update_payload(i, {"invoice": 6}),
            {"invoice": 6, "lines": [1]},
        ),
        (
            lambda s, i: s.set_task_object_payload(i, {"other": 1}),
            {"other": 1},
        ),
        (
            lambda s, i: s.add_key_value_pair_to_payload(i, "meta.source", "mail"),
            {"invoice": 5, "lines": [1], "meta": {"source": "mail"}},
        ),
        (
            lambda s, i: s.remove_field_from_payload(i, "lines"),
            {"invoice": 5},
        ),
        (
            lambda s, i: s.push_value_to_array_field(i, 2, "payload.lines"),
            {"invoice": 5, "lines": [1, 2]},
        ),
        (
            lambda s, i: (
                s.set_task_object_status(i, "processing"),
                s.finish_task_object(i, 0, "pass", payload_update={"invoice": 7}),
            )[1],
            {"invoice": 7, "lines": [1]},
        ),
    ],
    ids=[
        "update_payload",
        "set_task_object_payload",
        "add_key_value_pair_to_payload",
        "remove_field_from_payload",
        "push_value_to_array_field",
        "finish_task_object",
    ],
)
def test_payload_changes_go_to_the_payload_document(
    separate_storage, task, change, expected
):
    reference = task_document(separate_storage, task)["payload"]
    age(separate_storage, task)

    before = utc_floor()
    returned = change(separate_storage, task)
    after = utc_ceiling()

    stored = task_document(separate_storage, task)
    payload = payload_document(separate_storage, task)
    assert stored["payload"] == reference
    assert payload["payload"] == expected
    assert before <= payload["updatedAt"] <= after
    assert before <= stored["updatedAt"] <= after
    assert returned == {**stored, "payload": expected}
    assert separate_storage.payloads_coll.count_documents({}) == 1


def test_push_to_a_non_payload_field_stays_in_the_task_object(separate_storage, task):
    separate_storage.push_value_to_array_field(task, "step", "analytics.steps")

    assert task_document(separate_storage, task)["analytics"] == {"steps": ["step"]}
    assert "analytics" not in payload_document(separate_storage, task)


def test_update_payload_document_and_timestamps(separate_storage, task):
    age(separate_storage, task)

    before = utc_floor()
    returned = separate_storage.update_payload_document_and_timestamps(
        task, {"$set": {"payload": {"this_is": "example"}}, "$inc": {"edits": 1}}
    )
    after = utc_ceiling()

    stored = task_document(separate_storage, task)
    payload = payload_document(separate_storage, task)
    assert returned == stored
    assert set(stored["payload"]) == {"_id"}
    assert payload["payload"] == {"this_is": "example"}
    assert payload["edits"] == 1
    assert before <= payload["updatedAt"] <= after
    assert before <= stored["updatedAt"] <= after


def test_claim_returns_the_object_with_its_payload(separate_storage, task):
    claimed = separate_storage.find_one_task_object_by_status_and_stage("new", 0)

    stored = task_document(separate_storage, task)
    assert stored["status"] == "processing"
    assert claimed == {**stored, "payload": {"invoice": 5, "lines": [1]}}


def test_listing_returns_bare_objects(separate_storage, task):
    listed = separate_storage.find_all_task_objects_by_status_and_stage("new", 0)

    assert listed == [task_document(separate_storage, task)]


def test_state_changes_do_not_touch_the_payload_document(separate_storage, task):
    before = payload_document(separate_storage, task)

    returned = separate_storage.set_task_object_status(task, "fail")

    assert payload_document(separate_storage, task) == before
    assert returned["payload"] == {"invoice": 5, "lines": [1]}


def test_change_of_an_expired_payload_raises_and_writes_nothing(separate_storage, task):
    separate_storage.payloads_coll.delete_many({})
    before = snapshot(separate_storage)

    with pytest.raises(PayloadNotFound) as error:
        separate_storage.update_payload(task, {"a": 1})

    assert isinstance(error.value, ValueError)
    assert snapshot(separate_storage) == before


def test_payload_change_of_an_unknown_object_writes_nothing(separate_storage, task):
    before = snapshot(separate_storage)

    with pytest.raises(TaskObjectNotFound):
        separate_storage.update_payload(ObjectId(), {"a": 1})

    assert snapshot(separate_storage) == before


def test_update_payload_document_needs_a_dict(separate_storage, task):
    before = snapshot(separate_storage)

    with pytest.raises(TypeError, match="'update'"):
        separate_storage.update_payload_document_and_timestamps(task, "$set")

    assert snapshot(separate_storage) == before


def test_manual_listing_is_refused_with_separate_payloads(separate_storage, task):
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError):
        separate_storage.find_all_task_objects_marked_as_manual_and_not_passed()


def test_ttl_index_on_the_payloads_collection(make_storage):
    storage = make_storage(separate_payloads=True, payloads_ttl_seconds=3600)

    index = storage.payloads_coll.index_information()["ttl_index"]

    assert index["key"] == [("updatedAt", 1)]
    assert index["expireAfterSeconds"] == 3600


def test_objects_with_payload_documents_stay_in_step(separate_storage):
    created = separate_storage.create_new_task_objects(
        [{"n": n} for n in range(4)], batch_size=3
    )

    references = {
        task_document(separate_storage, item["_id"])["payload"]["_id"]
        for item in created
    }
    payload_ids = {
        document["_id"] for document in separate_storage.payloads_coll.find()
    }
    assert references == payload_ids
    assert len(payload_ids) == 4


def test_finish_when_the_payload_has_expired_says_what_was_recorded(
    separate_storage, task
):
    separate_storage.set_task_object_stage(task, 0)
    separate_storage.set_task_object_status(task, "pass")
    separate_storage.claim_task_object(1)
    separate_storage.payloads_coll.delete_many({})

    with pytest.raises(PayloadNotFound, match="was finished with status 'pass'"):
        separate_storage.finish_task_object(task, 1, "pass", payload_update={"x": 1})

    document = task_document(separate_storage, task)
    assert (document["status"], document["stage"]) == ("pass", 1)
    assert document["stages"]["1"]["status"] == "pass"
