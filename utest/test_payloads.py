"""Changing the payload stored inside the task object."""

import os
from pathlib import Path

import pytest
from storage_checks import snapshot

from tos.errors import InvalidArgument, InvalidArgumentType


def stored_payload(storage, object_id):
    return storage.tos.find_one({"_id": object_id})["payload"]


def assert_bytes(value, expected):
    """pymongo reads binary data back as bytes; mongomock as bson.Binary."""
    assert isinstance(value, bytes)
    assert bytes(value) == expected


@pytest.fixture
def task(storage):
    payload = {"customer": {"name": "Ann", "id": 7}, "total": 10}
    return storage.create_new_task_object(payload)["_id"]


def test_update_payload_sets_top_level_keys_only(storage, task):
    returned = storage.update_payload(task, {"customer": {"id": 8}, "paid": True})

    assert stored_payload(storage, task) == {
        "customer": {"id": 8},
        "total": 10,
        "paid": True,
    }
    assert returned == storage.tos.find_one({"_id": task})


def test_set_task_object_payload_replaces_it(storage, task):
    storage.set_task_object_payload(task, {"only": 1})

    assert stored_payload(storage, task) == {"only": 1}


def test_add_key_value_pair_with_a_dotted_key(storage, task):
    storage.add_key_value_pair_to_payload(task, "customer.email", "ann@example.com")
    storage.add_key_value_pair_to_payload(task, "status_text", "ok")

    assert stored_payload(storage, task) == {
        "customer": {"name": "Ann", "id": 7, "email": "ann@example.com"},
        "total": 10,
        "status_text": "ok",
    }


def test_remove_field_from_payload_with_a_dotted_key(storage, task):
    storage.remove_field_from_payload(task, "customer.name")
    storage.remove_field_from_payload(task, "total")

    assert stored_payload(storage, task) == {"customer": {"id": 7}}


def test_removing_a_missing_field_changes_nothing_in_the_payload(storage, task):
    storage.remove_field_from_payload(task, "not_there")

    assert stored_payload(storage, task) == {
        "customer": {"name": "Ann", "id": 7},
        "total": 10,
    }


def test_push_value_creates_and_extends_an_array(storage, task):
    storage.push_value_to_array_field(task, "first", "payload.alerts")
    storage.push_value_to_array_field(task, {"code": 2}, "payload.alerts")
    storage.push_value_to_array_field(task, 3, "analytics.steps")

    document = storage.tos.find_one({"_id": task})
    assert document["payload"]["alerts"] == ["first", {"code": 2}]
    assert document["analytics"] == {"steps": [3]}


def test_binary_data_is_stored_and_saved_back_to_a_file(storage, task, tmp_path):
    source = tmp_path / "invoice.pdf"
    content = bytes(range(256)) * 4
    source.write_bytes(content)

    returned = storage.add_binary_data_to_payload(task, str(source), "invoice_pdf")

    assert_bytes(stored_payload(storage, task)["invoice_pdf"], content)
    path = storage.save_binary_payload_to_tmp(
        returned, "invoice_pdf", prefix="inv_", suffix=".pdf"
    )
    try:
        assert Path(path).read_bytes() == content
        assert os.path.basename(path).startswith("inv_")
        assert path.endswith(".pdf")
    finally:
        os.remove(path)


def test_binary_data_accepts_a_path_object(storage, task, tmp_path):
    source = tmp_path / "data.bin"
    source.write_bytes(b"\x00\xff")

    storage.add_binary_data_to_payload(task, source, "data")

    assert_bytes(stored_payload(storage, task)["data"], b"\x00\xff")


def test_missing_binary_file_writes_nothing(storage, task, tmp_path):
    before = snapshot(storage)

    with pytest.raises(InvalidArgument, match="'filepath'") as error:
        storage.add_binary_data_to_payload(task, str(tmp_path / "gone.pdf"), "pdf")

    assert isinstance(error.value, ValueError)
    assert snapshot(storage) == before


def test_saving_a_missing_payload_item_names_it(storage, task):
    task_object = storage.find_task_object_by_id(task)

    with pytest.raises(InvalidArgument, match="'payload_item_name'"):
        storage.save_binary_payload_to_tmp(task_object, "nope")


def test_saving_a_non_binary_payload_item_is_a_type_error(storage, task):
    task_object = storage.find_task_object_by_id(task)

    with pytest.raises(InvalidArgumentType, match="'total'"):
        storage.save_binary_payload_to_tmp(task_object, "total")


def test_default_prefix_of_the_saved_file(storage, task):
    storage.add_key_value_pair_to_payload(task, "blob", b"abc")
    task_object = storage.find_task_object_by_id(task)

    path = storage.save_binary_payload_to_tmp(task_object, "blob")
    try:
        assert os.path.basename(path).startswith("tmp_")
        assert Path(path).read_bytes() == b"abc"
    finally:
        os.remove(path)


def test_payload_values_keep_their_types(storage, task):
    from datetime import datetime

    values = {
        "text": "å",
        "int": 2**40,
        "float": 1.5,
        "bool": False,
        "none": None,
        "list": [1, "a"],
        "date": datetime(2024, 2, 29, 12, 0, 0, 123000),
    }

    storage.update_payload(task, values)

    payload = stored_payload(storage, task)
    for key, value in values.items():
        assert payload[key] == value
        assert isinstance(payload[key], type(value))


def test_payload_datetime_is_kept_to_the_millisecond(storage, task):
    from datetime import datetime

    storage.add_key_value_pair_to_payload(
        task, "when", datetime(2024, 1, 2, 3, 4, 5, 678901)
    )

    assert stored_payload(storage, task)["when"] == datetime(
        2024, 1, 2, 3, 4, 5, 678000
    )


def test_payload_methods_refuse_separate_only_calls(storage, task):
    before = snapshot(storage)

    with pytest.raises(TypeError, match="separated payloads"):
        storage.update_payload_document_and_timestamps(task, {"$set": {"a": 1}})
    with pytest.raises(TypeError):
        storage.find_task_object_by_id_and_merge_payload(task)
    with pytest.raises(TypeError):
        storage.find_all_task_objects_and_merge_them_with_payloads([task])
    with pytest.raises(TypeError):
        storage.find_payload_document_by_to_id(task)
    with pytest.raises(TypeError):
        storage.find_payload_document_by_payload_id(task)

    assert snapshot(storage) == before
