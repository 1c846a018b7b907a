"""Keywords for retries, deferral and claims left behind by crashed robots."""

from datetime import datetime, timedelta

from robot.api.deco import keyword

from TOSLibrary.base import LibraryComponent, to_time_or_delay


class RetryKeywords(LibraryComponent):
    """Running a stage again, later, a limited number of times."""

    @keyword
    def set_task_object_for_rerun(
        self,
        object_id,
        defer_until: str | datetime | timedelta | None = None,
        max_retries: int | None = None,
    ):
        """Sends the task object back one stage, as passed, so that stage runs again.

        The stage goes down by one, the status becomes ``pass`` and
        ``retry_count`` goes up by one. ``defer_until`` is a time or a delay
        (see `Set Task Object Retry Time`); the object cannot be claimed
        before then.

        With ``max_retries``, an object already retried that many times is
        not sent back: it ends with status ``fail`` at its current stage, and
        the reason is stored in ``last_error`` and the stage's exceptions.
        Fails at stage 0, which has no previous stage, and fails without
        writing when this robot's claim of the object was released as stale
        meanwhile (see `Release Stale Task Object`).

        | ${to} = | Set Task Object For Rerun | ${to}[_id] | defer_until=10 min | max_retries=3 |
        """
        return self.log_object(
            "Set for rerun",
            self.storage.set_task_object_for_rerun(
                object_id, to_time_or_delay(defer_until), max_retries
            ),
        )

    @keyword
    def set_task_object_retry_time(
        self, object_id, defer_until: str | datetime | timedelta
    ):
        """Makes the task object unclaimable until ``defer_until``.

        ``defer_until`` is a time or a delay from now:

        | =Given= | =Means= |
        | ``2026-12-24 08:00:00`` | that time on this machine's clock (local time) |
        | ``2026-12-24T08:00:00+02:00``, ``2026-12-24T06:00:00Z`` | that instant, in the zone given |
        | ``15 min``, ``1 hour 30 minutes``, ``600`` | that long from now (a number is seconds) |

        Stored times are UTC.

        | Set Task Object Retry Time | ${to}[_id] | 1 hour |
        | Set Task Object Retry Time | ${to}[_id] | 2026-12-24 08:00:00 |
        """
        return self.log_object(
            "Deferred",
            self.storage.set_task_object_retry_time(
                object_id, to_time_or_delay(defer_until)
            ),
        )

    @keyword
    def increment_retry_count(self, object_id):
        """Adds one to the task object's ``retry_count``.

        `Set Task Object For Rerun` already does this.

        | Increment Retry Count | ${to}[_id] |
        """
        return self.log_object(
            "Retry counted", self.storage.increment_retry_count(object_id)
        )

    @keyword
    def update_stage_retry_count(self, object_id, stage: int):
        """Adds one to the ``retry_count`` of ``stage``.

        | Update Stage Retry Count | ${to}[_id] | 1 |
        """
        return self.log_object(
            "Stage retry counted",
            self.storage.update_stage_retry_count(object_id, stage),
        )

    @keyword
    def save_retry_metadata_if_retry(self, to: dict, current_stage: int):
        """Records who runs this retry, when the task object is being retried.

        If ``to`` has a ``retry_count`` above 0, the executor and build
        number are stored under ``stages.<stage>.retries.<retry_count>``.
        Returns the updated object, or ``None`` when it is not a retry.
        `Claim Task Object` does this by itself.

        | ${to} = | Find One Task Object By Status And Stage | pass | 0 |
        | Save Retry Metadata If Retry | ${to} | 1 |
        """
        return self.storage.save_retry_metadata_if_retry(to, current_stage)

    @keyword
    def set_retry_start_time(self, object_id, stage: int, retry_count: int):
        """Records now as the start of retry ``retry_count`` of ``stage``.

        | Set Retry Start Time | ${to}[_id] | 1 | ${to}[retry_count] |
        """
        return self.log_object(
            "Retry start recorded",
            self.storage.set_retry_start_time(object_id, stage, retry_count),
        )

    @keyword
    def set_retry_end_time(self, object_id, stage: int, retry_count: int):
        """Records now as the end of retry ``retry_count`` of ``stage``.

        | Set Retry End Time | ${to}[_id] | 1 | ${to}[retry_count] |
        """
        return self.log_object(
            "Retry end recorded",
            self.storage.set_retry_end_time(object_id, stage, retry_count),
        )

    @keyword
    def set_retry_executor(self, object_id, stage: int, retry_count: int):
        """Records this robot's executor for retry ``retry_count`` of ``stage``.

        | Set Retry Executor | ${to}[_id] | 1 | ${to}[retry_count] |
        """
        return self.log_object(
            "Retry executor recorded",
            self.storage.set_retry_executor(object_id, stage, retry_count),
        )

    @keyword
    def set_retry_build_number(self, object_id, stage: int, retry_count: int):
        """Records ``BUILD_NUMBER`` for retry ``retry_count`` of ``stage``.

        | Set Retry Build Number | ${to}[_id] | 1 | ${to}[retry_count] |
        """
        return self.log_object(
            "Retry build number recorded",
            self.storage.set_retry_build_number(object_id, stage, retry_count),
        )

    @keyword
    def find_stale_task_objects(self, older_than: timedelta, stages=None):
        """Returns task objects that have been ``processing`` for longer than ``older_than``.

        Such an object was most likely claimed by a robot that crashed.
        ``older_than`` is a time such as ``30 min``; ``stages`` limits the
        search to objects processing at those stages. Nothing is changed.

        | ${stale} = | Find Stale Task Objects | 1 hour |
        | Length Should Be | ${stale} | 0 |
        """
        return self.log_count(
            "Found stale", self.storage.find_stale_task_objects(older_than, stages)
        )

    @keyword
    def release_stale_task_object(
        self,
        object_id,
        older_than: timedelta = timedelta(0),
        status: str | None = None,
        stage: int | None = None,
    ):
        """Gives one stale ``processing`` task object back to its queue.

        Without ``status`` it returns to the status and stage it was claimed
        from, ready for the next claim of that queue. With ``status`` it
        gets that status at the stage it was processing, or at ``stage`` if
        given: ``status=fail`` leaves it failed at the abandoned stage, and
        ``status=pass`` alone would let the next stage take it as if the
        stage had run. Only the object's status changes, not the stage's
        record. With ``stage`` alone it gets the status it was claimed from
        at that stage. Objects claimed by task-object-storage 1.4 record no
        origin, so give both to send one back, for example ``status=pass
        stage=0`` for an object a stage 1 robot held.

        The release is appended to the object's ``releases`` list. Fails if
        the object is not ``processing`` or was claimed less than
        ``older_than`` ago; if its robot finished it in the meantime,
        nothing is changed.

        | ${to} = | Release Stale Task Object | ${id} | older_than=30 min |
        | Should Be Equal | ${to}[status] | pass |
        | ${to} = | Release Stale Task Object | ${old_id} | status=pass | stage=0 |
        """
        return self.log_object(
            "Released",
            self.storage.release_stale_task_object(
                object_id, older_than, status, stage
            ),
        )

    @keyword
    def release_stale_task_objects(self, older_than: timedelta, stages=None):
        """Gives back every task object that has been ``processing`` longer than ``older_than``.

        Returns the released objects. See `Release Stale Task Object`.

        | ${released} = | Release Stale Task Objects | 1 hour |
        | Log | Released ${released.__len__()} objects |
        """
        return self.log_count(
            "Released", self.storage.release_stale_task_objects(older_than, stages)
        )
