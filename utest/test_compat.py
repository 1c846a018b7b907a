"""What code written for task-object-storage 1.4 relies on keeps working."""

import inspect
import os
import warnings

import pytest
from bson import ObjectId
from conftest import connection_options

from tos.task_object_storage import TaskObjectStorage

#: Parameters of each public method as the reference documents them.
REFERENCE_SIGNATURES = {
    "add_binary_data_to_payload": "object_id, filepath, data_title",
    "add_key_value_pair_to_payload": "object_id, key, value",
    "connect": "",
    "create_new_task_object": "payload, process_name='', priority=0",
    "decrement_task_object_stage": "object_id",
    "disconnect": "",
    "find_all_failed_task_objects": "",
    "find_all_task_objects_and_merge_them_with_payloads": "object_ids",
    "find_all_task_objects_by_stage": "stages",
    "find_all_task_objects_by_status": "statuses",
    "find_all_task_objects_by_status_and_stage": "statuses=None, stages=None",
    "find_all_task_objects_marked_as_manual_and_not_passed": "",
    "find_one_task_object_by_stage": "stages",
    "find_one_task_object_by_status": "statuses",
    "find_one_task_object_by_status_and_stage": (
        "statuses=None, stages=None, **kwargs"
    ),
    "find_one_task_object_marked_as_manual_and_not_passed": "",
    "find_payload_document_by_payload_id": "payload_id",
    "find_payload_document_by_to_id": "object_id",
    "find_task_object_by_id": "object_id",
    "find_task_object_by_id_and_merge_payload": "object_id",
    "increment_retry_count": "object_id",
    "increment_task_object_stage": "object_id",
    "initialize_tos": (
        "collection_suffix='', separate_payloads=False, payloads_ttl_seconds=0, "
        "collection_prefix=''"
    ),
    "list_collections": "",
    "push_value_to_array_field": "object_id, value, field_name",
    "remove_field_from_payload": "object_id, key",
    "save_binary_payload_to_tmp": (
        "task_object, payload_item_name, prefix='', suffix=''"
    ),
    "save_retry_metadata_if_retry": "to, current_stage",
    "set_retry_build_number": "object_id, stage, retry_count",
    "set_retry_end_time": "object_id, stage, retry_count",
    "set_retry_executor": "object_id, stage, retry_count",
    "set_retry_start_time": "object_id, stage, retry_count",
    "set_stage_build_number": "object_id, stage",
    "set_stage_end_time": "object_id, stage",
    "set_stage_executor": "object_id, stage",
    "set_stage_start_time": "object_id, stage",
    "set_stage_status": "object_id, stage, status",
    "set_task_object_analytics": "object_id, new_analytics",
    "set_task_object_analytics_item": "object_id, key, value",
    "set_task_object_build_number": "object_id",
    "set_task_object_executor": "object_id",
    "set_task_object_for_rerun": "object_id, defer_until=None",
    "set_task_object_job_name": "object_id",
    "set_task_object_last_error": "object_id, error_text",
    "set_task_object_payload": "object_id, new_payload",
    "set_task_object_priority": "object_id, new_priority",
    "set_task_object_retry_time": "object_id, defer_until",
    "set_task_object_stage": "object_id, stage",
    "set_task_object_status": "object_id, status",
    "set_task_object_to_manual_handling": "object_id",
    "update_exceptions": "object_id, current_stage, error_text",
    "update_payload": "object_id, update",
    "update_payload_document_and_timestamps": "object_id, update",
    "update_stage_exceptions": "object_id, error_text, stage",
    "update_stage_object": "object_id, current_stage",
    "update_stage_retry_count": "object_id, stage",
    "update_status": "object_id, current_stage, status",
    "update_task_object_and_timestamp": "filter, update, sort=None",
}


def parameters(function):
    """The parameters after ``self`` as ``name`` or ``name=default`` text."""
    shown = []
    for parameter in list(inspect.signature(function).parameters.values())[1:]:
        if parameter.kind is parameter.VAR_KEYWORD:
            shown.append(f"**{parameter.name}")
        elif parameter.default is parameter.empty:
            shown.append(parameter.name)
        else:
            shown.append(f"{parameter.name}={parameter.default!r}")
    return shown


@pytest.mark.parametrize("name", sorted(REFERENCE_SIGNATURES))
def test_method_keeps_the_reference_signature(name):
    expected = [p for p in REFERENCE_SIGNATURES[name].split(", ") if p]

    actual = parameters(getattr(TaskObjectStorage, name))

    if expected and expected[-1].startswith("**"):
        assert actual == expected
    else:
        assert actual[: len(expected)] == expected
        added = list(inspect.signature(getattr(TaskObjectStorage, name)).parameters)
        for extra in added[len(expected) + 1 :]:
            parameter = inspect.signature(getattr(TaskObjectStorage, name)).parameters[
                extra
            ]
            assert parameter.default is not parameter.empty, (
                f"{name}: new parameter {extra!r} needs a default"
            )


def test_import_paths():
    import tos
    import tos.settings
    import tos.statuses
    import tos.utils
    from TOSLibrary import TOSLibrary as from_package
    from TOSLibrary.dynamic_library import DynamicLibrary
    from TOSLibrary.TOSLibrary import TOSLibrary as from_module

    assert tos.TaskObjectStorage is TaskObjectStorage
    assert tos.settings.DEFAULT_DB_ADDRESS == "mongodb://localhost:27017/"
    assert inspect.isclass(tos.statuses.Status)
    assert callable(tos.utils.accept_string_object_ids)
    assert callable(tos.utils.get_temporary_file)
    assert inspect.isclass(from_module)
    assert from_package is from_module
    assert inspect.isclass(DynamicLibrary)


def test_status_values():
    from tos.statuses import Status

    assert Status.NEW == "new"
    assert Status.PROCESSING == "processing"
    assert Status.PASS == "pass"
    assert Status.FAIL == "fail"
    assert Status.EXPECTED_FAIL == "expected_fail"
    assert Status.SKIP == "skip"


def test_accept_string_object_ids():
    from tos.utils import accept_string_object_ids

    class Holder:
        @accept_string_object_ids
        def get(self, object_id, other=None):
            """Return what arrived."""
            return object_id, other

    object_id = ObjectId()

    assert Holder().get(str(object_id), "x") == (object_id, "x")
    assert Holder().get(object_id) == (object_id, None)
    assert Holder().get(object_id=str(object_id)) == (object_id, None)
    assert Holder.get.__doc__ == "Return what arrived."
    with pytest.raises(ValueError, match="'object_id'"):
        Holder().get("nope")


def test_get_temporary_file(tmp_path):
    from tos.utils import get_temporary_file

    default = get_temporary_file()
    named = get_temporary_file(prefix="scan_", suffix=".pdf", directory=str(tmp_path))
    try:
        assert os.path.basename(default).startswith("tmp_")
        assert os.path.getsize(default) == 0
        assert os.path.dirname(named) == str(tmp_path)
        assert os.path.basename(named).startswith("scan_")
        assert named.endswith(".pdf")
        with open(named, "wb") as file:
            file.write(b"ok")
    finally:
        os.remove(default)
    with open(named, "rb") as file:
        assert file.read() == b"ok"


def test_deprecated_manual_calls_emit_deprecation_warnings(storage):
    low = storage.create_new_task_object({"n": 1}, priority=1)["_id"]
    high = storage.create_new_task_object({"n": 2}, priority=9)["_id"]
    passed = storage.create_new_task_object({"n": 3})["_id"]

    with pytest.warns(DeprecationWarning):
        for object_id in (low, high, passed):
            storage.set_task_object_to_manual_handling(object_id)
    storage.set_task_object_status(passed, "pass")
    with pytest.warns(DeprecationWarning):
        found = storage.find_all_task_objects_marked_as_manual_and_not_passed()
    with pytest.warns(DeprecationWarning):
        one = storage.find_one_task_object_marked_as_manual_and_not_passed()

    assert storage.tos.count_documents({"manual": True}) == 3
    assert [item["_id"] for item in found] == [high, low]
    assert one["_id"] == high


@pytest.mark.parametrize(
    "call",
    [
        lambda s, i: s.set_task_object_to_manual_handling(i),
        lambda s, i: s.find_all_task_objects_marked_as_manual_and_not_passed(),
        lambda s, i: s.find_one_task_object_marked_as_manual_and_not_passed(),
    ],
    ids=[
        "set_task_object_to_manual_handling",
        "find_all_task_objects_marked_as_manual_and_not_passed",
        "find_one_task_object_marked_as_manual_and_not_passed",
    ],
)
def test_deprecation_warning_points_at_the_calling_code(storage, call):
    object_id = storage.create_new_task_object({})["_id"]

    with pytest.warns(DeprecationWarning) as records:
        call(storage, object_id)

    assert [record.filename for record in records] == [__file__]


def test_manual_listing_with_nothing_marked(storage):
    storage.create_new_task_object({})

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert storage.find_all_task_objects_marked_as_manual_and_not_passed() == []
        assert storage.find_one_task_object_marked_as_manual_and_not_passed() is None


def test_collection_and_client_attributes(storage, separate_storage):
    import pymongo.collection

    assert isinstance(storage.tos, pymongo.collection.Collection) or (
        type(storage.tos).__module__.startswith("mongomock")
    )
    assert storage.payloads_coll is None
    assert separate_storage.payloads_coll is not None
    assert storage.tos.name == "task_objects"
    assert separate_storage.payloads_coll.name == "payloads"
    assert storage.client is not None


@pytest.fixture
def library_options():
    options = connection_options()
    yield options
    storage = TaskObjectStorage(**options)
    storage.client.drop_database(options["db_name"])
    storage.disconnect()


def test_tos_library_exposes_the_engine(library_options):
    from TOSLibrary import TOSLibrary

    library = TOSLibrary(**library_options, collection_suffix="lib")
    try:
        assert isinstance(library.tos, TaskObjectStorage)
        assert library.tos.tos.name == "task_objects.lib"
        created = library.tos.create_new_task_object({"via": "library"})
        stored = library.tos.tos.find_one({"_id": created["_id"]})
        assert stored["payload"] == {"via": "library"}
    finally:
        library.tos.disconnect()


def test_tos_library_keeps_the_reference_import_arguments():
    from TOSLibrary import TOSLibrary

    names = list(inspect.signature(TOSLibrary.__init__).parameters)[1:]

    assert names == [
        "db_server",
        "db_name",
        "db_user",
        "db_passw",
        "db_auth_source",
        "collection_suffix",
        "separate_payloads",
        "payloads_ttl",
        "collection_prefix",
        "mongo_client_options",
    ]


def test_dynamic_library_subclass_with_components(storage, tmp_path):
    import tos.utils
    from TOSLibrary.dynamic_library import DynamicLibrary

    class Custom(DynamicLibrary):
        """A custom library."""

        def __init__(self, engine):
            super().__init__()
            self.add_component(self)
            self.add_component(engine)
            self.add_component(tos.utils)

        def greet(self, name, punctuation="!"):
            """Say hello."""
            return f"Hello {name}{punctuation}"

    library = Custom(storage)
    names = library.get_keyword_names()

    assert {"greet", "create_new_task_object", "get_temporary_file"} <= set(names)
    assert not any(name.startswith("_") for name in names)
    assert library.run_keyword("greet", ["robot"], {}) == "Hello robot!"
    created = library.run_keyword("create_new_task_object", [{"kw": 1}], {})
    assert storage.tos.find_one({"_id": created["_id"]})["payload"] == {"kw": 1}
    library.run_keyword(
        "set_task_object_status", [str(created["_id"])], {"status": "fail"}
    )
    assert storage.tos.find_one({"_id": created["_id"]})["status"] == "fail"
    assert library.get_keyword_arguments("greet") == ["name", ("punctuation", "!")]
    assert library.get_keyword_arguments("set_task_object_status") == [
        "object_id",
        "status",
    ]
    assert library.get_keyword_documentation("greet") == "Say hello."
    assert library.get_keyword_documentation("__intro__") == "A custom library."
