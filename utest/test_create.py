"""Creating task objects, one at a time and in bulk."""

import math

import pytest
from bson import ObjectId
from storage_checks import (
    assert_whole_ms_utc,
    snapshot,
    stored,
    utc_ceiling,
    utc_floor,
)

from tos.errors import InvalidArgument, InvalidArgumentType

SCHEMA_FIELDS = {
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
}


def test_new_object_has_every_schema_field_with_its_type(storage):
    before = utc_floor()
    created = storage.create_new_task_object({"customer_number": 583459089})
    after = utc_ceiling()

    stored = storage.tos.find_one({"_id": created["_id"]})

    assert set(stored) == SCHEMA_FIELDS
    assert isinstance(stored["_id"], ObjectId)
    assert stored["status"] == "new"
    assert type(stored["stage"]) is int and stored["stage"] == 0
    assert type(stored["priority"]) is int and stored["priority"] == 0
    assert stored["payload"] == {"customer_number": 583459089}
    assert stored["analytics"] == {}
    assert stored["stages"] == {}
    assert stored["last_error"] is None
    assert type(stored["retry_count"]) is int and stored["retry_count"] == 0
    assert stored["defer_until"] is None
    assert stored["executor"] is None
    assert stored["build_number"] is None
    assert stored["job_name"] is None
    assert before <= stored["createdAt"] <= after
    assert stored["updatedAt"] == stored["createdAt"]
    assert_whole_ms_utc(stored)


def test_create_returns_the_stored_object(storage):
    created = storage.create_new_task_object({"a": 1}, priority=3)

    assert created == storage.tos.find_one({"_id": created["_id"]})


def test_process_name_and_priority_are_stored(storage):
    created = storage.create_new_task_object(
        {"a": 1}, process_name="invoices", priority=7
    )

    stored = storage.tos.find_one({"_id": created["_id"]})

    assert stored["process_name"] == "invoices"
    assert stored["priority"] == 7


def test_priority_given_as_digit_text_is_stored_as_int(storage):
    created = storage.create_new_task_object({}, priority="4")

    stored = storage.tos.find_one({"_id": created["_id"]})

    assert type(stored["priority"]) is int and stored["priority"] == 4


def test_empty_process_name_is_not_stored(storage):
    created = storage.create_new_task_object({"a": 1})

    assert "process_name" not in storage.tos.find_one({"_id": created["_id"]})


def test_nested_payload_is_stored_unchanged(storage):
    payload = {"customer": {"name": "Ann", "tags": ["a", "b"]}, "total": 12.5}

    created = storage.create_new_task_object(payload)

    assert storage.tos.find_one({"_id": created["_id"]})["payload"] == payload


def test_finished_object_is_passed_at_stage_zero_with_timings(storage, monkeypatch):
    monkeypatch.setenv("NODE_NAME", "producer-node")
    monkeypatch.setenv("EXECUTOR_NUMBER", "2")
    monkeypatch.setenv("BUILD_NUMBER", "17")
    monkeypatch.setenv("JOB_NAME", "produce")

    created = storage.create_new_task_object({"a": 1}, finished=True)

    stored = storage.tos.find_one({"_id": created["_id"]})
    assert stored["status"] == "pass"
    assert stored["stage"] == 0
    assert stored["executor"] == "Executor 2 on node producer-node"
    assert stored["build_number"] == "17"
    assert stored["job_name"] == "produce"
    stage = stored["stages"]["0"]
    assert stage["status"] == "pass"
    assert stage["startedAt"] == stage["endedAt"] == stored["createdAt"]
    assert stage["duration"] == 0
    assert stage["executor"] == "Executor 2 on node producer-node"
    assert stage["build_number"] == "17"
    assert_whole_ms_utc(stored)


def test_bulk_creation_stores_every_object_in_order(storage):
    payloads = [{"row": number} for number in range(7)]

    created = storage.create_new_task_objects(payloads, process_name="bulk", priority=2)

    assert [item["payload"] for item in created] == payloads
    for item in created:
        stored = storage.tos.find_one({"_id": item["_id"]})
        assert stored == item
        assert set(stored) == SCHEMA_FIELDS | {"process_name"}
        assert stored["status"] == "new"
        assert stored["priority"] == 2
        assert stored["process_name"] == "bulk"
    assert storage.tos.count_documents({}) == 7


@pytest.mark.parametrize("count, batch_size", [(7, 3), (6, 3), (1, 500), (12, 5)])
def test_bulk_creation_sends_one_insert_per_batch(
    counted_storage, command_log, count, batch_size
):
    payloads = [{"row": number} for number in range(count)]

    created = counted_storage.create_new_task_objects(payloads, batch_size=batch_size)
    sent = command_log.take()

    stored = list(counted_storage.tos.find().sort("payload.row", 1))
    assert [document["payload"] for document in stored] == payloads
    assert {document["_id"] for document in stored} == {i["_id"] for i in created}
    if command_log.available:
        batches = math.ceil(count / batch_size)
        assert sent == [("insert", counted_storage.tos.name)] * batches


def test_bulk_creation_of_finished_objects(storage):
    created = storage.create_new_task_objects([{"a": 1}, {"a": 2}], finished=True)

    for item in created:
        stored = storage.tos.find_one({"_id": item["_id"]})
        assert stored["status"] == "pass"
        assert stored["stages"]["0"]["status"] == "pass"


def test_empty_bulk_creation_writes_nothing(storage):
    before = snapshot(storage)

    assert storage.create_new_task_objects([]) == []

    assert snapshot(storage) == before


@pytest.mark.parametrize(
    "payloads, error",
    [
        ([{"ok": 1}, "not a dict", {"ok": 2}], InvalidArgumentType),
        ([{"ok": 1}, {"$bad": 1}], InvalidArgument),
        ([{"ok": 1}, {"bad": {1, 2}}], InvalidArgumentType),
    ],
    ids=["non-dict", "dollar-key", "unstorable"],
)
def test_one_bad_payload_in_a_bulk_creates_nothing(storage, payloads, error):
    storage.create_new_task_object({"existing": True})
    before = snapshot(storage)

    with pytest.raises(error, match="'payloads'"):
        storage.create_new_task_objects(payloads, batch_size=1)

    assert snapshot(storage) == before


def test_bulk_payloads_must_be_a_list(storage):
    before = snapshot(storage)

    with pytest.raises(TypeError, match="'payloads'"):
        storage.create_new_task_objects({"a": 1})

    assert snapshot(storage) == before


@pytest.mark.parametrize("batch_size", [0, -1])
def test_batch_size_below_one_is_refused(storage, batch_size):
    before = snapshot(storage)

    with pytest.raises(InvalidArgument, match="'batch_size'"):
        storage.create_new_task_objects([{"a": 1}], batch_size=batch_size)

    assert snapshot(storage) == before


def test_bulk_creation_with_separate_payloads_one_insert_per_batch_each(
    counted_separate_storage, command_log
):
    storage = counted_separate_storage
    payloads = [{"row": number} for number in range(5)]

    created = storage.create_new_task_objects(payloads, batch_size=2)
    sent = command_log.take()

    assert [item["payload"] for item in created] == payloads
    assert storage.tos.count_documents({}) == 5
    assert storage.payloads_coll.count_documents({}) == 5
    if command_log.available:
        assert (
            command_log.writes(storage.tos.name, sent)
            == [("insert", storage.tos.name)] * 3
        )
        assert (
            command_log.writes(storage.payloads_coll.name, sent)
            == [("insert", storage.payloads_coll.name)] * 3
        )


@pytest.mark.parametrize(
    "finished, status", [("false", "new"), ("No", "new"), ("TRUE", "pass"), (1, "pass")]
)
def test_finished_given_as_text_or_number_is_read_as_a_boolean(
    storage, finished, status
):
    created = storage.create_new_task_object({"a": 1}, finished=finished)

    assert stored(storage, created["_id"])["status"] == status
