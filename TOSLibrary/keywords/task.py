"""Keywords that create, find, claim and describe task objects."""

from datetime import timedelta

from robot.api.deco import keyword

from TOSLibrary.base import LibraryComponent, to_sort_argument


class TaskKeywords(LibraryComponent):
    """Creating, finding, claiming and labelling task objects."""

    @keyword
    def create_new_task_object(
        self,
        payload: dict,
        process_name: str = "",
        priority: int = 0,
        reference: str | None = None,
        finished: bool = False,
    ):
        """Creates one task object with status ``new`` at stage 0 and returns it.

        ``payload`` is a dictionary of the work data. ``priority``: higher
        numbers are claimed first. ``reference`` is an optional unique text,
        such as an invoice number: when an object with that reference exists,
        it is returned and nothing is created, so a producer can run again
        safely. ``finished=True`` creates the object as already passed at
        stage 0, with the stage's times recorded.

        | &{payload} =   | Create Dictionary      | invoice=1234 | amount=99.5 |
        | ${to} =        | Create New Task Object | ${payload}   | reference=INV-1234 |
        | Should Be Equal | ${to}[status]         | new          |
        """
        return self.log_object(
            "Created",
            self.storage.create_new_task_object(
                payload, process_name, priority, reference, finished
            ),
        )

    @keyword
    def create_new_task_objects(
        self,
        payloads: list,
        process_name: str = "",
        priority: int = 0,
        batch_size: int = 500,
        finished: bool = False,
        reference_field: str | None = None,
    ):
        """Creates many task objects at once and returns them as a list.

        Writes one batch of ``batch_size`` objects per database call.
        ``finished=True`` creates them as already passed at stage 0, so a
        producer needs no other write. ``reference_field`` names a payload
        key whose value is each object's unique reference (see
        `Create New Task Object`); rows whose reference exists are not
        created again. Every row must have that key, with text or a whole
        number (stored as text). Every payload is checked before anything
        is written.

        | ${rows} =    | Read Rows From File     | invoices.csv |
        | ${created} = | Create New Task Objects | ${rows} | finished=True | reference_field=invoice |
        """
        return self.log_count(
            "Created",
            self.storage.create_new_task_objects(
                payloads,
                process_name=process_name,
                priority=priority,
                batch_size=batch_size,
                finished=finished,
                reference_field=reference_field,
            ),
        )

    @keyword
    def find_task_object_by_reference(self, reference: str):
        """Returns the task object with this unique reference, or ``None``.

        | ${to} = | Find Task Object By Reference | INV-1234 |
        | Should Be Equal | ${to}[payload][invoice] | 1234 |
        """
        return self.log_object(
            "Found", self.storage.find_task_object_by_reference(reference)
        )

    @keyword
    def find_task_object_by_id(self, object_id):
        """Returns the task object with ``object_id`` without changing it.

        ``object_id`` is an ObjectId or its 24-character text. Fails when no
        object has it. With separate payloads, the ``payload`` is only a
        reference: use `Find Task Object By Id And Merge Payload`.

        | ${to} = | Find Task Object By Id | ${id} |
        """
        return self.log_object("Found", self.storage.find_task_object_by_id(object_id))

    @keyword
    def find_all_task_objects_by_status_and_stage(self, statuses=None, stages=None):
        """Returns all claimable task objects with the given statuses and stages.

        ``statuses`` and ``stages`` are each one value or a list; leave one
        out to match any, but give at least one. Objects deferred to the
        future are left out. Highest priority first, then oldest first.
        Nothing is changed.

        | ${passed} = | Find All Task Objects By Status And Stage | pass | 1 |
        | @{both} =   | Create List | fail | expected_fail |
        | ${failed} = | Find All Task Objects By Status And Stage | ${both} | 2 |
        """
        return self.log_count(
            "Found",
            self.storage.find_all_task_objects_by_status_and_stage(statuses, stages),
        )

    @keyword
    def find_all_task_objects_by_status(self, statuses):
        """Returns all claimable task objects with the given status(es), any stage.

        | ${new} = | Find All Task Objects By Status | new |
        """
        return self.log_count(
            "Found", self.storage.find_all_task_objects_by_status(statuses)
        )

    @keyword
    def find_all_task_objects_by_stage(self, stages):
        """Returns all claimable task objects at the given stage(s), any status.

        | ${at_one} = | Find All Task Objects By Stage | 1 |
        """
        return self.log_count(
            "Found", self.storage.find_all_task_objects_by_stage(stages)
        )

    @keyword
    def find_all_failed_task_objects(self):
        """Returns all claimable task objects whose status is ``fail``.

        | ${failed} = | Find All Failed Task Objects |
        """
        return self.log_count("Found", self.storage.find_all_failed_task_objects())

    @keyword
    def find_one_task_object_by_status_and_stage(
        self,
        statuses=None,
        stages=None,
        sort_condition=None,
        amend: dict | None = None,
    ):
        """Claims one task object with the given status(es) and stage(s).

        The claim is atomic: the object's status becomes ``processing``, and
        the claim time, executor, build number and job name are stored in the
        same write, so two robots never get the same object. Highest priority
        first, then oldest first, unless ``sort_condition`` (a list of
        ``(field, direction)`` pairs) says otherwise. Deferred objects are
        skipped. Returns ``None`` when nothing is waiting.

        | ${to} = | Find One Task Object By Status And Stage | pass | 0 |
        | Pass Execution If | $to is None | Queue is empty |
        """
        return self.log_object(
            "Claimed",
            self.storage.find_one_task_object_by_status_and_stage(
                statuses,
                stages,
                sort_condition=to_sort_argument(sort_condition),
                amend=amend,
            ),
        )

    @keyword
    def find_one_task_object_by_status(self, statuses):
        """Claims one task object with the given status(es), at any stage.

        See `Find One Task Object By Status And Stage`.

        | ${to} = | Find One Task Object By Status | new |
        """
        return self.log_object(
            "Claimed", self.storage.find_one_task_object_by_status(statuses)
        )

    @keyword
    def find_one_task_object_by_stage(self, stages):
        """Claims one task object at the given stage(s), whatever its status.

        See `Find One Task Object By Status And Stage`.

        | ${to} = | Find One Task Object By Stage | 0 |
        """
        return self.log_object(
            "Claimed", self.storage.find_one_task_object_by_stage(stages)
        )

    @keyword
    def claim_task_object(
        self,
        stage: int,
        statuses="pass",
        reclaim_stale_after: timedelta | None = None,
        sort_condition=None,
    ):
        """Claims an object that finished the previous stage and starts ``stage``.

        In one write the object gets status ``processing`` at ``stage``, with
        the stage's start time, executor and build number recorded. By
        default it takes objects with status ``pass`` at ``stage`` - 1;
        ``statuses`` may name others. With ``reclaim_stale_after`` (such as
        ``30 min``), objects of this queue that have been ``processing``
        longer are first given back (see `Release Stale Task Objects`).
        Returns ``None`` when nothing is waiting. Finish with `Finish Task
        Object`.

        | ${to} = | Claim Task Object | 1 |
        | Pass Execution If | $to is None | Nothing to do |
        | ${to} = | Claim Task Object | 2 | reclaim_stale_after=1 hour |
        """
        return self.log_object(
            "Claimed",
            self.storage.claim_task_object(
                stage, statuses, reclaim_stale_after, to_sort_argument(sort_condition)
            ),
        )

    @keyword
    def count_task_objects_by_stage_and_status(self):
        """Returns how many task objects there are per stage and status.

        A list of dictionaries with the keys ``stage``, ``status`` and
        ``count``, sorted by stage and status.

        | ${counts} = | Count Task Objects By Stage And Status |
        | Should Be Equal As Integers | ${counts}[0][count] | 12 |
        """
        return self.storage.count_task_objects_by_stage_and_status()

    @keyword
    def set_task_object_status(self, object_id, status: str):
        """Sets the status of the task object.

        ``status`` is one of ``new``, ``processing``, ``pass``, ``fail``,
        ``expected_fail`` and ``skip``. To record a stage's status as well,
        use `Update Status` or `Finish Task Object`.

        | Set Task Object Status | ${to}[_id] | skip |
        """
        return self.log_object(
            "Status set", self.storage.set_task_object_status(object_id, status)
        )

    @keyword
    def set_task_object_priority(self, object_id, new_priority: int):
        """Sets the priority; higher numbers are claimed first.

        | Set Task Object Priority | ${to}[_id] | 10 |
        """
        return self.log_object(
            "Priority set",
            self.storage.set_task_object_priority(object_id, new_priority),
        )

    @keyword
    def set_task_object_analytics(self, object_id, new_analytics: dict):
        """Replaces the whole ``analytics`` dictionary of the task object.

        | &{analytics} = | Create Dictionary | pages=3 |
        | Set Task Object Analytics | ${to}[_id] | ${analytics} |
        """
        return self.log_object(
            "Analytics set",
            self.storage.set_task_object_analytics(object_id, new_analytics),
        )

    @keyword
    def set_task_object_analytics_item(self, object_id, key: str, value):
        """Sets one key of the ``analytics`` dictionary.

        | Set Task Object Analytics Item | ${to}[_id] | pages | ${3} |
        """
        return self.log_object(
            "Analytics item set",
            self.storage.set_task_object_analytics_item(object_id, key, value),
        )

    @keyword
    def set_task_object_last_error(self, object_id, error_text: str):
        """Sets ``last_error`` of the task object.

        To add the error to a stage's exceptions too, use `Update Exceptions`.

        | Set Task Object Last Error | ${to}[_id] | Portal did not answer |
        """
        return self.log_object(
            "Last error set",
            self.storage.set_task_object_last_error(object_id, error_text),
        )

    @keyword
    def set_task_object_executor(self, object_id):
        """Stores this robot's executor text as the task object's executor.

        The text is ``Executor <EXECUTOR_NUMBER> on node <NODE_NAME>``, from
        Jenkins' variables (defaults: 1 and the host name).

        | Set Task Object Executor | ${to}[_id] |
        """
        return self.log_object(
            "Executor set", self.storage.set_task_object_executor(object_id)
        )

    @keyword
    def set_task_object_build_number(self, object_id):
        """Stores the ``BUILD_NUMBER`` environment variable as the build number.

        | Set Task Object Build Number | ${to}[_id] |
        """
        return self.log_object(
            "Build number set", self.storage.set_task_object_build_number(object_id)
        )

    @keyword
    def set_task_object_job_name(self, object_id):
        """Stores the ``JOB_NAME`` environment variable as the job name.

        | Set Task Object Job Name | ${to}[_id] |
        """
        return self.log_object(
            "Job name set", self.storage.set_task_object_job_name(object_id)
        )

    @keyword
    def set_task_object_to_manual_handling(self, object_id):
        """*Deprecated.* Sets the old ``manual`` flag; use status ``expected_fail``.

        | Set Task Object Status | ${to}[_id] | expected_fail |
        """
        return self.log_object(
            "Marked manual", self.storage.set_task_object_to_manual_handling(object_id)
        )

    @keyword
    def find_all_task_objects_marked_as_manual_and_not_passed(self):
        """*Deprecated.* Returns objects with the ``manual`` flag that have not passed.

        | ${manual} = | Find All Task Objects Marked As Manual And Not Passed |
        """
        return self.log_count(
            "Found",
            self.storage.find_all_task_objects_marked_as_manual_and_not_passed(),
        )

    @keyword
    def find_one_task_object_marked_as_manual_and_not_passed(self):
        """*Deprecated.* Returns the first object `Find All Task Objects Marked As Manual And Not Passed` gives, or ``None``.

        Nothing is changed.

        | ${to} = | Find One Task Object Marked As Manual And Not Passed |
        """
        return self.log_object(
            "Found",
            self.storage.find_one_task_object_marked_as_manual_and_not_passed(),
        )

    @keyword
    def update_task_object_and_timestamp(self, filter: dict, update: dict, sort=None):
        """Applies a raw MongoDB update to the first matching task object.

        For special cases only: prefer the named keywords, which check their
        input. ``updatedAt`` is refreshed. Returns the object, or ``None``
        when nothing matches.

        | &{filter} = | Create Dictionary | status=new |
        | &{set} =    | Create Dictionary | priority=${5} |
        | &{update} = | Create Dictionary | $set=${set} |
        | ${to} = | Update Task Object And Timestamp | ${filter} | ${update} |
        """
        return self.log_object(
            "Updated",
            self.storage.update_task_object_and_timestamp(filter, update, sort),
        )
