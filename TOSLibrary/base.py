"""What every keyword component shares: the one storage engine."""

import ast
import re
from datetime import datetime, timedelta

from robot.api import logger
from robot.libraries.DateTime import convert_date
from robot.utils import timestr_to_secs

from tos.errors import InvalidArgument

#: Text that is a plain number: a delay in seconds.
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


class LibraryComponent:
    """Base of the keyword groups; each keyword delegates to ``self.storage``."""

    def __init__(self, storage):
        self.storage = storage

    @staticmethod
    def log_object(action, task_object):
        """Log one line about a task object for readers of log.html."""
        if task_object is None:
            logger.info(f"{action}: no task object")
        else:
            logger.info(
                f"{action}: task object {task_object.get('_id')} at stage "
                f"{task_object.get('stage')} with status "
                f"{task_object.get('status')!r}"
            )
        return task_object

    @staticmethod
    def log_count(action, task_objects):
        """Log how many task objects an action returned."""
        logger.info(f"{action}: {len(task_objects)} task object(s)")
        return task_objects


def to_time_or_delay(value, name="defer_until"):
    """Read a keyword argument that is either a point in time or a delay.

    Robot Framework's own date conversion drops a time zone such as
    ``+02:00`` or ``Z``, so text is read here: first as an ISO 8601 time
    (with its zone, if any; without one it is local time), then as a delay
    such as ``5 min`` or ``600`` (seconds), then in Robot Framework's other
    date formats. Numbers are delays in seconds.
    """
    if value is None or isinstance(value, (datetime, timedelta)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if _NUMBER.fullmatch(text):
        # Seconds, on every Python: 3.11 and newer would also read digits
        # such as '20261224' as an ISO 8601 date.
        return timedelta(seconds=float(text))
    iso_text = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        return datetime.fromisoformat(iso_text)
    except ValueError:
        pass
    try:
        return timedelta(seconds=timestr_to_secs(text))
    except (ValueError, OverflowError):
        pass
    try:
        return convert_date(text, result_format="datetime")
    except ValueError:
        raise InvalidArgument(
            f"Argument '{name}' must be a time such as '2026-12-24 08:00:00' or "
            f"'2026-12-24T08:00:00+02:00', or a delay such as '5 min', got {text!r}."
        ) from None


def to_sort_argument(value):
    """Read ``sort_condition`` written in a .robot file.

    ``[("_id", -1)]`` written as text becomes that list; ``priority`` (the
    task-object-storage 1.4 shorthand) stays as it is. Anything else goes to
    the engine, which names the argument if it is wrong.
    """
    if not isinstance(value, str) or value == "priority":
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return value
