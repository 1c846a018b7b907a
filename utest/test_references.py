"""Unique references: a producer that runs twice queues each item once."""

import pytest
from storage_checks import snapshot

from tos.errors import InvalidArgument, InvalidArgumentType


def test_reference_is_stored(storage):
    created = storage.create_new_task_object({"invoice": 1}, reference="INV-1")

    assert storage.tos.find_one({"_id": created["_id"]})["reference"] == "INV-1"


def test_same_reference_returns_the_existing_object_and_writes_nothing(storage):
    first = storage.create_new_task_object({"invoice": 1}, reference="INV-1")
    before = snapshot(storage)

    second = storage.create_new_task_object({"invoice": "changed"}, reference="INV-1")

    assert second == storage.tos.find_one({"_id": first["_id"]})
    assert second["payload"] == {"invoice": 1}
    assert snapshot(storage) == before


def test_existing_reference_is_returned_as_it_is_now(storage):
    first = storage.create_new_task_object({"invoice": 1}, reference="INV-1")
    storage.set_task_object_status(first["_id"], "fail")

    again = storage.create_new_task_object({"invoice": 1}, reference="INV-1")

    assert again["status"] == "fail"
    assert storage.tos.count_documents({}) == 1


def test_objects_without_reference_are_never_merged(storage):
    storage.create_new_task_object({"invoice": 1})
    storage.create_new_task_object({"invoice": 1})

    assert storage.tos.count_documents({}) == 2
    assert storage.tos.count_documents({"reference": {"$exists": True}}) == 0


def test_bulk_with_reference_field_skips_existing_and_repeated_rows(storage):
    existing = storage.create_new_task_object({"invoice": "B"}, reference="B")
    rows = [
        {"invoice": "A", "row": 1},
        {"invoice": "B", "row": 2},
        {"invoice": "C", "row": 3},
        {"invoice": "A", "row": 4},
        {"invoice": "C", "row": 5},
    ]

    created = storage.create_new_task_objects(rows, reference_field="invoice")

    assert storage.tos.count_documents({}) == 3
    by_reference = {document["reference"]: document for document in storage.tos.find()}
    assert set(by_reference) == {"A", "B", "C"}
    assert by_reference["A"]["payload"] == {"invoice": "A", "row": 1}
    assert by_reference["B"]["_id"] == existing["_id"]
    assert by_reference["C"]["payload"] == {"invoice": "C", "row": 3}
    assert [item["_id"] for item in created] == [
        by_reference[row["invoice"]]["_id"] for row in rows
    ]
    assert created[1] == by_reference["B"]


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_bulk_references_are_idempotent_across_runs(storage, batch_size):
    rows = [{"file": name} for name in ["a.pdf", "b.pdf", "a.pdf", "c.pdf"]]

    first = storage.create_new_task_objects(
        rows, reference_field="file", batch_size=batch_size
    )
    after_first = snapshot(storage)
    second = storage.create_new_task_objects(
        rows, reference_field="file", batch_size=batch_size
    )

    assert snapshot(storage) == after_first
    assert storage.tos.count_documents({}) == 3
    assert [item["_id"] for item in second] == [item["_id"] for item in first]


def test_bulk_with_a_references_list(storage):
    created = storage.create_new_task_objects(
        [{"n": 1}, {"n": 2}, {"n": 3}], references=["x", None, "x"]
    )

    assert storage.tos.count_documents({}) == 2
    assert created[0]["_id"] == created[2]["_id"]
    assert "reference" not in storage.tos.find_one({"_id": created[1]["_id"]})


def test_separate_payloads_leave_no_orphan_payload_for_a_duplicate(separate_storage):
    separate_storage.create_new_task_object({"n": 0}, reference="dup")
    rows = [{"ref": "dup", "n": 1}, {"ref": "new", "n": 2}, {"ref": "new", "n": 3}]

    created = separate_storage.create_new_task_objects(rows, reference_field="ref")

    assert separate_storage.tos.count_documents({}) == 2
    assert separate_storage.payloads_coll.count_documents({}) == 2
    referenced = {
        document["payload"]["_id"] for document in separate_storage.tos.find()
    }
    stored_payloads = {
        document["_id"] for document in separate_storage.payloads_coll.find()
    }
    assert referenced == stored_payloads
    assert [item["payload"] for item in created] == [
        {"n": 0},
        {"ref": "new", "n": 2},
        {"ref": "new", "n": 2},
    ]


def test_single_duplicate_with_separate_payloads_leaves_no_orphan(separate_storage):
    first = separate_storage.create_new_task_object({"n": 1}, reference="r")

    again = separate_storage.create_new_task_object({"n": 2}, reference="r")

    assert again["_id"] == first["_id"]
    assert again["payload"] == {"n": 1}
    assert separate_storage.payloads_coll.count_documents({}) == 1


def test_find_task_object_by_reference(storage):
    created = storage.create_new_task_object({"n": 1}, reference="REF-9")

    assert storage.find_task_object_by_reference("REF-9") == created
    assert storage.find_task_object_by_reference("REF-10") is None


@pytest.mark.parametrize("reference", ["", 12, ["a"]], ids=["empty", "int", "list"])
def test_bad_reference_is_refused_and_writes_nothing(storage, reference):
    before = snapshot(storage)

    with pytest.raises(InvalidArgumentType, match="'reference'"):
        storage.create_new_task_object({"n": 1}, reference=reference)

    assert snapshot(storage) == before


def test_references_list_of_the_wrong_length_writes_nothing(storage):
    before = snapshot(storage)

    with pytest.raises(InvalidArgument, match="'references'"):
        storage.create_new_task_objects([{"n": 1}, {"n": 2}], references=["a"])

    assert snapshot(storage) == before


def test_reference_field_and_references_together_are_refused(storage):
    before = snapshot(storage)

    with pytest.raises(InvalidArgument, match="reference_field"):
        storage.create_new_task_objects(
            [{"n": 1}], reference_field="n", references=["a"]
        )

    assert snapshot(storage) == before


def test_reference_field_missing_in_a_row_creates_nothing(storage):
    rows = [{"invoice": "A"}, {"Invoice": "B"}, {"invoice": "C"}]

    with pytest.raises(InvalidArgument, match="payload number 2 has no such key"):
        storage.create_new_task_objects(rows, reference_field="invoice")

    assert storage.tos.count_documents({}) == 0


def test_whole_number_references_are_stored_as_text(storage):
    rows = [{"invoice": 1001}, {"invoice": 1002}]

    storage.create_new_task_objects(rows, reference_field="invoice")
    again = storage.create_new_task_objects(rows, reference_field="invoice")

    assert storage.tos.count_documents({}) == 2
    assert [row["reference"] for row in again] == ["1001", "1002"]


@pytest.mark.parametrize("value", [None, "", 1.5, True, ["x"]])
def test_reference_field_value_that_is_no_reference_is_refused(storage, value):
    rows = [{"invoice": "A"}, {"invoice": value}]

    with pytest.raises(
        InvalidArgumentType, match="'reference_field': payload number 2"
    ):
        storage.create_new_task_objects(rows, reference_field="invoice")

    assert storage.tos.count_documents({}) == 0
