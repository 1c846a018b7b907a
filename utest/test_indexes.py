"""Collections and indexes that initialize_tos sets up."""

import pytest
from conftest import BACKEND
from storage_checks import snapshot

CLAIM_ORDER = [("status", 1), ("stage", 1), ("priority", -1), ("_id", 1)]


def index_summary(collection):
    """Name -> (key, unique, expireAfterSeconds, partial filter) of each index."""
    return {
        name: (
            [(field, int(direction)) for field, direction in info["key"]],
            bool(info.get("unique")),
            info.get("expireAfterSeconds"),
            info.get("partialFilterExpression"),
        )
        for name, info in collection.index_information().items()
    }


def test_claim_and_listing_indexes_are_created(storage):
    indexes = index_summary(storage.tos)

    assert indexes["claim_order"][0] == CLAIM_ORDER
    assert indexes["stale_claims"][0] == [("status", 1), ("claimedAt", 1)]


@pytest.mark.skipif(
    BACKEND == "embedded",
    reason="the embedded backend enforces unique references in its process, "
    "without an index; test_embedded_backend_has_no_reference_index covers it",
)
def test_server_backends_get_a_partial_unique_reference_index(storage):
    reference = index_summary(storage.tos)["reference_unique"]

    assert reference[0] == [("reference", 1)]
    assert reference[1] is True
    assert reference[3] == {"reference": {"$type": "string"}}


@pytest.mark.skipif(BACKEND != "embedded", reason="embedded backend only")
def test_embedded_backend_has_no_reference_index(storage):
    # mongomock would scan the whole collection on every write to enforce a
    # unique index; the engine checks references under a lock instead, and
    # test_references.py proves the behaviour is the same.
    assert "reference_unique" not in storage.tos.index_information()


def test_initialize_tos_again_keeps_indexes_and_data(storage):
    storage.create_new_task_object({"a": 1}, reference="r")
    indexes = index_summary(storage.tos)
    before = snapshot(storage)

    storage.initialize_tos()

    assert index_summary(storage.tos) == indexes
    assert snapshot(storage) == before


def test_collection_names_with_prefix_and_suffix(make_storage):
    storage = make_storage(
        collection_prefix="team_a",
        collection_suffix="invoices.v2",
        separate_payloads=True,
    )

    storage.create_new_task_object({"a": 1})

    assert storage.tos.name == "team_a.task_objects.invoices.v2"
    assert storage.payloads_coll.name == "team_a.payloads"
    assert set(storage.list_collections()) == {
        "team_a.task_objects.invoices.v2",
        "team_a.payloads",
    }
    assert "claim_order" in storage.tos.index_information()


def test_suffixes_keep_queues_apart(make_storage):
    first = make_storage(collection_suffix="one")
    second = make_storage(collection_suffix="two")

    first.create_new_task_object({"queue": 1})

    assert second.find_one_task_object_by_status_and_stage("new", 0) is None
    assert first.tos.count_documents({}) == 1
    assert second.tos.count_documents({}) == 0


def test_payload_ttl_index_is_created(make_storage):
    storage = make_storage(separate_payloads=True, payloads_ttl_seconds=86400)

    ttl = index_summary(storage.payloads_coll)["ttl_index"]

    assert ttl[0] == [("updatedAt", 1)]
    assert ttl[2] == 86400


def test_changed_payload_ttl_replaces_the_index(make_storage):
    storage = make_storage(separate_payloads=True, payloads_ttl_seconds=60)
    storage.create_new_task_object({"a": 1})
    before = snapshot(storage)

    storage.initialize_tos(separate_payloads=True, payloads_ttl_seconds=120)

    ttl = index_summary(storage.payloads_coll)["ttl_index"]
    assert ttl[2] == 120
    assert snapshot(storage) == before


def test_same_payload_ttl_keeps_the_index(make_storage):
    storage = make_storage(separate_payloads=True, payloads_ttl_seconds=60)
    indexes = index_summary(storage.payloads_coll)

    storage.initialize_tos(separate_payloads=True, payloads_ttl_seconds=60)

    assert index_summary(storage.payloads_coll) == indexes


def test_dropped_ttl_index_is_restored_on_initialization(make_storage):
    storage = make_storage(separate_payloads=True, payloads_ttl_seconds=60)
    storage.payloads_coll.drop_index("ttl_index")

    storage.initialize_tos(separate_payloads=True, payloads_ttl_seconds=60)

    assert index_summary(storage.payloads_coll)["ttl_index"][2] == 60


@pytest.mark.parametrize("ttl", [0, 0.0])
def test_no_ttl_index_without_a_ttl(make_storage, ttl):
    storage = make_storage(separate_payloads=True, payloads_ttl_seconds=ttl)
    storage.create_new_task_object({"a": 1})

    assert "ttl_index" not in storage.payloads_coll.index_information()


def test_unique_reference_index_ignores_objects_without_reference(storage):
    for _ in range(3):
        storage.create_new_task_object({"a": 1})

    assert storage.tos.count_documents({}) == 3
