"""Finding, releasing and reclaiming objects whose robot stopped mid-work."""

from datetime import timedelta

import pytest
from storage_checks import LONG_AGO, backdate, snapshot, stored, utc_ceiling, utc_floor

from tos.errors import ClaimLost, InvalidArgument


@pytest.fixture
def jenkins(monkeypatch):
    monkeypatch.setenv("NODE_NAME", "crashed-node")
    monkeypatch.setenv("EXECUTOR_NUMBER", "2")


def claim_and_abandon(storage, stage=1):
    """Claim an object at ``stage`` and make the claim look hours old."""
    object_id = storage.create_new_task_object({}, finished=True)["_id"]
    storage.set_task_object_stage(object_id, stage - 1)
    claimed = storage.claim_task_object(stage)
    assert claimed["_id"] == object_id
    backdate(storage, object_id, claimedAt=LONG_AGO, updatedAt=LONG_AGO)
    return object_id


def test_find_stale_lists_only_old_claims(storage):
    stale = claim_and_abandon(storage)
    storage.create_new_task_object({}, finished=True)
    fresh = storage.claim_task_object(1)["_id"]
    before = snapshot(storage)

    found = storage.find_stale_task_objects(older_than=3600)

    assert [item["_id"] for item in found] == [stale]
    assert stored(storage, fresh)["status"] == "processing"
    assert snapshot(storage) == before


def test_find_stale_by_stage(storage):
    at_one = claim_and_abandon(storage, stage=1)
    at_two = claim_and_abandon(storage, stage=2)

    found_one = storage.find_stale_task_objects(timedelta(minutes=5), stages=1)
    found_both = storage.find_stale_task_objects(60, stages=[1, 2])

    assert [item["_id"] for item in found_one] == [at_one]
    assert {item["_id"] for item in found_both} == {at_one, at_two}


def test_release_returns_the_object_to_where_it_was_claimed(storage, jenkins):
    object_id = claim_and_abandon(storage)

    before = utc_floor()
    returned = storage.release_stale_task_object(object_id, older_than=60)
    after = utc_ceiling()

    document = stored(storage, object_id)
    assert returned == document
    assert document["status"] == "pass"
    assert document["stage"] == 0
    assert before <= document["updatedAt"] <= after
    [release] = document["releases"]
    assert release["claimedAt"] == LONG_AGO
    assert release["stage"] == 1
    assert release["executor"] == "Executor 2 on node crashed-node"
    assert release["released_by"] == "Executor 2 on node crashed-node"
    assert before <= release["releasedAt"] <= after
    assert storage.claim_task_object(1)["_id"] == object_id


def test_release_to_a_given_status_keeps_the_stage(storage):
    object_id = claim_and_abandon(storage)

    storage.release_stale_task_object(object_id, status="fail")

    document = stored(storage, object_id)
    assert document["status"] == "fail"
    assert document["stage"] == 1


def test_release_to_a_given_status_and_stage_sends_the_object_back(storage):
    object_id = claim_and_abandon(storage, stage=2)

    released = storage.release_stale_task_object(object_id, status="pass", stage=1)

    assert (released["status"], released["stage"]) == ("pass", 1)
    assert storage.claim_task_object(2)["_id"] == object_id


def test_release_of_a_legacy_claim_to_its_previous_stage(storage):
    object_id = storage.create_new_task_object({})["_id"]
    storage.tos.update_one(
        {"_id": object_id},
        {"$set": {"status": "processing", "stage": 1, "updatedAt": LONG_AGO}},
    )

    storage.release_stale_task_object(object_id, 60, "pass", 0)

    document = stored(storage, object_id)
    assert (document["status"], document["stage"]) == ("pass", 0)
    assert document["releases"][0]["stage"] == 1


def test_release_works_with_a_time_zone_aware_client(make_storage):
    # With tz_aware=True the driver returns aware datetimes (the embedded
    # backend ignores the option and returns naive ones, so there this test
    # checks only the usual case).
    factory = type(make_storage)(
        make_storage.options, extra_client_options={"tz_aware": True}
    )
    try:
        storage = factory()
        object_id = claim_and_abandon(storage)

        with pytest.raises(InvalidArgument, match="less than"):
            storage.release_stale_task_object(object_id, older_than=10**9)
        released = storage.release_stale_task_object(object_id, older_than=60)

        assert (released["status"], released["stage"]) == ("pass", 0)
    finally:
        factory.close()


def test_release_of_an_object_that_is_not_processing_writes_nothing(storage):
    object_id = storage.create_new_task_object({})["_id"]
    before = snapshot(storage)

    with pytest.raises(ValueError, match="not processing"):
        storage.release_stale_task_object(object_id)

    assert snapshot(storage) == before


def test_release_of_a_young_claim_writes_nothing(storage):
    storage.create_new_task_object({}, finished=True)
    object_id = storage.claim_task_object(1)["_id"]
    before = snapshot(storage)

    with pytest.raises(ValueError, match="less than 3600 seconds"):
        storage.release_stale_task_object(object_id, older_than=3600)

    assert snapshot(storage) == before


def test_release_of_a_finished_object_writes_nothing(storage, make_storage):
    object_id = claim_and_abandon(storage)
    make_storage().finish_task_object(object_id, 1, "pass")
    before = snapshot(storage)

    with pytest.raises(ValueError):
        storage.release_stale_task_object(object_id, older_than=60)

    assert snapshot(storage) == before


def test_legacy_claim_without_origin_needs_a_status(storage):
    object_id = storage.create_new_task_object({})["_id"]
    storage.tos.update_one(
        {"_id": object_id},
        {"$set": {"status": "processing", "stage": 1, "updatedAt": LONG_AGO}},
    )
    before = snapshot(storage)

    with pytest.raises(ValueError, match="'status'"):
        storage.release_stale_task_object(object_id, older_than=60)
    assert snapshot(storage) == before

    storage.release_stale_task_object(object_id, older_than=60, status="new")
    document = stored(storage, object_id)
    assert document["status"] == "new"
    assert document["stage"] == 1


def test_release_all_stale_skips_legacy_and_young_claims(storage):
    stale = [claim_and_abandon(storage) for _ in range(2)]
    legacy = storage.create_new_task_object({})["_id"]
    storage.tos.update_one(
        {"_id": legacy},
        {"$set": {"status": "processing", "updatedAt": LONG_AGO}},
    )
    storage.create_new_task_object({}, finished=True)
    young = storage.claim_task_object(1)["_id"]

    released = storage.release_stale_task_objects(older_than=3600)

    assert {item["_id"] for item in released} == set(stale)
    for object_id in stale:
        assert stored(storage, object_id)["status"] == "pass"
        assert stored(storage, object_id)["stage"] == 0
    assert stored(storage, legacy)["status"] == "processing"
    assert stored(storage, young)["status"] == "processing"
    assert storage.find_stale_task_objects(3600) == [stored(storage, legacy)]


def test_claim_reclaims_stale_objects_of_its_queue(storage, monkeypatch):
    object_id = claim_and_abandon(storage)
    monkeypatch.setenv("NODE_NAME", "rescuer")
    monkeypatch.setenv("EXECUTOR_NUMBER", "1")

    claimed = storage.claim_task_object(1, reclaim_stale_after=600)

    document = stored(storage, object_id)
    assert claimed == document
    assert document["status"] == "processing"
    assert document["stage"] == 1
    assert document["executor"] == "Executor 1 on node rescuer"
    assert document["claimedAt"] > LONG_AGO
    assert len(document["releases"]) == 1


def test_claim_leaves_stale_objects_of_other_queues(storage):
    other = claim_and_abandon(storage, stage=3)

    assert storage.claim_task_object(1, reclaim_stale_after=600) is None

    document = stored(storage, other)
    assert document["status"] == "processing"
    assert "releases" not in document


def test_stale_release_with_separate_payloads_returns_the_payload(separate_storage):
    object_id = claim_and_abandon(separate_storage)

    released = separate_storage.release_stale_task_object(object_id, older_than=60)

    assert released["payload"] == {}
    assert set(stored(separate_storage, object_id)["payload"]) == {"_id"}


@pytest.mark.parametrize("older_than", [-1, "an hour"], ids=["negative", "text"])
def test_bad_older_than_is_refused(storage, older_than):
    claim_and_abandon(storage)
    before = snapshot(storage)

    with pytest.raises((TypeError, ValueError), match="'older_than'"):
        storage.release_stale_task_objects(older_than)

    assert snapshot(storage) == before


def test_late_finish_after_release_and_reclaim_is_refused(storage, make_storage):
    slow_robot = storage
    other_robot = make_storage()
    slow_robot.create_new_task_object({}, finished=True)
    object_id = slow_robot.claim_task_object(1)["_id"]
    other_robot.release_stale_task_object(object_id, older_than=0)
    other_robot.claim_task_object(1)
    before = snapshot(storage)

    with pytest.raises(ClaimLost, match="under a newer claim"):
        slow_robot.finish_task_object(object_id, 1, "fail", error_text="timed out")
    with pytest.raises(ClaimLost, match="under a newer claim"):
        slow_robot.set_task_object_for_rerun(object_id)

    assert snapshot(storage) == before
    finished = other_robot.finish_task_object(object_id, 1, "pass")
    assert finished["status"] == "pass"


def test_late_rerun_after_release_is_refused(storage, make_storage):
    storage.create_new_task_object({}, finished=True)
    object_id = storage.claim_task_object(1)["_id"]
    make_storage().release_stale_task_object(object_id, older_than=0)
    before = snapshot(storage)

    with pytest.raises(ClaimLost):
        storage.set_task_object_for_rerun(object_id, max_retries=3)

    assert snapshot(storage) == before


def test_release_cannot_leave_an_object_processing(storage):
    object_id = claim_and_abandon(storage)
    before = snapshot(storage)

    with pytest.raises(InvalidArgument, match="'status' cannot be 'processing'"):
        storage.release_stale_task_object(object_id, status="processing")

    assert snapshot(storage) == before
