"""Zip archives of decision records: reading an upload safely, writing an export, parsing a batch.

This module owns the archive boundary of the ADR engine. ``read_zip`` never extracts to disk and
never trusts the archive's own bookkeeping: names are checked (no absolute paths, no ``..``), sizes
are checked as declared *and* as actually decompressed (read in chunks, stopped at the cap), the
compression ratio is capped, and encrypted entries or text that isn't UTF-8 (or holds NUL bytes)
are refused. Every refusal is an ``AdrError`` naming the entry.
"""

from __future__ import annotations

import io
import re
import zipfile

from .madr import AdrError, ParsedAdr, parse_madr

_CHUNK = 64 * 1024
# Below this many bytes a high ratio is harmless (a short file of repeated characters compresses
# well); the ratio cap is for entries big enough to matter.
_RATIO_FLOOR = 1_000_000
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same records give byte-identical archives
_SKIPPED = re.compile(r"^(readme|index|adr-template.*|template.*)\.md$", re.IGNORECASE)


def _check_name(name: str) -> str:
    clean = name.replace("\\", "/")
    parts = clean.split("/")
    if clean.startswith("/") or re.match(r"^[A-Za-z]:", clean) or ".." in parts or "\x00" in clean:
        raise AdrError("the archive names a path outside itself (absolute or with '..'); refused", name)
    return clean


def _ignored(name: str) -> bool:
    parts = name.split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._") or not parts[-1].lower().endswith(".md")


def read_zip(
    data: bytes, *, max_files: int = 500, max_total_bytes: int = 20_000_000, max_ratio: int = 100
) -> list[tuple[str, str]]:
    """The ``*.md`` entries of a zip archive as ``(name, text)``, in archive order.

    Directories, ``__MACOSX`` and other files are skipped. Raises ``AdrError`` for a damaged or
    hostile archive: more than ``max_files`` records, more than ``max_total_bytes`` uncompressed
    (declared or actual), an entry whose ratio exceeds ``max_ratio``, an entry bigger than it
    declares, path traversal, an encrypted entry, a duplicate name, or text that isn't UTF-8.
    """
    if len(data) > max_total_bytes:
        raise AdrError(f"the archive is {len(data):,} bytes; the limit is {max_total_bytes:,}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise AdrError(f"not a readable zip archive ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_files * 10:  # the central directory alone; ignored entries count too
            raise AdrError(f"the archive has {len(infos):,} entries; at most {max_files * 10:,} are read")
        wanted = []
        for info in infos:
            name = _check_name(info.filename)
            if info.is_dir() or _ignored(name):
                continue
            wanted.append((name, info))
        if len(wanted) > max_files:
            raise AdrError(f"the archive has {len(wanted):,} markdown files; the limit is {max_files:,}")
        declared = sum(info.file_size for _, info in wanted)
        if declared > max_total_bytes:
            raise AdrError(f"the records would unpack to {declared:,} bytes; the limit is {max_total_bytes:,}")
        seen: set[str] = set()
        out = []
        budget = max_total_bytes
        for name, info in wanted:
            if name in seen:
                raise AdrError("the archive holds this name twice", name)
            seen.add(name)
            if info.flag_bits & 0x1:
                raise AdrError("the entry is encrypted; upload an unencrypted archive", name)
            if info.file_size > _RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1):
                raise AdrError(f"the entry compresses more than {max_ratio}:1 (a zip bomb?)", name)
            raw = _read_entry(archive, info, name, budget, max_ratio)
            budget -= len(raw)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise AdrError(f"the file is not UTF-8 text (byte {exc.start})", name) from None
            if "\x00" in text:  # valid UTF-8, but no markdown file holds NUL bytes
                raise AdrError("the file holds binary data (NUL bytes), not text", name)
            out.append((name, text))
    return out


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int, max_ratio: int) -> bytes:
    """Decompress one entry in chunks, stopping as soon as it outgrows what it declared or the budget."""
    limit = min(info.file_size, budget)
    chunks, size = [], 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    what = "more than it declares" if size > info.file_size else "past the archive's size limit"
                    raise AdrError(f"the entry unpacks to {what}; refused", name)
                if size > _RATIO_FLOOR and size > max_ratio * max(info.compress_size, 1):
                    raise AdrError(f"the entry compresses more than {max_ratio}:1 (a zip bomb?)", name)
                chunks.append(chunk)
    except AdrError:
        raise
    except RuntimeError as exc:  # zipfile's "File is encrypted, password required"
        raise AdrError(f"the entry can't be read ({exc})", name) from None
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        # zipfile itself stops at the declared size and then fails the CRC check: a lying entry lands here.
        raise AdrError(f"the entry is damaged or lies about its size ({exc})", name) from None
    return b"".join(chunks)


def write_zip(files: list[tuple[str, str]]) -> bytes:
    """A deflated zip of ``(name, text)`` records (UTF-8), deterministic for the same input."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        seen = set()
        for name, text in files:
            clean = _check_name(name)
            if clean in seen:
                raise AdrError("two records would get this name", clean)
            seen.add(clean)
            info = zipfile.ZipInfo(clean, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def skip_reason(name: str) -> str | None:
    """Why ``parse_many`` leaves a file out (an index or a template next to the records), or None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if _SKIPPED.match(base):
        return "an index or template file, not a decision record"
    return None


def parse_many(files) -> tuple[list[ParsedAdr], list[AdrError]]:
    """Parse ``(name, text)`` records, collecting every error with its file name.

    Files ``skip_reason`` names (README.md, index.md, adr-template*.md, template*.md) are left out.
    Two records with the same number are an error on the second. The caller imports all or nothing.
    """
    adrs: list[ParsedAdr] = []
    errors: list[AdrError] = []
    numbers: dict[int, str] = {}
    for name, text in files:
        if skip_reason(name):
            continue
        try:
            adr = parse_madr(text, filename=name)
        except AdrError as exc:
            exc.file = exc.file or name
            errors.append(exc)
            continue
        if adr.number is not None and adr.number in numbers:
            errors.append(AdrError(f"number {adr.number} is also used by {numbers[adr.number]}", name))
            continue
        if adr.number is not None:
            numbers[adr.number] = name
        adrs.append(adr)
    return adrs, errors
