"""Who is doing the work, read from Jenkins' environment variables.

``NODE_NAME`` (default: this host's name) and ``EXECUTOR_NUMBER`` (default
1) make up the executor text; ``BUILD_NUMBER`` and ``JOB_NAME`` are stored as
they are, or ``None`` when unset.
"""

import os
import platform


def executor():
    """Return ``Executor <number> on node <node>`` for this process."""
    node = os.environ.get("NODE_NAME") or platform.node()
    number = os.environ.get("EXECUTOR_NUMBER") or 1
    return f"Executor {number} on node {node}"


def build_number():
    """Return ``BUILD_NUMBER`` or ``None``."""
    return os.environ.get("BUILD_NUMBER")


def job_name():
    """Return ``JOB_NAME`` or ``None``."""
    return os.environ.get("JOB_NAME")
