"""The keyword groups of TOSLibrary, one component class each."""

from TOSLibrary.keywords.payload import PayloadKeywords
from TOSLibrary.keywords.retry import RetryKeywords
from TOSLibrary.keywords.stage import StageKeywords
from TOSLibrary.keywords.task import TaskKeywords

__all__ = ["PayloadKeywords", "RetryKeywords", "StageKeywords", "TaskKeywords"]
