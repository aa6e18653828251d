"""docs/benchmarks.md is written by several benchmark scripts: each owns one section, between
``<!-- bench:<name> -->`` and ``<!-- /bench:<name> -->``, and rewrites only that one."""

from pathlib import Path

HEADER = "# Benchmarks\n\nWritten by `make bench`; each section by the script it names.\n"


def replace_section(path: Path, name: str, text: str) -> None:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{text.strip()}\n{end}"
    current = path.read_text() if path.exists() else HEADER
    if start in current and end in current:
        before, rest = current.split(start, 1)
        after = rest.split(end, 1)[1]
        current = before + block + after
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    path.write_text(current)
