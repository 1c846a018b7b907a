"""The per-stage records under ``stages.<n>`` and the retry records inside them."""

from datetime import timedelta

import pytest
from storage_checks import (
    assert_whole_ms_utc,
    backdate,
    snapshot,
    stored,
    utc_ceiling,
    utc_floor,
)


@pytest.fixture
def jenkins(monkeypatch):
    monkeypatch.setenv("NODE_NAME", "stage-node")
    monkeypatch.setenv("EXECUTOR_NUMBER", "4")
    monkeypatch.setenv("BUILD_NUMBER", "1234")
    monkeypatch.setenv("JOB_NAME", "stage-job")


def test_set_stage_start_time(storage):
    object_id = storage.create_new_task_object({})["_id"]

    before = utc_floor()
    returned = storage.set_stage_start_time(object_id, 1)
    after = utc_ceiling()

    document = stored(storage, object_id)
    assert returned == document
    assert before <= document["stages"]["1"]["startedAt"] <= after
    assert_whole_ms_utc(document)


def test_set_stage_end_time_stores_end_and_duration_in_one_command(
    counted_storage, command_log
):
    object_id = counted_storage.create_new_task_object({})["_id"]
    counted_storage.set_stage_start_time(object_id, 1)
    started = utc_floor() - timedelta(milliseconds=1500)
    backdate(counted_storage, object_id, **{"stages.1.startedAt": started})
    command_log.clear()

    before = utc_floor()
    returned = counted_storage.set_stage_end_time(object_id, 1)
    after = utc_ceiling()
    sent = command_log.take()

    document = stored(counted_storage, object_id)
    stage = document["stages"]["1"]
    assert returned == document
    assert stage["startedAt"] == started
    assert before <= stage["endedAt"] <= after
    assert type(stage["duration"]) is int
    assert stage["duration"] == (stage["endedAt"] - started) // timedelta(
        milliseconds=1
    )
    assert stage["duration"] >= 1500
    assert document["updatedAt"] == stage["endedAt"]
    assert_whole_ms_utc(document)
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_set_stage_end_time_keeps_other_stage_fields(storage, jenkins):
    object_id = storage.create_new_task_object({})["_id"]
    storage.update_stage_object(object_id, 1)
    storage.set_stage_status(object_id, 1, "processing")

    storage.set_stage_end_time(object_id, 1)

    stage = stored(storage, object_id)["stages"]["1"]
    assert stage["executor"] == "Executor 4 on node stage-node"
    assert stage["build_number"] == "1234"
    assert stage["status"] == "processing"
    assert set(stage) == {
        "startedAt",
        "endedAt",
        "duration",
        "executor",
        "build_number",
        "status",
    }


def test_set_stage_end_time_without_start_stores_null_duration(storage):
    object_id = storage.create_new_task_object({})["_id"]

    storage.set_stage_end_time(object_id, 2)

    stage = stored(storage, object_id)["stages"]["2"]
    assert stage["duration"] is None
    assert stage["endedAt"] is not None


def test_set_stage_status(storage):
    object_id = storage.create_new_task_object({})["_id"]

    storage.set_stage_status(object_id, 1, "expected_fail")

    document = stored(storage, object_id)
    assert document["stages"]["1"]["status"] == "expected_fail"
    assert document["status"] == "new"


def test_set_stage_build_number_and_executor(storage, jenkins):
    object_id = storage.create_new_task_object({})["_id"]

    storage.set_stage_build_number(object_id, 3)
    storage.set_stage_executor(object_id, 3)

    stage = stored(storage, object_id)["stages"]["3"]
    assert stage == {
        "build_number": "1234",
        "executor": "Executor 4 on node stage-node",
    }


def test_stage_given_as_digit_text_uses_the_same_key(storage):
    object_id = storage.create_new_task_object({})["_id"]

    storage.set_stage_status(object_id, "2", "pass")
    storage.set_stage_start_time(object_id, 2)

    assert set(stored(storage, object_id)["stages"]) == {"2"}


def test_retry_records(storage, jenkins):
    object_id = storage.create_new_task_object({})["_id"]

    before = utc_floor()
    storage.set_retry_start_time(object_id, 1, 2)
    storage.set_retry_executor(object_id, 1, 2)
    storage.set_retry_build_number(object_id, 1, 2)
    returned = storage.set_retry_end_time(object_id, 1, 2)
    after = utc_ceiling()

    document = stored(storage, object_id)
    assert returned == document
    retry = document["stages"]["1"]["retries"]["2"]
    assert retry["executor"] == "Executor 4 on node stage-node"
    assert retry["build_number"] == "1234"
    assert before <= retry["startedAt"] <= retry["endedAt"] <= after
    assert_whole_ms_utc(document)


def test_save_retry_metadata_records_a_retry_in_one_command(
    counted_storage, command_log, jenkins
):
    object_id = counted_storage.create_new_task_object({})["_id"]
    counted_storage.increment_retry_count(object_id)
    counted_storage.increment_retry_count(object_id)
    task_object = counted_storage.find_task_object_by_id(object_id)
    command_log.clear()

    returned = counted_storage.save_retry_metadata_if_retry(task_object, 1)
    sent = command_log.take()

    document = stored(counted_storage, object_id)
    assert returned == document
    assert document["stages"]["1"]["retries"]["2"] == {
        "executor": "Executor 4 on node stage-node",
        "build_number": "1234",
    }
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_save_retry_metadata_without_retry_writes_nothing(storage):
    object_id = storage.create_new_task_object({})["_id"]
    task_object = storage.find_task_object_by_id(object_id)
    before = snapshot(storage)

    assert storage.save_retry_metadata_if_retry(task_object, 1) is None

    assert snapshot(storage) == before
