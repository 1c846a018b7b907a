"""Time: stored in UTC to the millisecond, whatever the machine's time zone.

Tests using the ``time_zone`` fixture run three times: in the machine's own
zone, at UTC+14 and at UTC-11. A naive datetime from a user is local time.
"""

import time
from datetime import datetime, timedelta, timezone

import pytest
from storage_checks import assert_whole_ms_utc, stored, utc_ceiling, utc_floor

FAR_OFFSETS = {"KIRI-14": timedelta(hours=14), "PAGO+11": timedelta(hours=-11)}


def local_offset():
    return timedelta(seconds=time.localtime().tm_gmtoff)


def local_to_utc(naive):
    """The UTC instant of a naive local datetime, truncated to milliseconds."""
    utc = naive - local_offset()
    return utc.replace(microsecond=utc.microsecond - utc.microsecond % 1000)


def test_the_time_zone_fixture_moves_local_time(time_zone):
    offset = datetime.now().astimezone().utcoffset()

    assert offset == local_offset()
    if time_zone is not None:
        assert offset == FAR_OFFSETS[time_zone]


def test_timestamps_are_utc_in_any_zone(storage, time_zone):
    before = utc_floor()
    object_id = storage.create_new_task_object({})["_id"]
    storage.set_stage_start_time(object_id, 1)
    storage.set_stage_end_time(object_id, 1)
    after = utc_ceiling()

    document = stored(storage, object_id)
    assert before <= document["createdAt"] <= after
    assert before <= document["updatedAt"] <= after
    assert before <= document["stages"]["1"]["startedAt"] <= after
    assert before <= document["stages"]["1"]["endedAt"] <= after


def test_every_stored_datetime_has_whole_milliseconds(storage):
    object_id = storage.create_new_task_object({}, finished=True)["_id"]
    storage.claim_task_object(1)
    storage.set_retry_start_time(object_id, 1, 1)
    storage.set_retry_end_time(object_id, 1, 1)
    storage.set_task_object_retry_time(object_id, timedelta(microseconds=123456))
    storage.finish_task_object(object_id, 1, "pass")
    storage.tos.update_one(
        {"_id": object_id},
        {"$set": {"status": "processing", "claimedAt": datetime(2001, 1, 1)}},
    )
    storage.release_stale_task_object(object_id, older_than=1)

    found = assert_whole_ms_utc(stored(storage, object_id))

    assert {path for path, _ in found} >= {
        "createdAt",
        "updatedAt",
        "releases.0.claimedAt",
        "releases.0.releasedAt",
        "defer_until",
        "stages.0.startedAt",
        "stages.1.startedAt",
        "stages.1.endedAt",
        "stages.1.retries.1.startedAt",
        "stages.1.retries.1.endedAt",
    }


def test_naive_defer_until_is_local_time(storage, time_zone):
    object_id = storage.create_new_task_object({})["_id"]
    local = datetime.now() + timedelta(hours=1, microseconds=777)

    storage.set_task_object_retry_time(object_id, local)

    assert stored(storage, object_id)["defer_until"] == local_to_utc(local)


def test_naive_local_time_in_the_future_defers(storage, time_zone):
    object_id = storage.create_new_task_object({})["_id"]

    storage.set_task_object_retry_time(object_id, datetime.now() + timedelta(hours=1))

    assert storage.find_one_task_object_by_status_and_stage("new", 0) is None
    assert storage.find_all_task_objects_by_status("new") == []
    assert stored(storage, object_id)["status"] == "new"


def test_naive_local_time_in_the_past_does_not_defer(storage, time_zone):
    object_id = storage.create_new_task_object({})["_id"]

    storage.set_task_object_retry_time(object_id, datetime.now() - timedelta(minutes=1))

    claimed = storage.find_one_task_object_by_status_and_stage("new", 0)
    assert claimed["_id"] == object_id
    assert stored(storage, object_id)["status"] == "processing"


def test_aware_datetimes_defer_by_their_instant(storage, time_zone):
    later = storage.create_new_task_object({})["_id"]
    earlier = storage.create_new_task_object({})["_id"]
    far_east = timezone(timedelta(hours=13))
    soon = datetime.now(far_east) + timedelta(minutes=30)
    past = datetime.now(timezone(timedelta(hours=-9))) - timedelta(minutes=30)

    storage.set_task_object_retry_time(later, soon)
    storage.set_task_object_retry_time(earlier, past)

    expected = soon.astimezone(timezone.utc).replace(tzinfo=None)
    expected = expected.replace(microsecond=expected.microsecond // 1000 * 1000)
    assert stored(storage, later)["defer_until"] == expected
    assert storage.find_one_task_object_by_status_and_stage("new", 0)["_id"] == earlier
    assert storage.find_one_task_object_by_status_and_stage("new", 0) is None


def test_timedelta_deferral_counts_from_utc_now(storage, time_zone):
    object_id = storage.create_new_task_object({})["_id"]

    before = utc_floor()
    storage.set_task_object_retry_time(object_id, timedelta(minutes=10))
    after = utc_ceiling()

    defer_until = stored(storage, object_id)["defer_until"]
    assert before + timedelta(minutes=10) <= defer_until
    assert defer_until <= after + timedelta(minutes=10)
    assert storage.find_one_task_object_by_status_and_stage("new", 0) is None


def test_rerun_with_naive_local_datetimes(storage, time_zone):
    future = storage.create_new_task_object({})["_id"]
    past = storage.create_new_task_object({})["_id"]
    for object_id in (future, past):
        storage.set_task_object_stage(object_id, 1)
        storage.set_task_object_status(object_id, "fail")
    in_an_hour = datetime.now() + timedelta(hours=1)

    storage.set_task_object_for_rerun(future, defer_until=in_an_hour)
    storage.set_task_object_for_rerun(
        past, defer_until=datetime.now() - timedelta(minutes=1)
    )

    assert stored(storage, future)["defer_until"] == local_to_utc(in_an_hour)
    assert storage.claim_task_object(1)["_id"] == past
    assert storage.claim_task_object(1) is None


def test_stale_claims_are_judged_in_utc(storage, time_zone):
    storage.create_new_task_object({}, finished=True)
    object_id = storage.claim_task_object(1)["_id"]

    assert storage.find_stale_task_objects(older_than=3600) == []
    with pytest.raises(ValueError):
        storage.release_stale_task_object(object_id, older_than=3600)
    assert stored(storage, object_id)["status"] == "processing"
