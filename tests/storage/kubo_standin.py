"""A stand-in for a Kubo daemon's RPC API, for testing `KuboStore` where no Kubo binary can be installed.

It serves the endpoints `KuboStore` calls (`add`, `cat`, `pin/add`, `pin/ls`, `pin/rm`) on 127.0.0.1 with a
`LocalStore` underneath, answering in Kubo's shapes (newline-delimited JSON for `add`, `{"Message", "Code",
"Type": "error"}` with HTTP 500 for errors). It refuses an `add` whose import settings differ from Kubo's
CIDv1 defaults, so the client is checked to ask for them explicitly. That the CIDs equal real Kubo's is
established separately, by Kubo's own reference vectors in `tests/content/test_cid.py`.

Faults for tests: `lie_on_add` answers `add` with another CID; `corrupt_cat` flips a byte of what `cat`
serves.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from genip.content.cid import cid_of_bytes
from genip.storage.local import LocalStore

EXPECTED_ADD = {"cid-version": "1", "raw-leaves": "true", "chunker": "size-262144", "hash": "sha2-256"}


@dataclass
class KuboStandIn:
    """State of the stand-in daemon: its store, pins, fault switches and the requests it saw."""

    store: LocalStore
    url: str = ""
    pinned: set[str] = field(default_factory=set)
    lie_on_add: bool = False
    corrupt_cat: bool = False
    requests: list[str] = field(default_factory=list)


def _handler(state: KuboStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            self._reply(405, {"Message": "405 - Method Not Allowed", "Code": 0, "Type": "error"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            params = {key: values[-1] for key, values in parse_qs(url.query).items()}
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(url.path)
            route = {
                "/api/v0/add": self._add,
                "/api/v0/cat": self._cat,
                "/api/v0/pin/add": self._pin_add,
                "/api/v0/pin/ls": self._pin_ls,
                "/api/v0/pin/rm": self._pin_rm,
            }.get(url.path)
            if route is None:
                self._reply(404, {"Message": "404 page not found", "Code": 0, "Type": "error"})
            else:
                route(params, body)

        def _add(self, params: dict[str, str], body: bytes) -> None:
            wrong = {k: params.get(k) for k, v in EXPECTED_ADD.items() if params.get(k) != v}
            if wrong:
                self._error(f"unexpected import settings {wrong}", status=400)
                return
            lines = []
            for name, data in _multipart_files(self.headers["Content-Type"], body):
                cid = state.store.put(data)
                if params.get("pin") == "true":
                    state.pinned.add(cid)
                if state.lie_on_add:
                    cid = cid_of_bytes(data + b"!")
                lines.append(json.dumps({"Name": name, "Hash": cid, "Size": str(len(data))}))
            self._send(200, ("\n".join(lines) + "\n").encode(), "application/json")

        def _cat(self, params: dict[str, str], body: bytes) -> None:
            cid = params.get("arg", "")
            if not state.store.has(cid):
                self._error(f"block was not found locally (offline): ipld: could not find {cid}")
                return
            data = bytearray(state.store.path_of(cid).read_bytes())  # served unverified, as a node might
            if state.corrupt_cat and data:
                data[len(data) // 2] ^= 0x01
            self._send(200, bytes(data), "text/plain")

        def _pin_add(self, params: dict[str, str], body: bytes) -> None:
            cid = params.get("arg", "")
            if not state.store.has(cid):
                self._error(f"pin: block was not found locally (offline): ipld: could not find {cid}")
                return
            state.pinned.add(cid)
            self._reply(200, {"Pins": [cid]})

        def _pin_ls(self, params: dict[str, str], body: bytes) -> None:
            cid = params.get("arg", "")
            if cid not in state.pinned:
                self._error(f"path '{cid}' is not pinned")
                return
            self._reply(200, {"Keys": {cid: {"Type": "recursive"}}})

        def _pin_rm(self, params: dict[str, str], body: bytes) -> None:
            cid = params.get("arg", "")
            if cid not in state.pinned:
                self._error("not pinned or pinned indirectly")
                return
            state.pinned.discard(cid)
            state.store.remove(cid)  # a node's garbage collection, at once
            self._reply(200, {"Pins": [cid]})

        def _error(self, message: str, status: int = 500) -> None:
            self._reply(status, {"Message": message, "Code": 0, "Type": "error"})

        def _reply(self, status: int, document: dict[str, Any]) -> None:
            self._send(status, json.dumps(document).encode(), "application/json")

        def _send(self, status: int, payload: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


def _multipart_files(content_type: str, body: bytes) -> Iterator[tuple[str, bytes]]:
    """(filename, bytes) of each part of a multipart/form-data body."""
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.partition(b"\r\n\r\n")
        name = "blob"
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if "filename=" in line:
                name = line.split("filename=", 1)[1].strip('"')
        yield name, data.removesuffix(b"\r\n")


@contextmanager
def running_standin(root: Path) -> Iterator[KuboStandIn]:
    """Serve a stand-in on a free loopback port for the duration of the block."""
    state = KuboStandIn(LocalStore(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
