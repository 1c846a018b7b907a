"""Robot Framework keyword library for task object storage.

Use ``Library    TOSLibrary    <db_server>    <db_name>`` in Robot Framework,
or ``from TOSLibrary import TOSLibrary`` in Python.
"""

from TOSLibrary.TOSLibrary import TOSLibrary

__all__ = ["TOSLibrary"]
