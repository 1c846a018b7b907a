def test_created_object_is_new_at_stage_zero(storage):
    created = storage.create_new_task_object({"invoice": 1})

    stored = storage.tos.find_one({"_id": created["_id"]})

    assert stored["status"] == "new"
    assert stored["stage"] == 0
    assert stored["payload"] == {"invoice": 1}
