"""Shims that let task-object-storage 1.4 reach the benchmark's backends.

The benchmark runs the peer unchanged except for how it connects. Each shim
replaces only the name ``pymongo`` inside the peer's
``tos.task_object_storage`` module (or one method of its class) and returns
a sentence saying what it did, which the benchmark prints.
"""

import types

import pymongo
import pymongo.errors


class _PymongoWithClient(types.ModuleType):
    """A stand-in for the ``pymongo`` module with another ``MongoClient``."""

    def __init__(self, client_factory):
        super().__init__("pymongo")
        self.MongoClient = client_factory

    def __getattr__(self, name):
        return getattr(pymongo, name)


def apply_wire_shims(peer_module):
    """Make the peer connect to the mongoeco wire server.

    1. The peer always passes ``authMechanism="SCRAM-SHA-1"``, which the wire
       server rejects; the shim passes ``SCRAM-SHA-256`` instead.
    2. The peer checks the connection with ``server_info()``, which sends
       ``buildinfo``; the wire server does not know that spelling of the
       command. The shim checks with ``ping``, as this project does.
    """

    def client_with_sha256(*args, **kwargs):
        if "authMechanism" in kwargs:
            kwargs["authMechanism"] = "SCRAM-SHA-256"
        return pymongo.MongoClient(*args, **kwargs)

    def check_with_ping(self, client):
        return client.admin.command("ping")

    peer_module.pymongo = _PymongoWithClient(client_with_sha256)
    peer_module.TaskObjectStorage._check_connection_established = check_with_ping
    return [
        "authMechanism SCRAM-SHA-1 (hard-coded in the peer) replaced by "
        "SCRAM-SHA-256, the mechanism the wire server accepts",
        "connection check server_info() (sends 'buildinfo', unknown to the wire "
        "server) replaced by a 'ping' command",
    ]


def apply_embedded_shims(peer_module):
    """Give the peer an in-process mongomock client instead of a server."""
    import mongomock

    store = mongomock.store.ServerStore()

    def mongomock_client(*args, **kwargs):
        return mongomock.MongoClient(_store=store)

    peer_module.pymongo = _PymongoWithClient(mongomock_client)
    return [
        "pymongo.MongoClient inside the peer replaced by mongomock.MongoClient "
        "(the peer has no embedded backend of its own)",
    ]


def apply_uri_shims(peer_module, uri):
    """Let the peer reach a server named by a URI, changing as little as possible.

    With the credentials in the URI and no ``db_passw``, the peer connects
    exactly as the URI says and needs nothing. Only when the server refuses
    ``buildinfo`` (MongoDB answers it; the mongoeco emulator does not), the
    peer's connection check is made with ``ping`` instead.
    """
    with pymongo.MongoClient(uri, serverSelectionTimeoutMS=10000) as client:
        try:
            client.admin.command("buildinfo")
            return []
        except pymongo.errors.OperationFailure:
            pass

    def check_with_ping(self, client):
        return client.admin.command("ping")

    peer_module.TaskObjectStorage._check_connection_established = check_with_ping
    return [
        "connection check server_info() (sends 'buildinfo', which this server "
        "refused) replaced by a 'ping' command",
    ]
