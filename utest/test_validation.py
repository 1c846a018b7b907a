"""Bad arguments: the right error class, a message naming the argument, no write.

Every error is a ``tos.errors`` class that is also the built-in exception
task-object-storage 1.4 raised (``ValueError``, ``TypeError`` or
``NameError``), so old ``except`` clauses keep working.
"""

from datetime import timedelta

import pytest
from bson import ObjectId
from storage_checks import snapshot

from tos import errors
from tos.settings import MAX_DOCUMENT_BYTES
from tos.task_object_storage import TaskObjectStorage

TOO_BIG = "x" * (MAX_DOCUMENT_BYTES + 1)


@pytest.fixture
def populated(storage):
    """A storage holding a few objects, and the id of one at stage 1."""
    storage.create_new_task_object({"a": 1})
    object_id = storage.create_new_task_object({"b": 2}, finished=True)["_id"]
    storage.claim_task_object(1)
    return storage, object_id


def check_refused(storage, call, error_class, builtin, argument):
    """``call()`` raises ``error_class`` (also ``builtin``) naming ``argument``.

    Nothing in the database changes.
    """
    before = snapshot(storage)

    with pytest.raises(error_class) as raised:
        call()

    assert isinstance(raised.value, builtin)
    assert isinstance(raised.value, errors.TOSError)
    assert argument in str(raised.value)
    assert snapshot(storage) == before
    return raised.value


#: (id, call(storage, object_id), error class, built-in class, text in message)
CASES = [
    # Object ids
    (
        "objectid-text",
        lambda s, i: s.set_task_object_status("not-an-id", "pass"),
        errors.InvalidObjectId,
        ValueError,
        "'object_id'",
    ),
    (
        "objectid-int",
        lambda s, i: s.find_task_object_by_id(12345),
        errors.InvalidObjectId,
        ValueError,
        "'object_id'",
    ),
    (
        "objectid-keyword",
        lambda s, i: s.update_payload(object_id="zz" * 12, update={"a": 1}),
        errors.InvalidObjectId,
        ValueError,
        "'object_id'",
    ),
    # Statuses
    (
        "status-unknown",
        lambda s, i: s.set_task_object_status(i, "done"),
        errors.InvalidStatus,
        ValueError,
        "'status'",
    ),
    (
        "status-case",
        lambda s, i: s.update_status(i, 1, "PASS"),
        errors.InvalidStatus,
        ValueError,
        "'status'",
    ),
    (
        "status-finish",
        lambda s, i: s.finish_task_object(i, 1, "ok"),
        errors.InvalidStatus,
        ValueError,
        "'status'",
    ),
    (
        "status-stage",
        lambda s, i: s.set_stage_status(i, 1, None),
        errors.InvalidStatus,
        ValueError,
        "'status'",
    ),
    (
        "status-claim",
        lambda s, i: s.find_one_task_object_by_status_and_stage("waiting", 0),
        errors.InvalidStatus,
        ValueError,
        "'statuses'",
    ),
    (
        "status-list",
        lambda s, i: s.find_all_task_objects_by_status(["new", "nope"]),
        errors.InvalidStatus,
        ValueError,
        "'statuses'",
    ),
    (
        "status-release",
        lambda s, i: s.release_stale_task_object(i, status="gone"),
        errors.InvalidStatus,
        ValueError,
        "'status'",
    ),
    # Stages
    (
        "stage-text",
        lambda s, i: s.set_task_object_stage(i, "one"),
        errors.InvalidStage,
        ValueError,
        "'stage'",
    ),
    (
        "stage-float",
        lambda s, i: s.set_task_object_stage(i, 1.5),
        errors.InvalidStage,
        ValueError,
        "'stage'",
    ),
    (
        "stage-bool",
        lambda s, i: s.set_task_object_stage(i, True),
        errors.InvalidStage,
        ValueError,
        "'stage'",
    ),
    (
        "stage-negative",
        lambda s, i: s.set_task_object_stage(i, -1),
        errors.InvalidStage,
        ValueError,
        "'stage'",
    ),
    (
        "stage-update-object",
        lambda s, i: s.update_stage_object(i, -2),
        errors.InvalidStage,
        ValueError,
        "'current_stage'",
    ),
    (
        "stage-update-status",
        lambda s, i: s.update_status(i, "x", "pass"),
        errors.InvalidStage,
        ValueError,
        "'current_stage'",
    ),
    (
        "stage-end-time",
        lambda s, i: s.set_stage_end_time(i, None),
        errors.InvalidStage,
        ValueError,
        "'stage'",
    ),
    (
        "stage-finish",
        lambda s, i: s.finish_task_object(i, -1, "pass"),
        errors.InvalidStage,
        ValueError,
        "'stage'",
    ),
    (
        "stage-claim",
        lambda s, i: s.find_one_task_object_by_status_and_stage("pass", [0, "a"]),
        errors.InvalidStage,
        ValueError,
        "'stages'",
    ),
    (
        "stage-retry-count",
        lambda s, i: s.set_retry_start_time(i, 1, "second"),
        TypeError,
        TypeError,
        "'retry_count'",
    ),
    # Dictionaries
    (
        "payload-not-dict",
        lambda s, i: s.create_new_task_object("customer 42"),
        errors.InvalidArgumentType,
        TypeError,
        "'payload'",
    ),
    (
        "payload-list",
        lambda s, i: s.create_new_task_object([("a", 1)]),
        errors.InvalidArgumentType,
        TypeError,
        "'payload'",
    ),
    (
        "update-not-dict",
        lambda s, i: s.update_payload(i, "a=1"),
        errors.InvalidArgumentType,
        TypeError,
        "'update'",
    ),
    (
        "new-payload-not-dict",
        lambda s, i: s.set_task_object_payload(i, ["a"]),
        errors.InvalidArgumentType,
        TypeError,
        "'new_payload'",
    ),
    (
        "analytics-not-dict",
        lambda s, i: s.set_task_object_analytics(i, "fast"),
        errors.InvalidArgumentType,
        TypeError,
        "'new_analytics'",
    ),
    (
        "payload-update-not-dict",
        lambda s, i: s.finish_task_object(i, 1, "pass", payload_update="x"),
        errors.InvalidArgumentType,
        TypeError,
        "'payload_update'",
    ),
    (
        "amend-not-dict",
        lambda s, i: s.find_one_task_object_by_status_and_stage("new", 0, amend="x"),
        errors.InvalidArgumentType,
        TypeError,
        "'amend'",
    ),
    (
        "raw-filter-not-dict",
        lambda s, i: s.update_task_object_and_timestamp("x", {"$set": {"a": 1}}),
        errors.InvalidArgumentType,
        TypeError,
        "'filter'",
    ),
    # Field names
    (
        "payload-dollar-key",
        lambda s, i: s.create_new_task_object({"$where": "1"}),
        errors.InvalidArgument,
        ValueError,
        "'payload'",
    ),
    (
        "payload-empty-key",
        lambda s, i: s.create_new_task_object({"": 1}),
        errors.InvalidArgument,
        ValueError,
        "'payload'",
    ),
    (
        "payload-nested-dollar-key",
        lambda s, i: s.create_new_task_object({"a": [{"$ref": 1}]}),
        errors.InvalidArgument,
        ValueError,
        "'payload'",
    ),
    (
        "payload-non-text-key",
        lambda s, i: s.create_new_task_object({1: "a"}),
        errors.InvalidArgumentType,
        TypeError,
        "'payload'",
    ),
    (
        "update-dollar-key",
        lambda s, i: s.update_payload(i, {"$set": {"a": 1}}),
        errors.InvalidArgument,
        ValueError,
        "'update'",
    ),
    (
        "update-empty-key",
        lambda s, i: s.update_payload(i, {"": 1}),
        errors.InvalidArgument,
        ValueError,
        "'update'",
    ),
    (
        "key-dollar",
        lambda s, i: s.add_key_value_pair_to_payload(i, "$inc", 1),
        errors.InvalidArgument,
        ValueError,
        "'key'",
    ),
    (
        "key-empty-part",
        lambda s, i: s.add_key_value_pair_to_payload(i, "a..b", 1),
        errors.InvalidArgument,
        ValueError,
        "'key'",
    ),
    (
        "key-empty",
        lambda s, i: s.remove_field_from_payload(i, ""),
        errors.InvalidArgument,
        ValueError,
        "'key'",
    ),
    (
        "analytics-key-dollar",
        lambda s, i: s.set_task_object_analytics_item(i, "a.$b", 1),
        errors.InvalidArgument,
        ValueError,
        "'key'",
    ),
    (
        "field-name-dollar",
        lambda s, i: s.push_value_to_array_field(i, 1, "payload.$x"),
        errors.InvalidArgument,
        ValueError,
        "'field_name'",
    ),
    (
        "data-title-dollar",
        lambda s, i: s.add_binary_data_to_payload(i, __file__, "$pdf"),
        errors.InvalidArgument,
        ValueError,
        "'data_title'",
    ),
    (
        "payload-update-dollar",
        lambda s, i: s.finish_task_object(i, 1, "pass", payload_update={"$x": 1}),
        errors.InvalidArgument,
        ValueError,
        "'payload_update'",
    ),
    (
        "new-analytics-dollar",
        lambda s, i: s.set_task_object_analytics(i, {"$x": 1}),
        errors.InvalidArgument,
        ValueError,
        "'new_analytics'",
    ),
    # Values MongoDB cannot store
    (
        "payload-set",
        lambda s, i: s.create_new_task_object({"tags": {"a", "b"}}),
        errors.InvalidArgumentType,
        TypeError,
        "'payload'",
    ),
    (
        "payload-object",
        lambda s, i: s.create_new_task_object({"thing": object()}),
        errors.InvalidArgumentType,
        TypeError,
        "'payload'",
    ),
    (
        "payload-huge-int",
        lambda s, i: s.create_new_task_object({"n": 2**70}),
        errors.InvalidArgumentType,
        TypeError,
        "'payload'",
    ),
    (
        "value-object",
        lambda s, i: s.add_key_value_pair_to_payload(i, "k", object()),
        errors.InvalidArgumentType,
        TypeError,
        "'value'",
    ),
    (
        "update-set",
        lambda s, i: s.update_payload(i, {"k": {1}}),
        errors.InvalidArgumentType,
        TypeError,
        "'update'",
    ),
    (
        "push-set",
        lambda s, i: s.push_value_to_array_field(i, {1}, "analytics.x"),
        errors.InvalidArgumentType,
        TypeError,
        "'value'",
    ),
    (
        "analytics-item-object",
        lambda s, i: s.set_task_object_analytics_item(i, "k", object()),
        errors.InvalidArgumentType,
        TypeError,
        "'value'",
    ),
    (
        "finish-payload-update-set",
        lambda s, i: s.finish_task_object(i, 1, "pass", payload_update={"k": {1}}),
        errors.InvalidArgumentType,
        TypeError,
        "'payload_update'",
    ),
    # Size
    (
        "payload-over-16mb",
        lambda s, i: s.create_new_task_object({"big": TOO_BIG}),
        errors.InvalidArgument,
        ValueError,
        "'payload'",
    ),
    (
        "update-over-16mb",
        lambda s, i: s.update_payload(i, {"big": TOO_BIG}),
        errors.InvalidArgument,
        ValueError,
        "'update'",
    ),
    (
        "value-over-16mb",
        lambda s, i: s.add_key_value_pair_to_payload(i, "big", TOO_BIG),
        errors.InvalidArgument,
        ValueError,
        "'value'",
    ),
    # Numbers
    (
        "priority-text",
        lambda s, i: s.create_new_task_object({}, priority="high"),
        errors.InvalidArgumentType,
        TypeError,
        "'priority'",
    ),
    (
        "new-priority-float",
        lambda s, i: s.set_task_object_priority(i, 1.5),
        errors.InvalidArgumentType,
        TypeError,
        "'new_priority'",
    ),
    # Defer until: the reference raises ValueError for a non-datetime.
    (
        "defer-until-text",
        lambda s, i: s.set_task_object_retry_time(i, "tomorrow"),
        errors.TOSError,
        ValueError,
        "'defer_until'",
    ),
    (
        "defer-until-rerun",
        lambda s, i: s.set_task_object_for_rerun(i, defer_until=object()),
        errors.TOSError,
        ValueError,
        "'defer_until'",
    ),
    # Files
    (
        "binary-missing-file",
        lambda s, i: s.add_binary_data_to_payload(i, "/nonexistent/scan.pdf", "pdf"),
        errors.InvalidArgument,
        ValueError,
        "'filepath'",
    ),
    (
        "binary-directory",
        lambda s, i: s.add_binary_data_to_payload(i, "/", "pdf"),
        errors.InvalidArgument,
        ValueError,
        "'filepath'",
    ),
    # Claim options
    (
        "claim-sort-condition",
        lambda s, i: s.find_one_task_object_by_status_and_stage(
            "new", 0, sort_condition="newest"
        ),
        errors.InvalidArgumentType,
        TypeError,
        "'sort_condition'",
    ),
    (
        "claim-unknown-option",
        lambda s, i: s.find_one_task_object_by_status_and_stage("new", 0, limit=1),
        errors.InvalidArgumentType,
        TypeError,
        "limit",
    ),
    (
        "claim-start-stage",
        lambda s, i: s.find_one_task_object_by_status_and_stage(
            "new", 0, start_stage=-1
        ),
        errors.InvalidStage,
        ValueError,
        "'start_stage'",
    ),
    (
        "claim-no-filter",
        lambda s, i: s.find_all_task_objects_by_status_and_stage(),
        errors.InvalidArgumentType,
        TypeError,
        "'statuses'",
    ),
    (
        "claim-empty-status-list",
        lambda s, i: s.find_one_task_object_by_status([]),
        errors.InvalidArgumentType,
        TypeError,
        "'statuses'",
    ),
    (
        "reclaim-negative",
        lambda s, i: s.claim_task_object(1, reclaim_stale_after=-5),
        errors.InvalidArgument,
        ValueError,
        "'reclaim_stale_after'",
    ),
    (
        "rerun-max-retries",
        lambda s, i: s.set_task_object_for_rerun(i, max_retries="many"),
        errors.InvalidArgumentType,
        TypeError,
        "'max_retries'",
    ),
    (
        "retry-metadata-not-dict",
        lambda s, i: s.save_retry_metadata_if_retry("to", 1),
        errors.InvalidArgumentType,
        TypeError,
        "'to'",
    ),
    (
        "stale-negative-stage",
        lambda s, i: s.find_stale_task_objects(60, stages=-1),
        errors.InvalidStage,
        ValueError,
        "'stages'",
    ),
    (
        "stage-negative-text",
        lambda s, i: s.set_task_object_stage(i, "-1"),
        errors.InvalidStage,
        ValueError,
        "'stage' must be 0 or more",
    ),
    (
        "create-finished-not-boolean",
        lambda s, i: s.create_new_task_object({"a": 1}, finished="maybe"),
        errors.InvalidArgumentType,
        TypeError,
        "'finished'",
    ),
    (
        "create-process-name-not-text",
        lambda s, i: s.create_new_task_object({"a": 1}, process_name={"x": 1}),
        errors.InvalidArgumentType,
        TypeError,
        "'process_name'",
    ),
    (
        "bulk-finished-not-boolean",
        lambda s, i: s.create_new_task_objects([{"a": 1}], finished=[True]),
        errors.InvalidArgumentType,
        TypeError,
        "'finished'",
    ),
    (
        "finish-status-processing",
        lambda s, i: s.finish_task_object(i, 1, "processing"),
        errors.InvalidStatus,
        ValueError,
        "'status' is 'processing', which is not an outcome",
    ),
    (
        "finish-status-new",
        lambda s, i: s.finish_task_object(i, 1, "new"),
        errors.InvalidStatus,
        ValueError,
        "'status' is 'new'",
    ),
    (
        "defer-delay-not-finite",
        lambda s, i: s.set_task_object_retry_time(i, float("nan")),
        errors.InvalidArgument,
        ValueError,
        "'defer_until' must be a finite number of seconds",
    ),
    (
        "payload-value-with-dollar-key",
        lambda s, i: s.add_key_value_pair_to_payload(i, "k", {"$where": "1"}),
        errors.InvalidArgument,
        ValueError,
        "'value' has the field name '$where'",
    ),
    (
        "analytics-item-with-dollar-key",
        lambda s, i: s.set_task_object_analytics_item(i, "k", [{"$set": 1}]),
        errors.InvalidArgument,
        ValueError,
        "'value' has the field name '$set'",
    ),
    (
        "push-value-with-empty-key",
        lambda s, i: s.push_value_to_array_field(i, {"": 1}, "payload.list"),
        errors.InvalidArgument,
        ValueError,
        "'value' has the field name ''",
    ),
    (
        "finish-payload-update-dotted-key",
        lambda s, i: s.finish_task_object(i, 1, "pass", payload_update={"a.b": 1}),
        errors.InvalidArgument,
        ValueError,
        "'payload_update' has the key 'a.b'",
    ),
    (
        "release-negative-stage",
        lambda s, i: s.release_stale_task_object(i, status="pass", stage=-1),
        errors.InvalidStage,
        ValueError,
        "'stage'",
    ),
]


@pytest.mark.parametrize(
    "call, error_class, builtin, argument",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_argument_is_refused_before_any_write(
    populated, call, error_class, builtin, argument
):
    storage, object_id = populated

    check_refused(
        storage, lambda: call(storage, object_id), error_class, builtin, argument
    )


def test_bad_object_in_a_separate_payload_call_writes_nothing(separate_storage):
    object_id = separate_storage.create_new_task_object({"a": 1})["_id"]

    check_refused(
        separate_storage,
        lambda: separate_storage.update_payload(object_id, {"$bad": 1}),
        errors.InvalidArgument,
        ValueError,
        "'update'",
    )
    check_refused(
        separate_storage,
        lambda: separate_storage.create_new_task_object({"s": {1}}),
        errors.InvalidArgumentType,
        TypeError,
        "'payload'",
    )
    check_refused(
        separate_storage,
        lambda: separate_storage.find_all_task_objects_and_merge_them_with_payloads(
            [object_id, "bad"]
        ),
        errors.InvalidObjectId,
        ValueError,
        "'object_ids'",
    )
    check_refused(
        separate_storage,
        lambda: separate_storage.find_payload_document_by_payload_id("bad"),
        errors.InvalidObjectId,
        ValueError,
        "'payload_id'",
    )


#: Every method that takes an object id, called with a valid argument list.
BY_ID = {
    "find_task_object_by_id": lambda s, i: s.find_task_object_by_id(i),
    "set_task_object_status": lambda s, i: s.set_task_object_status(i, "pass"),
    "set_task_object_stage": lambda s, i: s.set_task_object_stage(i, 1),
    "set_task_object_priority": lambda s, i: s.set_task_object_priority(i, 1),
    "set_task_object_payload": lambda s, i: s.set_task_object_payload(i, {}),
    "set_task_object_analytics": lambda s, i: s.set_task_object_analytics(i, {}),
    "set_task_object_analytics_item": lambda s, i: s.set_task_object_analytics_item(
        i, "k", 1
    ),
    "set_task_object_last_error": lambda s, i: s.set_task_object_last_error(i, "e"),
    "set_task_object_executor": lambda s, i: s.set_task_object_executor(i),
    "set_task_object_build_number": lambda s, i: s.set_task_object_build_number(i),
    "set_task_object_job_name": lambda s, i: s.set_task_object_job_name(i),
    "set_task_object_retry_time": lambda s, i: s.set_task_object_retry_time(
        i, timedelta(minutes=1)
    ),
    "set_task_object_for_rerun": lambda s, i: s.set_task_object_for_rerun(i),
    "set_task_object_to_manual_handling": lambda s, i: (
        s.set_task_object_to_manual_handling(i)
    ),
    "set_stage_start_time": lambda s, i: s.set_stage_start_time(i, 1),
    "set_stage_end_time": lambda s, i: s.set_stage_end_time(i, 1),
    "set_stage_status": lambda s, i: s.set_stage_status(i, 1, "pass"),
    "set_stage_build_number": lambda s, i: s.set_stage_build_number(i, 1),
    "set_stage_executor": lambda s, i: s.set_stage_executor(i, 1),
    "set_retry_start_time": lambda s, i: s.set_retry_start_time(i, 1, 1),
    "set_retry_end_time": lambda s, i: s.set_retry_end_time(i, 1, 1),
    "set_retry_executor": lambda s, i: s.set_retry_executor(i, 1, 1),
    "set_retry_build_number": lambda s, i: s.set_retry_build_number(i, 1, 1),
    "update_stage_object": lambda s, i: s.update_stage_object(i, 1),
    "update_status": lambda s, i: s.update_status(i, 1, "pass"),
    "update_exceptions": lambda s, i: s.update_exceptions(i, 1, "e"),
    "update_stage_exceptions": lambda s, i: s.update_stage_exceptions(i, "e", 1),
    "update_stage_retry_count": lambda s, i: s.update_stage_retry_count(i, 1),
    "increment_retry_count": lambda s, i: s.increment_retry_count(i),
    "increment_task_object_stage": lambda s, i: s.increment_task_object_stage(i),
    "decrement_task_object_stage": lambda s, i: s.decrement_task_object_stage(i),
    "update_payload": lambda s, i: s.update_payload(i, {"a": 1}),
    "add_key_value_pair_to_payload": lambda s, i: s.add_key_value_pair_to_payload(
        i, "a", 1
    ),
    "remove_field_from_payload": lambda s, i: s.remove_field_from_payload(i, "a"),
    "push_value_to_array_field": lambda s, i: s.push_value_to_array_field(
        i, 1, "analytics.x"
    ),
    "push_value_to_array_field-payload": lambda s, i: s.push_value_to_array_field(
        i, 1, "payload.x"
    ),
    "add_binary_data_to_payload": lambda s, i: s.add_binary_data_to_payload(
        i, __file__, "source"
    ),
    "finish_task_object": lambda s, i: s.finish_task_object(i, 1, "pass"),
    "release_stale_task_object": lambda s, i: s.release_stale_task_object(i),
}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("method", sorted(BY_ID))
def test_unknown_id_is_not_found_and_creates_nothing(populated, method):
    storage, _ = populated
    missing = ObjectId()

    error = check_refused(
        storage,
        lambda: BY_ID[method](storage, missing),
        errors.TaskObjectNotFound,
        ValueError,
        str(missing),
    )

    assert "No task object" in str(error)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("method", sorted(BY_ID))
def test_malformed_id_is_refused(populated, method):
    storage, _ = populated

    check_refused(
        storage,
        lambda: BY_ID[method](storage, "12345"),
        errors.InvalidObjectId,
        ValueError,
        "'object_id'",
    )


@pytest.mark.parametrize(
    "method",
    [
        "update_payload",
        "set_task_object_payload",
        "add_key_value_pair_to_payload",
        "remove_field_from_payload",
        "push_value_to_array_field-payload",
        "finish_task_object",
    ],
)
def test_unknown_id_with_separate_payloads_creates_nothing(separate_storage, method):
    separate_storage.create_new_task_object({"a": 1})
    missing = ObjectId()

    check_refused(
        separate_storage,
        lambda: BY_ID[method](separate_storage, missing),
        errors.TaskObjectNotFound,
        ValueError,
        str(missing),
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda s, i: s.create_new_task_object({"a": 1}),
        lambda s, i: s.create_new_task_objects([{"a": 1}]),
        lambda s, i: s.find_task_object_by_id(i),
        lambda s, i: s.find_one_task_object_by_status_and_stage("new", 0),
        lambda s, i: s.set_task_object_status(i, "pass"),
        lambda s, i: s.update_payload(i, {"a": 1}),
        lambda s, i: s.finish_task_object(i, 1, "pass"),
    ],
    ids=[
        "create_new_task_object",
        "create_new_task_objects",
        "find_task_object_by_id",
        "find_one_task_object_by_status_and_stage",
        "set_task_object_status",
        "update_payload",
        "finish_task_object",
    ],
)
def test_operations_before_initialize_tos_are_refused(options, call):
    storage = TaskObjectStorage(**options)
    try:
        with pytest.raises(errors.NotInitialized, match="initialize_tos"):
            call(storage, ObjectId())
        assert options["db_name"] not in storage.client.list_database_names()
    finally:
        storage.disconnect()


@pytest.mark.parametrize(
    "initialize, argument",
    [
        ({"collection_suffix": "Invoices"}, "'collection_suffix'"),
        ({"collection_prefix": "rpa-team"}, "'collection_prefix'"),
        ({"collection_suffix": "a b"}, "'collection_suffix'"),
        ({"collection_prefix": "$x"}, "'collection_prefix'"),
    ],
    ids=["upper-case", "dash", "space", "dollar"],
)
def test_invalid_collection_name_is_a_name_error_and_creates_nothing(
    populated, initialize, argument
):
    storage, _ = populated
    collection = storage.tos

    check_refused(
        storage,
        lambda: storage.initialize_tos(**initialize),
        errors.InvalidCollectionName,
        NameError,
        argument,
    )
    assert storage.tos is collection


def test_ttl_without_separate_payloads_is_refused_and_creates_nothing(populated):
    storage, _ = populated

    check_refused(
        storage,
        lambda: storage.initialize_tos(payloads_ttl_seconds=60),
        errors.InvalidArgument,
        ValueError,
        "'payloads_ttl_seconds'",
    )
    assert "payloads" not in storage.list_collections()


def test_negative_ttl_is_refused(populated):
    storage, _ = populated

    check_refused(
        storage,
        lambda: storage.initialize_tos(separate_payloads=True, payloads_ttl_seconds=-1),
        errors.InvalidArgument,
        ValueError,
        "'payloads_ttl_seconds'",
    )


def test_inline_mode_on_a_database_with_separate_payloads_is_refused(make_storage):
    storage = make_storage(separate_payloads=True)
    storage.create_new_task_object({"a": 1})

    check_refused(
        storage,
        lambda: storage.initialize_tos(),
        errors.InvalidArgument,
        ValueError,
        "'payloads'",
    )


def test_messages_describe_what_was_given(populated):
    storage, object_id = populated

    with pytest.raises(errors.InvalidStatus) as raised:
        storage.set_task_object_status(object_id, "finished")

    message = str(raised.value)
    assert "'finished'" in message
    for status in ("new", "processing", "pass", "fail", "expected_fail", "skip"):
        assert status in message


def test_errors_suppress_their_class_name_in_robot_logs():
    assert errors.TOSError.ROBOT_SUPPRESS_NAME is True
    assert issubclass(errors.ConnectionFailed, errors.TOSError)
    assert issubclass(errors.AuthenticationFailed, errors.ConnectionFailed)
