"""Addresses students can type: the URLs of this machine on the local network, and a QR code for them."""

from __future__ import annotations

import ipaddress
import socket

import psutil
import segno

LISTEN_ALL = {"0.0.0.0", "::", ""}


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback and link-local, read from its network interfaces."""
    addresses = {
        address.address
        for interface in psutil.net_if_addrs().values()
        for address in interface
        if address.family == socket.AF_INET
    }
    return sorted(
        a for a in addresses if not (ip := ipaddress.ip_address(a)).is_loopback and not ip.is_link_local
    )


def student_urls(host: str, port: int) -> list[str]:
    """URLs others on the network can open; empty when the app listens on loopback only."""
    if host in LISTEN_ALL:
        return [f"http://{address}:{port}/" for address in lan_addresses()]
    if ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
        return []
    return [f"http://{host}:{port}/"]


def qr_svg(url: str, scale: int = 5) -> str:
    """An inline SVG QR code of `url`, for the page."""
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#111827", light="#ffffff")


def qr_terminal(url: str) -> str:
    """A QR code of `url` drawn with block characters, for the terminal."""
    import io

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue()
