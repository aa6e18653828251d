"""`make run`: the login line is the last thing it prints, and the embedded default logs no broker warning."""

import io
import logging

import pytest
from django.core.management import call_command

from apps.projects.management.commands.serve import Command

pytestmark = pytest.mark.django_db


def test_serve_ends_its_start_up_with_the_login_line():
    out = io.StringIO()
    command = Command(stdout=out)
    command.addr, command.use_ipv6, command._raw_ipv6, command.protocol = "127.0.0.1", False, False, "http"
    command.on_bind("8000")
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    assert "Starting development server at http://127.0.0.1:8000/" in out.getvalue()
    assert lines[-1].startswith("Threadline is up: open http://127.0.0.1:8000/ and log in as 'demo' / ")


def test_seeding_the_embedded_default_logs_no_broker_warning(caplog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with caplog.at_level(logging.WARNING):
        call_command("seed_demo", stdout=io.StringIO())
    assert not [r for r in caplog.records if r.name.startswith("kombu")], [r.getMessage() for r in caplog.records]
