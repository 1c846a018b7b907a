"""What every keyword component shares: the one storage engine."""

from robot.api import logger


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
