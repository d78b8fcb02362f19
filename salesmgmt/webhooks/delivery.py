"""The wire side of webhooks: the body, its signature, the address check, the request.

Nothing here touches the database; salesmgmt.webhooks.services decides what to send
and records what happened.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from salesmgmt.models import WebhookDelivery, WebhookEvent

SIGNATURE_HEADER = "X-Salesmgmt-Signature"
EXCERPT_CHARS = 300
USER_AGENT = "Salesmgmt-Webhooks/1"


class UnsafeURL(ValueError):
    """The URL may not be called: wrong scheme, unknown host, or an internal address."""


# --- Body and signature --------------------------------------------------------------------------


def envelope(event: WebhookEvent) -> dict:
    """What every delivery of ``event`` carries; ``data`` is the object as the API shows it."""
    return {
        "id": str(event.uuid),
        "type": event.type,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "object": {"type": event.object_type, "id": event.object_id},
        "data": event.data,
    }


def body_of(event: WebhookEvent) -> bytes:
    """The exact bytes sent (and signed): the same for every attempt of an event."""
    return json.dumps(
        envelope(event), cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
    ).encode()


def sign(secret: str, body: bytes, *, timestamp: int) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`` (as Stripe does)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def headers_for(delivery: WebhookDelivery, body: bytes, *, timestamp: int) -> dict[str, str]:
    event = delivery.event
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Salesmgmt-Event": event.type,
        "X-Salesmgmt-Event-Id": str(event.uuid),
        "X-Salesmgmt-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, body, timestamp=timestamp),
    }


# --- Server-side request forgery guard -----------------------------------------------------------


def is_internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, reserved, multicast, unspecified, shared (CGNAT), or
    an IPv4 address in IPv6 clothing (::ffff:127.0.0.1, 6to4, Teredo) that is one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None,))[-1]
        if embedded is not None and is_internal(embedded):
            return True
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
        or not address.is_global
        # fec0::/10, deprecated but still routed on some networks (Python 3.11 calls it
        # global).
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


@dataclass(frozen=True)
class Target:
    """A URL checked for sending: the address to connect to, the name to present."""

    scheme: str
    host: str
    port: int
    address: str
    path: str = field(default="/")

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def resolve_target(url: str, *, allow_private: bool | None = None) -> Target:
    """Check ``url`` may be called and pick the address to call: http(s) only, and every
    address the host resolves to must be public, unless the operator allows private
    networks (settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS). Raises UnsafeURL."""
    if allow_private is None:
        allow_private = settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL(_("Only http and https URLs can receive webhooks."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL(_("The port of this URL is not valid.")) from None
    host = parts.hostname
    if not host:
        raise UnsafeURL(_("This URL names no host."))
    if parts.username is not None or parts.password is not None:
        # They would never be sent (the signature is how a receiver knows us).
        raise UnsafeURL(_("Leave the user name and password out of the URL."))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeURL(_("The host %(host)s could not be found.") % {"host": host}) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise UnsafeURL(_("The host %(host)s could not be found.") % {"host": host})
    # Every address, not just the first: a name may resolve to a public and a private one.
    if not allow_private and any(is_internal(a) for a in addresses):
        raise UnsafeURL(
            _(
                "%(host)s resolves to a private, loopback or link-local address; webhooks "
                "go only to public addresses unless the operator allows private networks."
            )
            % {"host": host}
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, str(addresses[0]), path)


# --- The request ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int | None = None
    excerpt: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST once: to the vetted address (so a name re-resolved to an internal address
    between check and connect is never reached), no redirects, short time-outs, a short
    excerpt of the answer kept."""
    started = time.monotonic()
    try:
        target = resolve_target(url)
    except UnsafeURL as exc:
        return Outcome(error=str(exc)[:EXCERPT_CHARS])
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT
    )
    options = {"port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        # Connect to the address; verify the certificate and send SNI for the name.
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, **options)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            head = response.read(EXCERPT_CHARS * 4, decode_content=True)
        finally:
            response.release_conn()
        excerpt = head.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
        return Outcome(status=response.status, excerpt=excerpt, duration_ms=_ms(started))
    except urllib3.exceptions.HTTPError as exc:
        return Outcome(error=_describe(exc)[:EXCERPT_CHARS], duration_ms=_ms(started))
    finally:
        pool.close()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _describe(exc: Exception) -> str:
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return _("Timed out connecting.")
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return _("Timed out waiting for the answer.")
    if isinstance(exc, urllib3.exceptions.SSLError):
        return _("TLS error: %(error)s") % {"error": exc}
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return _("Could not connect: %(error)s") % {"error": exc}
    return f"{type(exc).__name__}: {exc}"
