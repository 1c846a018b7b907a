"""Updates MongoDB refuses are reported clearly and change nothing."""

import pytest
from conftest import BACKEND
from storage_checks import snapshot

from tos.errors import InvalidArgument, UpdateRefused


@pytest.mark.parametrize("field_name", ["status", "payload", "_id", "stages"])
def test_push_to_a_field_that_is_never_a_list_is_refused(storage, field_name):
    object_id = storage.create_new_task_object({"a": 1})["_id"]
    before = snapshot(storage)

    with pytest.raises(InvalidArgument, match="'field_name'.*not a list"):
        storage.push_value_to_array_field(object_id, "x", field_name)

    assert snapshot(storage) == before


#: (id, payload, analytics, call(storage, object_id)) of updates MongoDB refuses
REFUSED = [
    (
        "push-onto-text",
        {"a": "text"},
        None,
        lambda s, i: s.push_value_to_array_field(i, "x", "payload.a"),
    ),
    (
        "push-onto-an-analytics-number",
        {},
        {"steps": 3},
        lambda s, i: s.push_value_to_array_field(i, "x", "analytics.steps"),
    ),
    (
        "key-inside-text",
        {"name": "text"},
        None,
        lambda s, i: s.add_key_value_pair_to_payload(i, "name.first", "Ada"),
    ),
    (
        "analytics-key-inside-a-list",
        {},
        {"runs": [1, 2]},
        lambda s, i: s.set_task_object_analytics_item(i, "runs.last", 2),
    ),
]


@pytest.mark.parametrize(
    "payload, analytics, call",
    [case[1:] for case in REFUSED],
    ids=[case[0] for case in REFUSED],
)
def test_update_mongodb_refuses_is_reported_and_changes_nothing(
    storage, payload, analytics, call
):
    object_id = storage.create_new_task_object(payload)["_id"]
    if analytics:
        storage.set_task_object_analytics(object_id, analytics)
    before = snapshot(storage)

    with pytest.raises(
        UpdateRefused, match="refused to change task object.*Nothing was written"
    ):
        call(storage, object_id)

    assert snapshot(storage) == before


def test_setting_a_key_inside_a_plain_value_is_refused(separate_storage):
    object_id = separate_storage.create_new_task_object({"a": 2})["_id"]
    before = snapshot(separate_storage)

    with pytest.raises(UpdateRefused, match="Nothing was written"):
        separate_storage.add_key_value_pair_to_payload(object_id, "a.b", 3)

    assert snapshot(separate_storage) == before


def test_paths_mongodb_accepts_are_written(storage):
    object_id = storage.create_new_task_object({"rows": [{"n": 1}], "a": {}})["_id"]

    storage.add_key_value_pair_to_payload(object_id, "rows.0.n", 5)
    storage.add_key_value_pair_to_payload(object_id, "a.b.c", 6)
    storage.push_value_to_array_field(object_id, "x", "payload.new_list")
    storage.push_value_to_array_field(object_id, {"n": 2}, "payload.rows")

    payload = storage.find_task_object_by_id(object_id)["payload"]
    assert payload == {
        "rows": [{"n": 5}, {"n": 2}],
        "a": {"b": {"c": 6}},
        "new_list": ["x"],
    }


def test_a_number_operator_on_text_is_refused(separate_storage):
    object_id = separate_storage.create_new_task_object({"a": "text"})["_id"]
    before = snapshot(separate_storage)

    with pytest.raises(UpdateRefused, match="Nothing was written"):
        separate_storage.update_payload_document_and_timestamps(
            object_id, {"$inc": {"payload.a": 1}}
        )

    assert snapshot(separate_storage) == before


@pytest.mark.skipif(
    BACKEND != "embedded",
    reason="MongoDB pads the list with nulls; only mongomock cannot",
)
@pytest.mark.parametrize(
    "call",
    [
        lambda s, i: s.add_key_value_pair_to_payload(i, "rows.5.n", 1),
        lambda s, i: s.push_value_to_array_field(i, 1, "payload.rows.3"),
        lambda s, i: s.remove_field_from_payload(i, "rows.0"),
    ],
    ids=["set-past-the-end", "push-past-the-end", "unset-element"],
)
def test_list_changes_the_embedded_backend_cannot_make_are_refused(storage, call):
    object_id = storage.create_new_task_object({"rows": [{"n": 0}]})["_id"]
    before = snapshot(storage)

    with pytest.raises(UpdateRefused, match="the embedded backend cannot"):
        call(storage, object_id)

    assert snapshot(storage) == before


@pytest.mark.skipif(BACKEND == "embedded", reason="mongomock cannot pad lists")
def test_setting_past_the_end_of_a_list_pads_it_with_nulls(storage):
    object_id = storage.create_new_task_object({"rows": [{"n": 0}]})["_id"]

    storage.add_key_value_pair_to_payload(object_id, "rows.2.n", 1)

    assert storage.find_task_object_by_id(object_id)["payload"]["rows"] == [
        {"n": 0},
        None,
        {"n": 1},
    ]
