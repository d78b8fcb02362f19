"""A real receiving HTTP server on loopback, in the test process, and helpers."""

import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from salesmgmt.models import WebhookEventType
from salesmgmt.webhooks import services


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as the README shows it."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp, signature = int(parts["t"]), parts["v1"]
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), signature)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """What arrived, and how to answer: ``status`` (or a list, one per request), an
    optional ``hold`` (seconds to wait before answering the first request)."""

    url: str = ""
    status: int | list = 200
    answer: bytes = b"ok"
    extra_headers: dict = field(default_factory=dict)
    hold: float = 0.0
    received: list = field(default_factory=list)
    holding: threading.Event = field(default_factory=threading.Event)

    def next_status(self) -> int:
        if isinstance(self.status, list):
            return self.status.pop(0) if len(self.status) > 1 else self.status[0]
        return self.status


def start_receiver(receiver: Receiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(self.path, dict(self.headers), body))
            if receiver.hold and not receiver.holding.is_set():
                receiver.holding.set()
                time.sleep(receiver.hold)
            status = receiver.next_status()
            try:
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)
            except OSError:
                pass  # the sender went away (killed worker, time-out)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/salesmgmt"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def receiver():
    receiver = Receiver()
    server = start_receiver(receiver)
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def private_ok(settings):
    """Loopback receivers allowed (the operator's setting), short time-outs."""
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_CONNECT_TIMEOUT = 1
    settings.WEBHOOK_READ_TIMEOUT = 1
    return settings


@pytest.fixture
def fake_dns(monkeypatch):
    """fake_dns({"hooks.example.com": ["203.0.113.5"]}): getaddrinfo answers these."""

    def install(table: dict[str, list[str]]):
        def getaddrinfo(host, port, *args, **kwargs):
            if host not in table:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port, 0, 0) if ":" in a else (a, port),
                )
                for a in table[host]
            ]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    return install


@pytest.fixture
def make_endpoint(admin):
    def make(url, events=(WebhookEventType.DEAL_WON, WebhookEventType.DEAL_CREATED), **kw):
        return services.create_endpoint(url=url, events=list(events), by=admin, **kw)

    return make


def emit(event_type=WebhookEventType.DEAL_WON, object_id=1, **data):
    return services.emit_event(
        event_type,
        object_type="deal",
        object_id=object_id,
        data=lambda: {"id": object_id, **data},
    )
