"""Run mongoeco's MongoDB wire-protocol server for the test suites.

The server keeps its data in memory, listens on a loopback address and accepts
one SCRAM user. Once it listens, it writes ``{"host": ..., "port": ...,
"pid": ...}`` as JSON to the file named by ``--port-file`` (atomically, so a
reader never sees half a file) and removes that file again when it stops.
SIGTERM and SIGINT stop it cleanly.

The credentials come from the command line or from the environment:

| option            | environment variable     | default   |
| ----------------- | ------------------------ | --------- |
| ``--user``        | ``TOS_WIRE_USER``        | ``robot`` |
| (none)            | ``TOS_WIRE_PASSWORD``    | required  |
| ``--auth-source`` | ``TOS_WIRE_AUTH_SOURCE`` | ``admin`` |

The password is read from the environment only, so that it never shows in a
process listing, and it is never printed. Clients must name
``authMechanism=SCRAM-SHA-256``: mongoeco answers neither SCRAM-SHA-1 nor
the driver's mechanism negotiation.

mongoeco needs Python 3.13 or newer; ``invoke test`` builds ``.venv-wire``
for it. Run by hand::

    TOS_WIRE_PASSWORD=secret .venv-wire/bin/python tools/wire_server.py \\
        --port-file /tmp/wire.json
"""

import argparse
import asyncio
import contextlib
import ipaddress
import json
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

logger = logging.getLogger("wire_server")

PARENT_CHECK_INTERVAL_SECONDS = 1.0


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(
        description="Run mongoeco's in-memory MongoDB wire server on loopback."
    )
    parser.add_argument(
        "--port-file",
        required=True,
        type=Path,
        help="file that receives the address as JSON once the server listens",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to listen on"
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on; 0 picks a free one"
    )
    parser.add_argument(
        "--user", default=os.environ.get("TOS_WIRE_USER", "robot"), help="user name"
    )
    parser.add_argument(
        "--auth-source",
        default=os.environ.get("TOS_WIRE_AUTH_SOURCE", "admin"),
        help="authentication database of the user",
    )
    parser.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="stop when the process that started the server goes away",
    )
    arguments = parser.parse_args(argv)

    if not is_loopback(arguments.host):
        parser.error(f"--host must be a loopback address, got {arguments.host!r}")
    arguments.password = os.environ.get("TOS_WIRE_PASSWORD", "")
    if not arguments.password:
        parser.error("set the user's password in the TOS_WIRE_PASSWORD variable")
    return arguments


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def write_port_file(path, host, port):
    """Write the address as JSON, replacing ``path`` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = json.dumps({"host": host, "port": port, "pid": os.getpid()})
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(content + "\n")
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def remove_port_file(path):
    """Remove the port file if it still names this process."""
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()


async def wait_for_parent_exit(parent_pid):
    while os.getppid() == parent_pid:
        await asyncio.sleep(PARENT_CHECK_INTERVAL_SECONDS)
    logger.info("The parent process %d went away", parent_pid)


async def serve(arguments):
    from mongoeco.engines.memory import MemoryEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer, WireAuthUser

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)

    user = WireAuthUser(
        arguments.user,
        arguments.password,
        source=arguments.auth_source,
        mechanisms=("SCRAM-SHA-256",),
    )
    server = AsyncMongoEcoProxyServer(
        engine=MemoryEngine(),
        host=arguments.host,
        port=arguments.port,
        auth_users=(user,),
    )
    address = await server.start()
    try:
        write_port_file(arguments.port_file, address.host, address.port)
        logger.info(
            "Listening on %s:%d, user %r (authentication database %r), "
            "mechanism SCRAM-SHA-256",
            address.host,
            address.port,
            arguments.user,
            arguments.auth_source,
        )
        waiters = [asyncio.ensure_future(stop.wait())]
        if arguments.exit_with_parent:
            waiters.append(asyncio.ensure_future(wait_for_parent_exit(os.getppid())))
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
    finally:
        remove_port_file(arguments.port_file)
        await server.close()
        logger.info("Stopped")


def main(argv=None):
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s wire server: %(message)s",
        stream=sys.stderr,
    )
    arguments = parse_arguments(argv)
    try:
        asyncio.run(serve(arguments))
    except OSError as error:
        logger.error(
            "Could not listen on %s:%d: %s", arguments.host, arguments.port, error
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
