"""Settings and constants shared by the storage engine and the library."""

import os
import platform

DIRNAME = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.abspath(os.path.join(DIRNAME, os.pardir))
PLATFORM = platform.system()

#: Server used when no ``db_server`` is given.
DEFAULT_DB_ADDRESS = "mongodb://localhost:27017/"

#: ``db_server`` value that selects the in-process embedded backend.
#: ``embedded://NAME`` selects a separate named store in the same process.
EMBEDDED_DB_SERVER = "embedded"

#: Milliseconds to wait for a server before the connection check fails.
DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10000

#: Base name of the task object collection.
TASK_OBJECTS_COLLECTION = "task_objects"

#: Base name of the separate payloads collection.
PAYLOADS_COLLECTION = "payloads"

#: Pattern that every collection name must match.
COLLECTION_NAME_PATTERN = r"^[0-9a-z_.]+$"

#: Characters MongoDB does not allow in a database name.
DATABASE_NAME_FORBIDDEN = '/\\. "$*<>:|?'

#: Name of the TTL index on the separate payloads collection.
TTL_INDEX_NAME = "ttl_index"

#: Longest payload lifetime a TTL index takes, in seconds (about 68 years).
MAX_TTL_SECONDS = 2**31 - 1

#: Task objects created per ``insert_many`` call by bulk creation.
DEFAULT_BATCH_SIZE = 500

#: Largest BSON document MongoDB stores, in bytes.
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024


class ErrorMessages:
    """Messages kept for code that compares against them."""

    SEP_PAYLOADS_NOT_INITIALIZED = (
        "Operation not supported without separated payloads collection"
    )
    OPERATION_NOT_SUPPORTED_WITH_SEP_PAYLOADS = (
        "Operation is not supported with separated payloads collection"
    )
