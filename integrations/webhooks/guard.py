"""The SSRF guard: a webhook URL may only reach public addresses, checked at registration and at every delivery.

The host is resolved and every address it resolves to must be public: loopback, private, link-local (and so the
cloud metadata service, 169.254.169.254 and fd00:ec2::254), multicast, reserved, unspecified, shared (CGNAT) and
other non-global addresses are refused, IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) by the IPv4 address they
carry. Only http and https, no user name or password in the URL.

`FUNNEL_WEBHOOK_ALLOWED_HOSTS` (comma-separated host names, addresses or CIDRs, read at each check) lets chosen
internal receivers through: a URL whose host is listed, or whose every address is in a listed network, passes.

A delivery connects to one of the addresses checked here, not to a second resolution of the name, so a DNS answer
that changes between the check and the connection (DNS rebinding) cannot reach an internal address.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.exceptions import ApplicationError

ALLOWED_HOSTS_VARIABLE = "FUNNEL_WEBHOOK_ALLOWED_HOSTS"
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UnsafeWebhookURL(ApplicationError):
    code = "webhook_url_refused"
    status_code = 400
    default_detail = "This URL cannot receive webhooks."


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`addresses`, all checked) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def resolve(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to (tests replace this to play a DNS server)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def _allow_list() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    hosts: set[str] = set()
    networks = []
    for item in os.environ.get(ALLOWED_HOSTS_VARIABLE, "").split(","):
        item = item.strip().lower()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            hosts.add(item.strip("[]"))
    return hosts, networks


def refusal(ip: IPAddress) -> str | None:
    """Why `ip` may not receive webhooks (the kind of address), or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return refusal(ip.ipv4_mapped)
    if ip in METADATA_ADDRESSES:
        return "the cloud metadata service"
    for kind in ("loopback", "unspecified", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not ip.is_global:
        return "an address that is not publicly routable"
    return None


def check_url(url: str) -> Target:
    """Parse and resolve `url`; return where to connect.

    Raises:
        UnsafeWebhookURL: not http(s), no host, credentials in the URL, an unresolvable host, or a host that
            resolves to an address that is not public and not allowed by FUNNEL_WEBHOOK_ALLOWED_HOSTS.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeWebhookURL("Enter a valid URL, e.g. https://hooks.example.com/funnel.", field="url")
    if parts.scheme not in ("http", "https"):
        raise UnsafeWebhookURL("Use an http or https URL.", field="url")
    if not parts.hostname:
        raise UnsafeWebhookURL("The URL has no host.", field="url")
    if parts.username is not None or parts.password is not None:
        raise UnsafeWebhookURL("Leave the user name and password out of the URL.", field="url")
    host = parts.hostname.lower()
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise UnsafeWebhookURL(f"The host {host} does not resolve to any address.", field="url")
    allowed_hosts, allowed_networks = _allow_list()
    if host not in allowed_hosts:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            reason = refusal(ip)
            plain = getattr(ip, "ipv4_mapped", None) or ip
            if reason and not any(plain.version == net.version and plain in net for net in allowed_networks):
                raise UnsafeWebhookURL(
                    f"{host} resolves to {ip}, {reason}: webhooks may only call public addresses "
                    f"(an administrator can allow internal hosts in {ALLOWED_HOSTS_VARIABLE}).",
                    field="url",
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path, tuple(addresses))
