"""Keywords that read and change the payload: the work data of a task object."""

from robot.api.deco import keyword

from TOSLibrary.base import LibraryComponent


class PayloadKeywords(LibraryComponent):
    """Payloads, inline or in the separate payloads collection."""

    @keyword
    def update_payload(self, object_id, update: dict):
        """Sets the top-level payload keys given in ``update``.

        Other keys stay as they are; a nested dictionary in ``update``
        replaces the whole nested dictionary. Returns the updated object.

        | &{update} = | Create Dictionary | total=${120} | currency=EUR |
        | ${to} = | Update Payload | ${to}[_id] | ${update} |
        """
        return self.log_object(
            "Payload updated", self.storage.update_payload(object_id, update)
        )

    @keyword
    def set_task_object_payload(self, object_id, new_payload: dict):
        """Replaces the whole payload with ``new_payload``.

        | &{payload} = | Create Dictionary | invoice=1234 |
        | Set Task Object Payload | ${to}[_id] | ${payload} |
        """
        return self.log_object(
            "Payload replaced",
            self.storage.set_task_object_payload(object_id, new_payload),
        )

    @keyword
    def add_key_value_pair_to_payload(self, object_id, key: str, value):
        """Sets one payload key; ``key`` may be a dotted path such as ``customer.name``.

        | Add Key Value Pair To Payload | ${to}[_id] | customer.name | Ada |
        """
        return self.log_object(
            "Payload key set",
            self.storage.add_key_value_pair_to_payload(object_id, key, value),
        )

    @keyword
    def remove_field_from_payload(self, object_id, key: str):
        """Removes one payload key; ``key`` may be a dotted path.

        | Remove Field From Payload | ${to}[_id] | customer.phone |
        """
        return self.log_object(
            "Payload key removed",
            self.storage.remove_field_from_payload(object_id, key),
        )

    @keyword
    def push_value_to_array_field(self, object_id, value, field_name: str):
        """Appends ``value`` to the list at ``field_name``, creating the list if needed.

        ``field_name`` is a dotted path such as ``payload.alerts`` or
        ``analytics.steps``.

        | Push Value To Array Field | ${to}[_id] | Address changed | payload.alerts |
        """
        return self.log_object(
            "Value appended",
            self.storage.push_value_to_array_field(object_id, value, field_name),
        )

    @keyword
    def add_binary_data_to_payload(self, object_id, filepath: str, data_title: str):
        """Stores the bytes of the file at ``filepath`` in the payload key ``data_title``.

        The file must exist and be smaller than MongoDB's 16 MB document
        limit. Get it back with `Save Binary Payload To Tmp`.

        | Add Binary Data To Payload | ${to}[_id] | ${CURDIR}/invoice.pdf | invoice_pdf |
        """
        return self.log_object(
            "Binary data stored",
            self.storage.add_binary_data_to_payload(object_id, filepath, data_title),
        )

    @keyword
    def save_binary_payload_to_tmp(
        self,
        task_object: dict,
        payload_item_name: str,
        prefix: str = "",
        suffix: str = "",
    ):
        """Writes binary data from a task object's payload to a temporary file.

        Returns the file's path; remove the file when done.

        | ${to} =   | Find Task Object By Id | ${id} |
        | ${path} = | Save Binary Payload To Tmp | ${to} | invoice_pdf | suffix=.pdf |
        | [Teardown] | Remove File | ${path} |
        """
        return self.storage.save_binary_payload_to_tmp(
            task_object, payload_item_name, prefix, suffix
        )

    @keyword
    def find_task_object_by_id_and_merge_payload(self, object_id):
        """Returns the task object with its separate payload in place of the reference.

        Needs separate payloads (``separate_payloads=True`` in the import).
        Fails when the payload has expired.

        | ${to} = | Find Task Object By Id And Merge Payload | ${id} |
        | Should Be Equal | ${to}[payload][invoice] | 1234 |
        """
        return self.log_object(
            "Found", self.storage.find_task_object_by_id_and_merge_payload(object_id)
        )

    @keyword
    def find_all_task_objects_and_merge_them_with_payloads(self, object_ids: list):
        """Returns the given task objects with their separate payloads merged in.

        Objects whose payload has expired are left out. Needs separate
        payloads.

        | @{ids} = | Create List | ${first}[_id] | ${second}[_id] |
        | ${objects} = | Find All Task Objects And Merge Them With Payloads | ${ids} |
        """
        return self.log_count(
            "Found",
            self.storage.find_all_task_objects_and_merge_them_with_payloads(object_ids),
        )

    @keyword
    def find_payload_document_by_payload_id(self, payload_id):
        """Returns a whole separate payload document by its own id.

        The document has ``_id``, ``payload``, ``createdAt`` and ``updatedAt``.

        | ${bare} = | Find Task Object By Id | ${id} |
        | ${doc} =  | Find Payload Document By Payload Id | ${bare}[payload][_id] |
        """
        return self.storage.find_payload_document_by_payload_id(payload_id)

    @keyword
    def find_payload_document_by_to_id(self, object_id):
        """Returns the whole separate payload document of a task object.

        | ${doc} = | Find Payload Document By To Id | ${to}[_id] |
        | Log | ${doc}[updatedAt] |
        """
        return self.storage.find_payload_document_by_to_id(object_id)

    @keyword
    def update_payload_document_and_timestamps(self, object_id, update: dict):
        """Applies a raw MongoDB update to a task object's separate payload document.

        For special cases only; prefer `Update Payload`. Refreshes both
        ``updatedAt`` times and returns the task object with the payload as
        a reference.

        | &{fields} = | Create Dictionary | payload.checked=${True} |
        | &{update} = | Create Dictionary | $set=${fields} |
        | Update Payload Document And Timestamps | ${to}[_id] | ${update} |
        """
        return self.log_object(
            "Payload document updated",
            self.storage.update_payload_document_and_timestamps(object_id, update),
        )
