"""Keywords that move task objects between stages and record each stage."""

from robot.api.deco import keyword

from TOSLibrary.base import LibraryComponent


class StageKeywords(LibraryComponent):
    """Stages: which stage an object is at, and what happened in each."""

    @keyword
    def finish_task_object(
        self,
        object_id,
        stage: int,
        status: str,
        error_text: str | None = None,
        payload_update: dict | None = None,
    ):
        """Records the outcome of ``stage`` in one write and returns the object.

        Sets the status and the stage's status, end time and duration. With
        ``error_text``, also sets ``last_error`` and adds the text to the
        stage's exceptions. With ``payload_update`` (a dictionary), also sets
        those top-level payload keys, each to its whole new value; a dotted
        key such as ``a.b`` is refused (use `Update Payload` for nested keys).
        Pairs with `Claim Task Object`.

        The object must still be ``processing`` at ``stage``. If its claim
        was released as stale meanwhile, or it was finished already, the
        keyword fails and nothing is written, so a late robot cannot undo
        the release or record an outcome twice.

        | ${to} = | Claim Task Object | 1 |
        | &{result} = | Create Dictionary | total=${120} |
        | Finish Task Object | ${to}[_id] | 1 | pass | payload_update=${result} |
        | Finish Task Object | ${to}[_id] | 1 | expected_fail | error_text=Customer number missing |
        """
        return self.log_object(
            f"Finished stage {stage}",
            self.storage.finish_task_object(
                object_id, stage, status, error_text, payload_update
            ),
        )

    @keyword
    def set_task_object_stage(self, object_id, stage: int):
        """Sets the stage the task object is at (0 or more).

        | Set Task Object Stage | ${to}[_id] | 2 |
        """
        return self.log_object(
            "Stage set", self.storage.set_task_object_stage(object_id, stage)
        )

    @keyword
    def increment_task_object_stage(self, object_id):
        """Moves the task object to the next stage.

        | ${to} = | Increment Task Object Stage | ${to}[_id] |
        """
        return self.log_object(
            "Stage incremented", self.storage.increment_task_object_stage(object_id)
        )

    @keyword
    def decrement_task_object_stage(self, object_id):
        """Moves the task object to the previous stage; fails at stage 0.

        | ${to} = | Decrement Task Object Stage | ${to}[_id] |
        """
        return self.log_object(
            "Stage decremented", self.storage.decrement_task_object_stage(object_id)
        )

    @keyword
    def update_stage_object(self, object_id, current_stage: int):
        """Moves the object to ``current_stage`` and records that the stage started.

        One write sets the stage, its start time, executor and build number.
        `Claim Task Object` does this as part of the claim.

        | ${to} = | Find One Task Object By Status And Stage | pass | 0 |
        | Update Stage Object | ${to}[_id] | 1 |
        """
        return self.log_object(
            "Stage started", self.storage.update_stage_object(object_id, current_stage)
        )

    @keyword
    def update_status(self, object_id, current_stage: int, status: str):
        """Sets the status of the task object and of ``current_stage`` in one write.

        | Update Status | ${to}[_id] | 1 | pass |
        """
        return self.log_object(
            "Status updated",
            self.storage.update_status(object_id, current_stage, status),
        )

    @keyword
    def update_exceptions(self, object_id, current_stage: int, error_text: str):
        """Sets ``last_error`` and adds ``error_text`` to the stage's exceptions.

        One write.

        | Update Exceptions | ${to}[_id] | 1 | Timeout while saving the invoice |
        """
        return self.log_object(
            "Error recorded",
            self.storage.update_exceptions(object_id, current_stage, error_text),
        )

    @keyword
    def update_stage_exceptions(self, object_id, error_text: str, stage: int):
        """Adds ``error_text`` to the exceptions of ``stage`` only.

        | Update Stage Exceptions | ${to}[_id] | Retrying after timeout | 1 |
        """
        return self.log_object(
            "Stage error recorded",
            self.storage.update_stage_exceptions(object_id, error_text, stage),
        )

    @keyword
    def set_stage_start_time(self, object_id, stage: int):
        """Records now (UTC) as the start time of ``stage``.

        | Set Stage Start Time | ${to}[_id] | 1 |
        """
        return self.log_object(
            "Stage start recorded", self.storage.set_stage_start_time(object_id, stage)
        )

    @keyword
    def set_stage_end_time(self, object_id, stage: int):
        """Records now (UTC) as the end of ``stage`` and its duration in milliseconds.

        One write; the duration is measured from the stage's start time.

        | Set Stage End Time | ${to}[_id] | 1 |
        | ${to} = | Find Task Object By Id | ${to}[_id] |
        | Log | ${to}[stages][1][duration] |
        """
        return self.log_object(
            "Stage end recorded", self.storage.set_stage_end_time(object_id, stage)
        )

    @keyword
    def set_stage_status(self, object_id, stage: int, status: str):
        """Sets the status recorded for ``stage`` only.

        | Set Stage Status | ${to}[_id] | 1 | fail |
        """
        return self.log_object(
            "Stage status set", self.storage.set_stage_status(object_id, stage, status)
        )

    @keyword
    def set_stage_executor(self, object_id, stage: int):
        """Records this robot's executor text for ``stage``.

        | Set Stage Executor | ${to}[_id] | 1 |
        """
        return self.log_object(
            "Stage executor set", self.storage.set_stage_executor(object_id, stage)
        )

    @keyword
    def set_stage_build_number(self, object_id, stage: int):
        """Records the ``BUILD_NUMBER`` environment variable for ``stage``.

        | Set Stage Build Number | ${to}[_id] | 1 |
        """
        return self.log_object(
            "Stage build number set",
            self.storage.set_stage_build_number(object_id, stage),
        )
