"""Setting fields of a task object, finishing it, and the updatedAt rule."""

from datetime import timedelta

import pytest
from storage_checks import (
    LONG_AGO,
    assert_whole_ms_utc,
    backdate,
    stored,
    utc_ceiling,
    utc_floor,
)

from tos.errors import ClaimLost


@pytest.fixture
def jenkins(monkeypatch):
    monkeypatch.setenv("NODE_NAME", "node-b")
    monkeypatch.setenv("EXECUTOR_NUMBER", "5")
    monkeypatch.setenv("BUILD_NUMBER", "99")
    monkeypatch.setenv("JOB_NAME", "job-b")


@pytest.fixture
def task(storage):
    """A task object at stage 1, claimed and processing."""
    created = storage.create_new_task_object({"invoice": 1}, finished=True)
    storage.claim_task_object(1)
    return created["_id"]


@pytest.mark.parametrize("status", ["new", "processing", "pass", "fail", "skip"])
def test_set_task_object_status(storage, task, status):
    returned = storage.set_task_object_status(task, status)

    assert stored(storage, task)["status"] == status
    assert returned == stored(storage, task)


def test_set_status_with_the_expected_fail_status(storage, task):
    storage.set_task_object_status(task, "expected_fail")

    assert stored(storage, task)["status"] == "expected_fail"


def test_set_task_object_stage_stores_an_int(storage, task):
    storage.set_task_object_stage(task, "3")

    assert type(stored(storage, task)["stage"]) is int
    assert stored(storage, task)["stage"] == 3


def test_set_task_object_priority(storage, task):
    returned = storage.set_task_object_priority(task, 12)

    assert stored(storage, task)["priority"] == 12
    assert returned["priority"] == 12


def test_set_task_object_analytics_replaces_the_dict(storage, task):
    storage.set_task_object_analytics(task, {"old": 1})

    storage.set_task_object_analytics(task, {"pages": 3, "steps": ["a"]})

    assert stored(storage, task)["analytics"] == {"pages": 3, "steps": ["a"]}


def test_set_task_object_analytics_item_sets_one_key(storage, task):
    storage.set_task_object_analytics(task, {"kept": True})

    storage.set_task_object_analytics_item(task, "pages", 4)

    assert stored(storage, task)["analytics"] == {"kept": True, "pages": 4}


def test_set_task_object_last_error(storage, task):
    storage.set_task_object_last_error(task, "Timeout in step 3")

    assert stored(storage, task)["last_error"] == "Timeout in step 3"


def test_last_error_can_be_cleared(storage, task):
    storage.set_task_object_last_error(task, "boom")

    storage.set_task_object_last_error(task, None)

    assert stored(storage, task)["last_error"] is None


def test_claimant_setters_read_the_environment(storage, task, jenkins):
    storage.set_task_object_executor(task)
    storage.set_task_object_build_number(task)
    storage.set_task_object_job_name(task)

    document = stored(storage, task)
    assert document["executor"] == "Executor 5 on node node-b"
    assert document["build_number"] == "99"
    assert document["job_name"] == "job-b"


def test_increment_and_decrement_stage(storage, task):
    storage.increment_task_object_stage(task)
    assert stored(storage, task)["stage"] == 2

    storage.decrement_task_object_stage(task)
    assert stored(storage, task)["stage"] == 1


def test_decrement_stops_at_stage_zero(storage):
    created = storage.create_new_task_object({})
    before = stored(storage, created["_id"])

    with pytest.raises(ValueError, match="stage 0"):
        storage.decrement_task_object_stage(created["_id"])

    assert stored(storage, created["_id"]) == before


def test_increment_retry_count(storage, task):
    storage.increment_retry_count(task)
    storage.increment_retry_count(task)

    assert stored(storage, task)["retry_count"] == 2


def test_string_object_ids_are_accepted(storage, task):
    storage.set_task_object_status(str(task), "fail")

    assert stored(storage, task)["status"] == "fail"
    assert storage.find_task_object_by_id(str(task))["_id"] == task


def test_find_task_object_by_id_does_not_change_the_object(storage, task):
    before = stored(storage, task)

    found = storage.find_task_object_by_id(task)

    assert found == before
    assert stored(storage, task) == before


def test_update_status_sets_object_and_stage_status_in_one_command(
    counted_storage, command_log
):
    object_id = counted_storage.create_new_task_object({})["_id"]
    command_log.clear()

    returned = counted_storage.update_status(object_id, 2, "fail")
    sent = command_log.take()

    document = stored(counted_storage, object_id)
    assert document["status"] == "fail"
    assert document["stages"]["2"]["status"] == "fail"
    assert returned == document
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_update_stage_object_moves_and_starts_the_stage_in_one_command(
    counted_storage, command_log, jenkins
):
    object_id = counted_storage.create_new_task_object({})["_id"]
    command_log.clear()

    before = utc_floor()
    counted_storage.update_stage_object(object_id, 2)
    after = utc_ceiling()
    sent = command_log.take()

    document = stored(counted_storage, object_id)
    assert document["stage"] == 2
    stage = document["stages"]["2"]
    assert before <= stage["startedAt"] <= after
    assert stage["executor"] == "Executor 5 on node node-b"
    assert stage["build_number"] == "99"
    assert_whole_ms_utc(document)
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_update_exceptions_sets_last_error_and_appends_in_one_command(
    counted_storage, command_log
):
    object_id = counted_storage.create_new_task_object({})["_id"]
    counted_storage.update_exceptions(object_id, 1, "first")
    command_log.clear()

    counted_storage.update_exceptions(object_id, 1, "second")
    sent = command_log.take()

    document = stored(counted_storage, object_id)
    assert document["last_error"] == "second"
    assert document["stages"]["1"]["exceptions"] == ["first", "second"]
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_update_stage_exceptions_appends_without_last_error(storage, task):
    storage.update_stage_exceptions(task, "one", 1)
    storage.update_stage_exceptions(task, "two", 1)

    document = stored(storage, task)
    assert document["stages"]["1"]["exceptions"] == ["one", "two"]
    assert document["last_error"] is None


def test_update_stage_retry_count(storage, task):
    storage.update_stage_retry_count(task, 1)
    storage.update_stage_retry_count(task, 1)

    assert stored(storage, task)["stages"]["1"]["retry_count"] == 2


def test_error_text_starting_with_dollar_is_stored_as_text(storage, task):
    storage.update_exceptions(task, 1, "$status")
    storage.finish_task_object(task, 1, "fail", error_text="$stage")

    document = stored(storage, task)
    assert document["last_error"] == "$stage"
    assert document["stages"]["1"]["exceptions"] == ["$status", "$stage"]


def test_finish_records_the_outcome_in_one_command(counted_storage, command_log):
    object_id = counted_storage.create_new_task_object({}, finished=True)["_id"]
    counted_storage.claim_task_object(1)
    started = utc_floor() - timedelta(seconds=90)
    backdate(counted_storage, object_id, **{"stages.1.startedAt": started})
    command_log.clear()

    before = utc_floor()
    returned = counted_storage.finish_task_object(object_id, 1, "pass")
    after = utc_ceiling()
    sent = command_log.take()

    document = stored(counted_storage, object_id)
    assert returned == document
    assert document["status"] == "pass"
    stage = document["stages"]["1"]
    assert stage["status"] == "pass"
    assert before <= stage["endedAt"] <= after
    assert stage["endedAt"] == document["updatedAt"]
    assert type(stage["duration"]) is int
    assert stage["duration"] == (stage["endedAt"] - started) // timedelta(
        milliseconds=1
    )
    assert document["last_error"] is None
    assert "exceptions" not in stage
    assert_whole_ms_utc(document)
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_finish_with_error_and_payload_update_is_one_command(
    counted_storage, command_log
):
    object_id = counted_storage.create_new_task_object({"a": 1}, finished=True)["_id"]
    counted_storage.claim_task_object(1)
    counted_storage.update_stage_exceptions(object_id, "earlier", 1)
    command_log.clear()

    counted_storage.finish_task_object(
        object_id,
        1,
        "expected_fail",
        error_text="Customer unknown",
        payload_update={"reason": "unknown", "a": 2},
    )
    sent = command_log.take()

    document = stored(counted_storage, object_id)
    assert document["status"] == "expected_fail"
    assert document["stages"]["1"]["status"] == "expected_fail"
    assert document["last_error"] == "Customer unknown"
    assert document["stages"]["1"]["exceptions"] == ["earlier", "Customer unknown"]
    assert document["payload"] == {"a": 2, "reason": "unknown"}
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_finish_without_a_start_time_stores_no_duration(storage):
    object_id = storage.create_new_task_object({})["_id"]
    storage.find_one_task_object_by_status_and_stage("new", 0)

    storage.finish_task_object(object_id, 0, "pass")

    stage = stored(storage, object_id)["stages"]["0"]
    assert stage["duration"] is None
    assert stage["status"] == "pass"


def test_update_task_object_and_timestamp_applies_a_raw_update(storage):
    low = storage.create_new_task_object({"n": 1}, priority=1)["_id"]
    high = storage.create_new_task_object({"n": 2}, priority=5)["_id"]
    backdate(storage, high, updatedAt=LONG_AGO)

    returned = storage.update_task_object_and_timestamp(
        {"status": "new"}, {"$set": {"analytics.x": 1}}, sort=[("priority", -1)]
    )

    assert returned == stored(storage, high)
    assert stored(storage, high)["analytics"] == {"x": 1}
    assert stored(storage, high)["updatedAt"] > LONG_AGO
    assert stored(storage, low)["analytics"] == {}


def test_update_task_object_and_timestamp_without_a_match_returns_none(storage):
    storage.create_new_task_object({})

    result = storage.update_task_object_and_timestamp(
        {"status": "fail"}, {"$set": {"analytics.x": 1}}
    )

    assert result is None
    assert storage.tos.count_documents({"analytics.x": 1}) == 0
    assert storage.tos.count_documents({}) == 1


def _add_binary(storage, object_id, directory):
    binary = directory / "scan.bin"
    binary.write_bytes(b"\x00\x01")
    return storage.add_binary_data_to_payload(object_id, str(binary), "scan")


def _release_stale(storage, object_id):
    backdate(storage, object_id, claimedAt=LONG_AGO, updatedAt=LONG_AGO)
    return storage.release_stale_task_object(object_id, older_than=60)


#: Every method that writes a task object, called on a claimed object at
#: stage 1: ``call(storage, object_id, temporary_directory)``.
WRITES = {
    "set_task_object_status": lambda s, i, d: s.set_task_object_status(i, "fail"),
    "set_task_object_stage": lambda s, i, d: s.set_task_object_stage(i, 2),
    "set_task_object_priority": lambda s, i, d: s.set_task_object_priority(i, 3),
    "set_task_object_payload": lambda s, i, d: s.set_task_object_payload(i, {"b": 1}),
    "set_task_object_analytics": lambda s, i, d: s.set_task_object_analytics(
        i, {"x": 1}
    ),
    "set_task_object_analytics_item": lambda s, i, d: s.set_task_object_analytics_item(
        i, "x", 1
    ),
    "set_task_object_last_error": lambda s, i, d: s.set_task_object_last_error(i, "e"),
    "set_task_object_executor": lambda s, i, d: s.set_task_object_executor(i),
    "set_task_object_build_number": lambda s, i, d: s.set_task_object_build_number(i),
    "set_task_object_job_name": lambda s, i, d: s.set_task_object_job_name(i),
    "set_task_object_retry_time": lambda s, i, d: s.set_task_object_retry_time(
        i, timedelta(minutes=5)
    ),
    "set_task_object_for_rerun": lambda s, i, d: s.set_task_object_for_rerun(i),
    "set_stage_start_time": lambda s, i, d: s.set_stage_start_time(i, 1),
    "set_stage_end_time": lambda s, i, d: s.set_stage_end_time(i, 1),
    "set_stage_status": lambda s, i, d: s.set_stage_status(i, 1, "pass"),
    "set_stage_build_number": lambda s, i, d: s.set_stage_build_number(i, 1),
    "set_stage_executor": lambda s, i, d: s.set_stage_executor(i, 1),
    "set_retry_start_time": lambda s, i, d: s.set_retry_start_time(i, 1, 1),
    "set_retry_end_time": lambda s, i, d: s.set_retry_end_time(i, 1, 1),
    "set_retry_executor": lambda s, i, d: s.set_retry_executor(i, 1, 1),
    "set_retry_build_number": lambda s, i, d: s.set_retry_build_number(i, 1, 1),
    "update_stage_object": lambda s, i, d: s.update_stage_object(i, 2),
    "update_status": lambda s, i, d: s.update_status(i, 1, "pass"),
    "update_exceptions": lambda s, i, d: s.update_exceptions(i, 1, "e"),
    "update_stage_exceptions": lambda s, i, d: s.update_stage_exceptions(i, "e", 1),
    "update_stage_retry_count": lambda s, i, d: s.update_stage_retry_count(i, 1),
    "increment_retry_count": lambda s, i, d: s.increment_retry_count(i),
    "increment_task_object_stage": lambda s, i, d: s.increment_task_object_stage(i),
    "decrement_task_object_stage": lambda s, i, d: s.decrement_task_object_stage(i),
    "update_payload": lambda s, i, d: s.update_payload(i, {"b": 2}),
    "add_key_value_pair_to_payload": lambda s, i, d: s.add_key_value_pair_to_payload(
        i, "b", 3
    ),
    "remove_field_from_payload": lambda s, i, d: s.remove_field_from_payload(i, "a"),
    "push_value_to_array_field-analytics": lambda s, i, d: s.push_value_to_array_field(
        i, 1, "analytics.steps"
    ),
    "push_value_to_array_field-payload": lambda s, i, d: s.push_value_to_array_field(
        i, 1, "payload.alerts"
    ),
    "add_binary_data_to_payload": _add_binary,
    "finish_task_object": lambda s, i, d: s.finish_task_object(i, 1, "pass"),
    "save_retry_metadata_if_retry": lambda s, i, d: s.save_retry_metadata_if_retry(
        {"_id": i, "retry_count": 1}, 1
    ),
    "update_task_object_and_timestamp": lambda s, i, d: (
        s.update_task_object_and_timestamp({"_id": i}, {"$set": {"analytics": {}}})
    ),
    "find_one_task_object_by_status_and_stage": lambda s, i, d: (
        s.find_one_task_object_by_status_and_stage("processing", 1)
    ),
    "claim_task_object": lambda s, i, d: s.claim_task_object(2, "processing"),
    "release_stale_task_object": lambda s, i, d: _release_stale(s, i),
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("write_name", sorted(WRITES))
@pytest.mark.parametrize("separate", [False, True], ids=["inline", "separate"])
def test_every_write_refreshes_updated_at_and_keeps_created_at(
    make_storage, tmp_path, write_name, separate
):
    storage = make_storage(separate_payloads=separate)
    object_id = storage.create_new_task_object({"a": 1}, finished=True)["_id"]
    storage.claim_task_object(1)
    created_at = stored(storage, object_id)["createdAt"]
    backdate(storage, object_id, updatedAt=LONG_AGO)
    before = utc_floor()
    WRITES[write_name](storage, object_id, tmp_path)
    after = utc_ceiling()

    document = stored(storage, object_id)
    assert before <= document["updatedAt"] <= after
    assert document["createdAt"] == created_at
    assert_whole_ms_utc(document)


def test_manual_handling_refreshes_updated_at(storage):
    object_id = storage.create_new_task_object({})["_id"]
    backdate(storage, object_id, updatedAt=LONG_AGO)

    with pytest.warns(DeprecationWarning):
        storage.set_task_object_to_manual_handling(object_id)

    document = stored(storage, object_id)
    assert document["manual"] is True
    assert document["updatedAt"] > LONG_AGO


def test_finish_refuses_an_object_that_is_no_longer_claimed(storage):
    storage.create_new_task_object({"n": 1}, finished=True)
    claimed = storage.claim_task_object(1)
    storage.release_stale_task_object(claimed["_id"], older_than=0)
    before = stored(storage, claimed["_id"])

    with pytest.raises(ClaimLost, match="not processing at stage 1") as error:
        storage.finish_task_object(claimed["_id"], 1, "pass")

    assert isinstance(error.value, ValueError)
    assert stored(storage, claimed["_id"]) == before
    assert before["status"] == "pass"
    assert before["stage"] == 0


def test_finish_refuses_a_second_finish(storage):
    storage.create_new_task_object({"n": 1}, finished=True)
    claimed = storage.claim_task_object(1)
    storage.finish_task_object(claimed["_id"], 1, "fail", error_text="first")
    before = stored(storage, claimed["_id"])

    with pytest.raises(ClaimLost):
        storage.finish_task_object(claimed["_id"], 1, "pass")

    assert stored(storage, claimed["_id"]) == before
