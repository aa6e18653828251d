"""README.md's tour works verbatim: every ```sh line of "A first tour" and "The API" (requirements and
test-run calls included) runs, in order, with the real curl, against a live server seeded the way
`make run` seeds it.

Only two things differ from a reader's shell: http://127.0.0.1:8000 becomes the live server's address,
and the token command (`TOKEN=$(.venv/bin/python manage.py create_api_token …)`) runs in this process
(its database is the test's). Each call must answer 2xx, or the status its comment names (`# → 201`).
Edit the README into a tour that breaks, and this fails.
"""

import os
import re
import shlex
import shutil
import subprocess
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

README = settings.BASE_DIR / "README.md"
SECTIONS = ("## A first tour", "## The API")
README_HOST = "http://127.0.0.1:8000"

pytestmark = [
    # A fresh database whose ids start at 1, as after `make run` (the README names test-runs/1/, labels/1/).
    pytest.mark.django_db(transaction=True, reset_sequences=True),
    pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed"),
]


def section(text: str, heading: str) -> str:
    """From the heading's line to the next heading of the same level (subsections included)."""
    start = text.index("\n" + heading) + 1
    following = re.search(r"^## ", text[start + len(heading):], re.M)
    return text[start:start + len(heading) + following.start()] if following else text[start:]


def tour_lines(text: str) -> list[str]:
    """The shell lines of the tour's ```sh blocks, continuations joined, comment-only lines dropped."""
    lines = []
    for heading in SECTIONS:
        blocks = re.findall(r"^```sh\n(.*?)^```", section(text, heading), re.S | re.M)
        assert blocks, f"README.md: no ```sh block under {heading!r}"
        for block in blocks:
            for line in re.sub(r"\\\n\s*", " ", block).splitlines():
                if line.strip() and not line.lstrip().startswith("#"):
                    lines.append(line.strip())
    return lines


def test_the_tour_parses_into_curl_calls_after_a_token():
    lines = tour_lines(README.read_text())
    assert lines[0].startswith("TOKEN="), "the tour starts by getting a token"
    assert sum(line.startswith("curl ") for line in lines) >= 10


def expected_status(line: str) -> range:
    named = re.search(r"#.*→\s*(\d{3})", line)
    return range(int(named.group(1)), int(named.group(1)) + 1) if named else range(200, 300)


def make_token(value: str) -> str:
    """`$(.venv/bin/python manage.py create_api_token demo …)`: the same command, in this process."""
    inner = re.fullmatch(r"\$\((.*)\)", value)
    assert inner, f"README: the token line should run the token command: TOKEN={value}"
    argv = shlex.split(inner.group(1))
    assert argv[:2] == [".venv/bin/python", "manage.py"] and (settings.BASE_DIR / argv[0]).parent.name == "bin", argv
    out = StringIO()
    call_command(*argv[2:], stdout=out)
    return out.getvalue().strip()


def assign(line: str, env: dict) -> None:
    name, value = re.fullmatch(r"(\w+)=(\$\([^)]*\)|\S+)(?:\s+#.*)?", line).groups()
    if name == "TOKEN":
        env[name] = make_token(value)
    else:  # evaluated by the shell, as a reader's would
        env[name] = subprocess.run(["bash", "-c", f'{line}\nprintf %s "${name}"'], env=env, capture_output=True,
                                   text=True, check=True, timeout=30).stdout  # fmt: skip


def run_curl(line: str, env: dict, workdir, number: int) -> tuple[int, str]:
    headers = workdir / f".headers-{number}"
    # -q first: no ~/.curlrc; -D: the status, even when the README sends the body to a file (-o).
    command = f"curl -q -sS --max-time 60 -D {shlex.quote(str(headers))} " + line.removeprefix("curl ")
    result = subprocess.run(["bash", "-c", command], cwd=workdir, env=env, capture_output=True, text=True,
                            timeout=90)  # fmt: skip
    assert result.returncode == 0, f"{line}\ncurl exited {result.returncode}: {result.stderr}{result.stdout[:2000]}"
    statuses = re.findall(r"^HTTP/[\d.]+ (\d{3})", headers.read_text(), re.M)  # the last one (after a 100)
    return int(statuses[-1]), result.stdout


def test_readme_tour_runs_verbatim(live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())  # what `make run` does before serving
    workdir = tmp_path / "tour"  # the reader's checkout: docs/ to upload from, a place for requirements.csv
    workdir.mkdir()
    (workdir / "docs").symlink_to(settings.BASE_DIR / "docs")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C.UTF-8"}
    if (settings.BASE_DIR / ".git").exists():
        env["GIT_DIR"] = str(settings.BASE_DIR / ".git")  # `git rev-parse HEAD` in the upload line
    mail.outbox.clear()

    calls = 0
    for number, line in enumerate(tour_lines(README.read_text())):
        line = line.replace(README_HOST, live_server.url)
        if re.match(r"\w+=", line):
            assign(line, env)
        elif line.startswith("curl "):
            assert env.get("TOKEN"), f"README: {line!r} runs before the tour sets TOKEN"
            status, body = run_curl(line, env, workdir, number)
            assert status in expected_status(line), f"README tour: {line}\nanswered {status}: {body[:1500]}"
            calls += 1
        else:
            pytest.fail(f"README tour: a line this test doesn't know how to run: {line}")
    assert calls >= 10

    # What the tour says happens besides the answers.
    from apps.projects.models import Membership
    from apps.testruns.models import TestRun

    assert Membership.objects.get(project__slug="inventory-api", user__username="teammate").role == "maintainer"
    assert [message.to for message in mail.outbox] == [["newcomer@example.com"]]
    assert f"{live_server.url}/projects/invitations/" in mail.outbox[0].body
    uploaded = TestRun.objects.filter(created_by__username="demo", external_id="").get()
    assert uploaded.status == "complete" and uploaded.error == "", uploaded.error
