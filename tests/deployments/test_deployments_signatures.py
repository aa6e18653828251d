"""Webhook authentication (apps.deployments.receivers.signatures) on the real GitHub payload bytes."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from apps.deployments.receivers.signatures import sign_github, verify_github, verify_gitlab

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "deployments" / "github"
SECRET = "It's a Secret to Everybody"
BODIES = sorted(FIXTURES.glob("*.json"))


@pytest.mark.parametrize("path", BODIES, ids=lambda p: p.name)
def test_github_good_signature_on_real_payload(path):
    body = path.read_bytes()
    header = sign_github(body, SECRET)
    assert header == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert verify_github(body, header, SECRET)
    assert verify_github(body, header.upper().replace("SHA256=", "sha256="), SECRET)  # hex case ignored


@pytest.mark.parametrize("path", BODIES, ids=lambda p: p.name)
def test_github_bad_signatures_on_real_payload(path):
    body = path.read_bytes()
    good = sign_github(body, SECRET)
    assert not verify_github(body, good, "another secret")
    assert not verify_github(body + b" ", good, SECRET)  # body changed by one byte
    assert not verify_github(body.replace(b"production", b"prodoction"), good, SECRET)


@pytest.mark.parametrize("header", [
    None, "", "sha256=", "sha256=zz", "sha1=" + "0" * 40, "0" * 64, "sha256=" + "0" * 63, "sha256 =" + "0" * 64,
    "sha256=" + "g" * 64,
])
def test_github_missing_or_garbled_header(header):
    body = (FIXTURES / "deployment_status.payload.json").read_bytes()
    assert not verify_github(body, header, SECRET)


def test_github_empty_secret_never_verifies():
    body = b"{}"
    assert not verify_github(body, sign_github(body, ""), "")


def test_github_known_vector():
    # The example from GitHub's "Validating webhook deliveries" guide (secret and body as published).
    assert sign_github(b"Hello, World!", SECRET) == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")


@pytest.mark.parametrize(("header", "ok"), [
    ("s3cret-token", True), ("s3cret-token ", False), ("S3CRET-TOKEN", False), ("", False), (None, False),
    ("s3cret", False),
])
def test_gitlab_token(header, ok):
    assert verify_gitlab(header, "s3cret-token") is ok
    assert not verify_gitlab(header, "")
