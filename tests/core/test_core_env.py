"""config.env: what the embedded database is configured to do under concurrent requests."""

from config.env import database_from_url


def test_sqlite_writers_queue_instead_of_failing(monkeypatch):
    # A deferred SQLite transaction whose read turns into a write fails at once with "database is
    # locked" when another writer holds the lock; IMMEDIATE makes writers wait their turn.
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/threadline-env-test.sqlite3")
    options = database_from_url("DATABASE_URL", "")["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 10
