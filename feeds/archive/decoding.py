"""Bytes of an archive file → text. Pure, so the fuzz tests can feed it anything."""

from __future__ import annotations

import codecs

from feeds.archive.entry import Diagnostic, warning


def decode_archive_bytes(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 with a warning."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    data = data.removeprefix(codecs.BOM_UTF8)  # also before text that is not UTF-8 after all
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = _line_of_offset(data, exc.start)
        bad_byte = data[exc.start]
        message = (
            f"not valid UTF-8 (byte 0x{bad_byte:02X}); "
            "decoded the whole file as Windows-1252, check its accents and quotes"
        )
        return data.decode("cp1252", errors="replace"), [warning(path, line, message)]


def _line_of_offset(data: bytes, offset: int) -> int:
    head = data[:offset].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return head.count(b"\n") + 1
