"""How the benchmark's child processes reach their server.

``run.py`` starts ``workload.py`` and ``concurrency.py`` with ``--backend``
and, for the wire server, ``--server``, ``--user`` and ``--auth-source``. The
secrets travel in the environment, never on a command line where a process
listing would show them: the wire server's password in
:data:`PASSWORD_VARIABLE`, a MongoDB URI (with its credentials) in
:data:`URI_VARIABLE`.
"""

import os

PASSWORD_VARIABLE = "TOS_BENCH_PASSWORD"
URI_VARIABLE = "TOS_BENCH_MONGODB_URI"


def add_arguments(parser, backends, default=None):
    """Add ``--backend`` (one of ``backends``) and the wire server's options."""
    parser.add_argument(
        "--backend", choices=backends, default=default, required=default is None
    )
    parser.add_argument("--server", help="host:port of the wire server")
    parser.add_argument("--user", default="robot")
    parser.add_argument("--auth-source", default="admin")


def read_secrets(parser, arguments):
    """Read the password and the URI from the environment; check they are there."""
    arguments.password = os.environ.get(PASSWORD_VARIABLE, "")
    arguments.uri = os.environ.get(URI_VARIABLE, "")
    if arguments.backend == "wire" and not arguments.server:
        parser.error("--server is needed with --backend wire")
    if arguments.backend == "mongodb" and not arguments.uri:
        parser.error(f"--backend mongodb reads the URI from {URI_VARIABLE}")


def server_options(arguments):
    """``TaskObjectStorage`` options that reach the wire server or the MongoDB.

    On MongoDB the URI is the server and carries any credentials, so an
    implementation connects exactly as the URI says.
    """
    if arguments.backend == "mongodb":
        return {"db_server": arguments.uri, "db_name": arguments.db_name}
    return {
        "db_server": arguments.server,
        "db_name": arguments.db_name,
        "db_user": arguments.user,
        "db_passw": arguments.password,
        "db_auth_source": arguments.auth_source,
    }
