"""Sending task objects back for a rerun, with deferral and a retry limit."""

from datetime import datetime, timedelta, timezone

import pytest
from storage_checks import as_stored, snapshot, stored, utc_ceiling, utc_floor

from tos.errors import InvalidStage


@pytest.fixture
def failed_at_stage_two(storage):
    """An object that passed stages 0 and 1 and failed stage 2."""
    object_id = storage.create_new_task_object({"a": 1}, finished=True)["_id"]
    storage.claim_task_object(1)
    storage.finish_task_object(object_id, 1, "pass")
    storage.claim_task_object(2)
    storage.finish_task_object(object_id, 2, "fail", error_text="timeout")
    return object_id


def test_rerun_moves_back_one_stage_as_passed(storage, failed_at_stage_two):
    returned = storage.set_task_object_for_rerun(failed_at_stage_two)

    document = stored(storage, failed_at_stage_two)
    assert returned == document
    assert document["stage"] == 1
    assert document["status"] == "pass"
    assert document["retry_count"] == 1
    assert document["defer_until"] is None
    assert document["stages"]["2"]["status"] == "fail"


def test_rerun_object_is_claimed_again_by_the_failed_stage(
    storage, failed_at_stage_two
):
    storage.set_task_object_for_rerun(failed_at_stage_two)

    claimed = storage.claim_task_object(2)

    assert claimed["_id"] == failed_at_stage_two
    document = stored(storage, failed_at_stage_two)
    assert document["stage"] == 2
    assert document["status"] == "processing"
    assert document["stages"]["2"]["retries"]["1"]["executor"] == document["executor"]


def test_rerun_counts_every_retry(storage, failed_at_stage_two):
    storage.set_task_object_for_rerun(failed_at_stage_two)
    storage.claim_task_object(2)
    storage.finish_task_object(failed_at_stage_two, 2, "fail")

    storage.set_task_object_for_rerun(failed_at_stage_two)

    assert stored(storage, failed_at_stage_two)["retry_count"] == 2


def test_rerun_at_stage_zero_is_refused_and_writes_nothing(storage):
    object_id = storage.create_new_task_object({})["_id"]
    storage.set_task_object_status(object_id, "fail")
    before = snapshot(storage)

    with pytest.raises(InvalidStage) as error:
        storage.set_task_object_for_rerun(object_id)

    assert isinstance(error.value, ValueError)
    assert "stage 0" in str(error.value)
    assert snapshot(storage) == before


def test_rerun_with_a_timedelta_defers_the_object(storage, failed_at_stage_two):
    before = utc_floor()
    storage.set_task_object_for_rerun(
        failed_at_stage_two, defer_until=timedelta(hours=2)
    )
    after = utc_ceiling()

    document = stored(storage, failed_at_stage_two)
    assert before + timedelta(hours=2) <= document["defer_until"]
    assert document["defer_until"] <= after + timedelta(hours=2)
    assert document["defer_until"].microsecond % 1000 == 0
    assert storage.claim_task_object(2) is None
    assert stored(storage, failed_at_stage_two)["status"] == "pass"


def test_rerun_with_an_aware_datetime_stores_it_in_utc(storage, failed_at_stage_two):
    helsinki_summer = timezone(timedelta(hours=3))
    when = datetime(2999, 6, 1, 9, 30, 15, 250999, tzinfo=helsinki_summer)

    storage.set_task_object_for_rerun(failed_at_stage_two, defer_until=when)

    document = stored(storage, failed_at_stage_two)
    assert document["defer_until"] == datetime(2999, 6, 1, 6, 30, 15, 250000)
    assert storage.claim_task_object(2) is None


def test_rerun_deferred_to_the_past_is_claimable(storage, failed_at_stage_two):
    past = datetime.now(timezone.utc) - timedelta(minutes=1)

    storage.set_task_object_for_rerun(failed_at_stage_two, defer_until=past)

    assert stored(storage, failed_at_stage_two)["defer_until"] == as_stored(past)
    assert storage.claim_task_object(2)["_id"] == failed_at_stage_two


def test_bad_defer_until_is_a_value_error_and_writes_nothing(
    storage, failed_at_stage_two
):
    before = snapshot(storage)

    with pytest.raises(ValueError, match="'defer_until'"):
        storage.set_task_object_for_rerun(failed_at_stage_two, defer_until="tomorrow")

    assert snapshot(storage) == before


def test_retry_limit_reached_fails_the_object_where_it_is(storage, failed_at_stage_two):
    storage.set_task_object_for_rerun(failed_at_stage_two, max_retries=2)
    storage.claim_task_object(2)
    storage.finish_task_object(failed_at_stage_two, 2, "fail")
    storage.set_task_object_for_rerun(failed_at_stage_two, max_retries=2)
    storage.claim_task_object(2)
    storage.finish_task_object(failed_at_stage_two, 2, "fail")

    returned = storage.set_task_object_for_rerun(failed_at_stage_two, max_retries=2)

    document = stored(storage, failed_at_stage_two)
    assert returned == document
    assert document["stage"] == 2
    assert document["status"] == "fail"
    assert document["retry_count"] == 2
    assert "Retry limit" in document["last_error"]
    assert document["stages"]["2"]["status"] == "fail"
    assert document["stages"]["2"]["exceptions"][-1] == document["last_error"]
    assert storage.claim_task_object(2) is None


def test_max_retries_zero_never_sends_back(storage, failed_at_stage_two):
    storage.set_task_object_for_rerun(failed_at_stage_two, max_retries=0)

    document = stored(storage, failed_at_stage_two)
    assert document["stage"] == 2
    assert document["status"] == "fail"
    assert document["retry_count"] == 0


def test_negative_max_retries_is_refused(storage, failed_at_stage_two):
    before = snapshot(storage)

    with pytest.raises(ValueError, match="'max_retries'"):
        storage.set_task_object_for_rerun(failed_at_stage_two, max_retries=-1)

    assert snapshot(storage) == before


def test_set_task_object_retry_time_with_a_datetime(storage):
    object_id = storage.create_new_task_object({})["_id"]
    when = datetime(2999, 1, 1, 12, 0, 0, 999999, tzinfo=timezone.utc)

    returned = storage.set_task_object_retry_time(object_id, when)

    document = stored(storage, object_id)
    assert returned == document
    assert document["defer_until"] == datetime(2999, 1, 1, 12, 0, 0, 999000)
    assert storage.find_one_task_object_by_status_and_stage("new", 0) is None


def test_set_task_object_retry_time_with_seconds(storage):
    object_id = storage.create_new_task_object({})["_id"]

    before = utc_floor()
    storage.set_task_object_retry_time(object_id, 600)
    after = utc_ceiling()

    defer_until = stored(storage, object_id)["defer_until"]
    assert before + timedelta(seconds=600) <= defer_until
    assert defer_until <= after + timedelta(seconds=600)


@pytest.mark.parametrize(
    "value", ["2030-01-01", None, [1]], ids=["text", "none", "list"]
)
def test_set_task_object_retry_time_refuses_a_non_time(storage, value):
    object_id = storage.create_new_task_object({})["_id"]
    before = snapshot(storage)

    with pytest.raises(ValueError, match="'defer_until'"):
        storage.set_task_object_retry_time(object_id, value)

    assert snapshot(storage) == before


def test_increment_retry_count_and_stage_retry_count_are_separate(storage):
    object_id = storage.create_new_task_object({})["_id"]

    storage.increment_retry_count(object_id)
    storage.update_stage_retry_count(object_id, 1)
    storage.update_stage_retry_count(object_id, 1)

    document = stored(storage, object_id)
    assert document["retry_count"] == 1
    assert document["stages"]["1"]["retry_count"] == 2
