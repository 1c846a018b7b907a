"""The statuses a task object can have.

A producer creates task objects with the status ``new``. A consumer that
claims one sets it to ``processing`` and, when done, to ``pass`` or ``fail``.
``expected_fail`` marks a business failure: the input was wrong, or a person
has to look at it, so a retry will not help. ``skip`` marks work that was
deliberately left undone.
"""


class FailStatus:
    """Statuses that mean the work did not succeed."""

    FAIL = "fail"
    EXPECTED_FAIL = "expected_fail"


class SkipStatus:
    """Statuses that mean the work was left undone on purpose."""

    SKIP = "skip"


class Status(FailStatus, SkipStatus):
    """Every status a task object can have, as class attributes."""

    NEW = "new"
    PROCESSING = "processing"
    PASS = "pass"


def _values(cls):
    return sorted(
        value
        for name, value in vars(cls).items()
        if not name.startswith("_") and isinstance(value, str)
    )


FAIL_STATUSES = _values(FailStatus)
SKIP_STATUSES = _values(SkipStatus)
VALID_STATUSES = sorted({*FAIL_STATUSES, *SKIP_STATUSES, *_values(Status)})

#: Statuses after which a stage needs nothing more.
FINAL_STATUSES = ["expected_fail", "fail", "pass", "skip"]


def is_failure(status):
    """Return ``True`` for ``fail`` and ``expected_fail``."""
    return status in FAIL_STATUSES


def is_business_failure(status):
    """Return ``True`` for ``expected_fail`` only."""
    return status == FailStatus.EXPECTED_FAIL


def is_skip(status):
    """Return ``True`` for ``skip``."""
    return status in SKIP_STATUSES
