"""Claiming task objects: one atomic write, order, deferral and listings."""

from datetime import timedelta

import pymongo
import pytest
from storage_checks import assert_whole_ms_utc, snapshot, utc_ceiling, utc_floor


@pytest.fixture
def jenkins(monkeypatch):
    """Jenkins' variables as a build would set them."""
    monkeypatch.setenv("NODE_NAME", "robot-node-7")
    monkeypatch.setenv("EXECUTOR_NUMBER", "3")
    monkeypatch.setenv("BUILD_NUMBER", "42")
    monkeypatch.setenv("JOB_NAME", "invoices-consumer")


def test_claim_returns_the_updated_object_and_stores_the_claimant(storage, jenkins):
    created = storage.create_new_task_object({"a": 1})

    before = utc_floor()
    claimed = storage.find_one_task_object_by_status_and_stage("new", 0)
    after = utc_ceiling()

    stored = storage.tos.find_one({"_id": created["_id"]})
    assert claimed == stored
    assert stored["status"] == "processing"
    assert stored["stage"] == 0
    assert stored["executor"] == "Executor 3 on node robot-node-7"
    assert stored["build_number"] == "42"
    assert stored["job_name"] == "invoices-consumer"
    assert before <= stored["updatedAt"] <= after
    assert stored["createdAt"] == created["createdAt"]
    assert stored["payload"] == {"a": 1}
    assert_whole_ms_utc(stored)


def test_claim_without_jenkins_variables_uses_defaults(storage, monkeypatch):
    import platform

    for name in ("NODE_NAME", "EXECUTOR_NUMBER", "BUILD_NUMBER", "JOB_NAME"):
        monkeypatch.delenv(name, raising=False)
    created = storage.create_new_task_object({"a": 1})

    storage.find_one_task_object_by_status_and_stage("new", 0)

    stored = storage.tos.find_one({"_id": created["_id"]})
    assert stored["executor"] == f"Executor 1 on node {platform.node()}"
    assert stored["build_number"] is None
    assert stored["job_name"] is None


def test_claim_is_one_command(counted_storage, command_log, jenkins):
    created = counted_storage.create_new_task_object({"a": 1})
    command_log.clear()

    claimed = counted_storage.find_one_task_object_by_status_and_stage("new", 0)
    sent = command_log.take()

    assert claimed["_id"] == created["_id"]
    stored = counted_storage.tos.find_one({"_id": created["_id"]})
    assert stored["status"] == "processing"
    assert stored["executor"] == "Executor 3 on node robot-node-7"
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_claimed_object_is_not_claimed_again(storage):
    storage.create_new_task_object({"a": 1})

    first = storage.find_one_task_object_by_status_and_stage("new", 0)
    second = storage.find_one_task_object_by_status_and_stage("new", 0)

    assert first is not None
    assert second is None
    assert storage.tos.count_documents({"status": "processing"}) == 1


def test_claim_records_where_the_object_came_from(storage):
    created = storage.create_new_task_object({"a": 1})
    storage.set_task_object_status(created["_id"], "pass")

    storage.find_one_task_object_by_status_and_stage("pass", 0)

    stored = storage.tos.find_one({"_id": created["_id"]})
    assert stored["claimed_from"] == {"status": "pass", "stage": 0}
    assert stored["claimedAt"] == stored["updatedAt"]


def test_nothing_waiting_returns_none_and_writes_nothing(storage):
    storage.create_new_task_object({"a": 1})
    before = snapshot(storage)

    assert storage.find_one_task_object_by_status_and_stage("pass", 1) is None

    assert snapshot(storage) == before


def test_claim_order_is_highest_priority_then_oldest(storage):
    ids = [
        storage.create_new_task_object({"n": n}, priority=priority)["_id"]
        for n, priority in enumerate([0, 5, 5, 1, 0])
    ]

    order = [
        storage.find_one_task_object_by_status_and_stage("new", 0)["_id"] for _ in ids
    ]

    assert order == [ids[1], ids[2], ids[3], ids[0], ids[4]]
    assert storage.tos.count_documents({"status": "processing"}) == 5


def test_sort_condition_overrides_the_order(storage):
    ids = [
        storage.create_new_task_object({"n": n}, priority=priority)["_id"]
        for n, priority in enumerate([9, 0, 5])
    ]

    newest = storage.find_one_task_object_by_status_and_stage(
        "new", 0, sort_condition=[("_id", pymongo.DESCENDING)]
    )
    lowest = storage.find_one_task_object_by_status_and_stage(
        "new", 0, sort_condition=[("priority", pymongo.ASCENDING)]
    )

    assert newest["_id"] == ids[2]
    assert lowest["_id"] == ids[1]
    assert storage.tos.find_one({"_id": ids[0]})["status"] == "new"


def test_claim_filters_by_several_statuses_and_stages(storage):
    first = storage.create_new_task_object({"n": 1})
    second = storage.create_new_task_object({"n": 2})
    third = storage.create_new_task_object({"n": 3})
    storage.set_task_object_stage(first["_id"], 2)
    storage.set_task_object_status(first["_id"], "fail")
    storage.set_task_object_stage(second["_id"], 1)
    storage.set_task_object_status(second["_id"], "pass")
    storage.set_task_object_stage(third["_id"], 3)
    storage.set_task_object_status(third["_id"], "pass")

    claimed = [
        storage.find_one_task_object_by_status_and_stage(["pass", "fail"], [1, 2])
        for _ in range(3)
    ]

    assert {claimed[0]["_id"], claimed[1]["_id"]} == {first["_id"], second["_id"]}
    assert claimed[2] is None
    assert storage.tos.find_one({"_id": third["_id"]})["status"] == "pass"


def test_claim_by_status_only_and_by_stage_only(storage):
    at_two = storage.create_new_task_object({"n": 1})
    storage.set_task_object_stage(at_two["_id"], 2)
    failed = storage.create_new_task_object({"n": 2})
    storage.set_task_object_status(failed["_id"], "fail")

    by_status = storage.find_one_task_object_by_status("fail")
    by_stage = storage.find_one_task_object_by_stage(2)

    assert by_status["_id"] == failed["_id"]
    assert by_stage["_id"] == at_two["_id"]
    for object_id in (at_two["_id"], failed["_id"]):
        assert storage.tos.find_one({"_id": object_id})["status"] == "processing"


def test_deferred_object_is_never_claimed_or_listed(storage):
    deferred = storage.create_new_task_object({"n": 1}, priority=10)
    ready = storage.create_new_task_object({"n": 2})
    storage.set_task_object_retry_time(deferred["_id"], timedelta(hours=1))

    listed = storage.find_all_task_objects_by_status_and_stage("new", 0)
    claimed = storage.find_one_task_object_by_status_and_stage("new", 0)
    again = storage.find_one_task_object_by_status_and_stage("new", 0)

    assert [item["_id"] for item in listed] == [ready["_id"]]
    assert claimed["_id"] == ready["_id"]
    assert again is None
    assert storage.tos.find_one({"_id": deferred["_id"]})["status"] == "new"


def test_object_deferred_to_the_past_is_claimable(storage):
    created = storage.create_new_task_object({"n": 1})
    storage.set_task_object_retry_time(created["_id"], timedelta(seconds=-5))

    claimed = storage.find_one_task_object_by_status_and_stage("new", 0)

    assert claimed["_id"] == created["_id"]
    assert storage.tos.find_one({"_id": created["_id"]})["status"] == "processing"


def test_object_deferred_by_negative_seconds_is_claimable(storage):
    created = storage.create_new_task_object({"n": 1})
    storage.set_task_object_retry_time(created["_id"], -5)

    claimed = storage.find_one_task_object_by_status_and_stage("new", 0)

    assert claimed["_id"] == created["_id"]


def test_amend_adds_a_condition(storage):
    storage.create_new_task_object({"country": "fi"})
    swedish = storage.create_new_task_object({"country": "se"})

    claimed = storage.find_one_task_object_by_status_and_stage(
        "new", 0, amend={"payload.country": "se"}
    )

    assert claimed["_id"] == swedish["_id"]
    assert storage.tos.count_documents({"status": "processing"}) == 1


def test_unknown_claim_option_is_a_type_error_and_claims_nothing(storage):
    storage.create_new_task_object({"a": 1})
    before = snapshot(storage)

    with pytest.raises(TypeError, match="sort_by"):
        storage.find_one_task_object_by_status_and_stage("new", 0, sort_by=[])

    assert snapshot(storage) == before


def test_claim_without_statuses_or_stages_is_a_type_error(storage):
    storage.create_new_task_object({"a": 1})
    before = snapshot(storage)

    with pytest.raises(TypeError):
        storage.find_one_task_object_by_status_and_stage()

    assert snapshot(storage) == before


def test_claim_task_object_starts_the_next_stage_in_one_write(
    counted_storage, command_log, jenkins
):
    created = counted_storage.create_new_task_object({"a": 1}, finished=True)
    command_log.clear()

    before = utc_floor()
    claimed = counted_storage.claim_task_object(1)
    after = utc_ceiling()
    sent = command_log.take()

    stored = counted_storage.tos.find_one({"_id": created["_id"]})
    assert claimed == stored
    assert stored["status"] == "processing"
    assert stored["stage"] == 1
    assert stored["claimed_from"] == {"status": "pass", "stage": 0}
    stage = stored["stages"]["1"]
    assert before <= stage["startedAt"] <= after
    assert stage["executor"] == "Executor 3 on node robot-node-7"
    assert stage["build_number"] == "42"
    assert stored["stages"]["0"]["status"] == "pass"
    if command_log.available:
        assert sent == [("findAndModify", counted_storage.tos.name)]


def test_claim_task_object_refuses_stage_zero(storage):
    storage.create_new_task_object({"a": 1})
    before = snapshot(storage)

    with pytest.raises(ValueError, match="'stage'"):
        storage.claim_task_object(0)

    assert snapshot(storage) == before


def test_claim_task_object_records_who_runs_a_retry(storage, jenkins):
    created = storage.create_new_task_object({"a": 1}, finished=True)
    storage.claim_task_object(1)
    storage.finish_task_object(created["_id"], 1, "fail")
    storage.set_task_object_for_rerun(created["_id"])

    claimed = storage.claim_task_object(1)

    stored = storage.tos.find_one({"_id": created["_id"]})
    assert claimed == stored
    assert stored["retry_count"] == 1
    assert stored["stage"] == 1
    retry = stored["stages"]["1"]["retries"]["1"]
    assert retry["executor"] == "Executor 3 on node robot-node-7"
    assert retry["build_number"] == "42"


def test_find_all_lists_without_claiming_sorted_by_priority(storage):
    low = storage.create_new_task_object({"n": 1}, priority=1)
    high = storage.create_new_task_object({"n": 2}, priority=9)
    other = storage.create_new_task_object({"n": 3})
    storage.set_task_object_status(other["_id"], "fail")
    before = snapshot(storage)

    listed = storage.find_all_task_objects_by_status_and_stage("new", 0)

    assert [item["_id"] for item in listed] == [high["_id"], low["_id"]]
    assert snapshot(storage) == before


def test_find_all_convenience_methods(storage):
    new = storage.create_new_task_object({"n": 1})
    failed = storage.create_new_task_object({"n": 2})
    storage.set_task_object_status(failed["_id"], "fail")
    storage.set_task_object_stage(failed["_id"], 1)
    before = snapshot(storage)

    by_status = storage.find_all_task_objects_by_status(["new", "fail"])
    by_stage = storage.find_all_task_objects_by_stage(1)
    failures = storage.find_all_failed_task_objects()

    assert {item["_id"] for item in by_status} == {new["_id"], failed["_id"]}
    assert [item["_id"] for item in by_stage] == [failed["_id"]]
    assert [item["_id"] for item in failures] == [failed["_id"]]
    assert snapshot(storage) == before


def test_count_by_stage_and_status(storage):
    for _ in range(3):
        storage.create_new_task_object({})
    done = storage.create_new_task_object({}, finished=True)
    storage.set_task_object_stage(done["_id"], 1)

    counts = storage.count_task_objects_by_stage_and_status()

    assert counts == [
        {"stage": 0, "status": "new", "count": 3},
        {"stage": 1, "status": "pass", "count": 1},
    ]


def test_counts_are_in_numeric_stage_order(storage):
    for stage in (10, 2, 1):
        created = storage.create_new_task_object({})
        storage.set_task_object_stage(created["_id"], stage)

    written_by_another_tool = storage.create_new_task_object({})["_id"]
    storage.tos.update_one({"_id": written_by_another_tool}, {"$set": {"stage": 3.0}})

    counts = storage.count_task_objects_by_stage_and_status()

    assert [row["stage"] for row in counts] == [1, 2, 3.0, 10]
