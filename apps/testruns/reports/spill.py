"""A holding area for parsed cases that must wait (TRX results written before their definitions):
in memory up to a byte budget, then in a temporary file, so memory stays bounded however many
cases wait and however much output they carry.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator

from .base import ParsedCase


def _weight(case: ParsedCase) -> int:
    # The text a case carries dominates its size; 200 bytes covers the object itself.
    return 200 + sum(map(len, (case.name, case.classname, case.failure_message, case.failure_text,
                               case.system_out, case.system_err)))  # fmt: skip


class Spill:
    """``add(key, case)`` while parsing; ``drain()`` gives every (key, case) back, in order, once."""

    def __init__(self, budget_bytes: int):
        self.budget, self.held, self.weight = budget_bytes, [], 0
        self.file = None  # created on the first overflow only

    def add(self, key: str, case: ParsedCase) -> None:
        self.held.append((key, case))
        self.weight += _weight(case)
        if self.weight > self.budget:
            self._write_out()

    def _write_out(self) -> None:
        if self.file is None:
            # An anonymous file: gone when closed, or when the process dies.
            self.file = tempfile.TemporaryFile(prefix="threadline-pending-")  # noqa: SIM115 - closed by close()
        for item in self.held:
            pickle.dump(item, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.held, self.weight = [], 0

    def drain(self) -> Iterator[tuple[str, ParsedCase]]:
        try:
            if self.file is not None:
                self.file.seek(0)
                while True:
                    try:
                        yield pickle.load(self.file)  # noqa: S301 - our own file, written just above
                    except EOFError:
                        break
            yield from self.held
        finally:
            self.close()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        self.held = []
