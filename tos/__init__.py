"""Task object storage: a MongoDB work queue and transaction store for RPA.

The engine is :class:`tos.task_object_storage.TaskObjectStorage`; it has no
Robot Framework dependency.
"""

from tos.task_object_storage import TaskObjectStorage

__all__ = ["TaskObjectStorage"]
__version__ = "2.0.0"
