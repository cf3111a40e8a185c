"""Starts the FastAPI app on uvicorn: one worker process, uvloop, httptools,
no access log. Binds 127.0.0.1:$PORT itself so it can print the bound port."""

import os
import platform
import signal
import socket
import sys
from importlib.metadata import version

import uvicorn

from app import app


def main() -> None:
    port = int(os.environ.get("PORT", "0"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(4096)
    sock.set_inheritable(True)

    config = uvicorn.Config(
        app,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        workers=1,
        backlog=4096,
        timeout_keep_alive=65,
        timeout_graceful_shutdown=1,
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    print(
        f"listening on 127.0.0.1:{sock.getsockname()[1]} ("
        f"{platform.python_implementation()} {platform.python_version()}, FastAPI {version('fastapi')}, uvicorn {version('uvicorn')}, "
        f"uvloop {version('uvloop')}, httptools {version('httptools')}, 1 worker process)",
        flush=True,
    )
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again
    # against the handler that was in place before it started; this one turns
    # it into the exit status 0 the harness expects from a clean stop.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(0))
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
