"""Webhook authentication: GitHub's ``X-Hub-Signature-256`` HMAC and GitLab's ``X-Gitlab-Token``.

Every check is constant-time and answers ``False`` (never raises) for a missing, garbled or wrong header,
or for an empty configured secret (a misconfiguration must not accept everything).
"""

from __future__ import annotations

import hashlib
import hmac
import re

_GITHUB_HEADER = re.compile(r"sha256=([0-9a-fA-F]{64})")


def sign_github(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` value GitHub would send for ``body`` (used by tests and local tooling)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_github(body: bytes, header: str | None, secret: str) -> bool:
    """True if ``header`` is ``sha256=<hex>`` and ``<hex>`` is HMAC-SHA256(secret, body)."""
    if not secret or not isinstance(header, str) or not isinstance(body, bytes | bytearray):
        return False
    match = _GITHUB_HEADER.fullmatch(header.strip())
    if match is None:
        return False
    expected = hmac.new(secret.encode(), bytes(body), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, match.group(1).lower())


def verify_gitlab(header: str | None, secret: str) -> bool:
    """True if ``X-Gitlab-Token`` equals the configured secret (constant-time)."""
    if not secret or not isinstance(header, str) or not header:
        return False
    return hmac.compare_digest(header.encode(), secret.encode())
