"""Bytes of an archive file → text: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252."""

from __future__ import annotations

import codecs

import pytest

from feeds.archive.decoding import decode_archive_bytes

TEXT = "12 March, 2021\r\nIOM opens a café in Elías Piña\n“Quoted” – it’s 5 €…\n"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + TEXT.encode("utf-8"), id="utf-8-bom"),
        pytest.param(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), id="utf-16-le-bom"),
        pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
    ],
)
def test_unicode_encodings_decode_silently_without_bom(data: bytes) -> None:
    assert decode_archive_bytes(data, "a.txt") == (TEXT, [])


def test_ascii_and_empty_files_decode_silently() -> None:
    assert decode_archive_bytes(b"", "a.txt") == ("", [])
    assert decode_archive_bytes(b"12 March, 2021\n", "a.txt") == ("12 March, 2021\n", [])


def test_windows_1252_is_decoded_with_a_warning_naming_file_line_and_byte() -> None:
    text, diagnostics = decode_archive_bytes(TEXT.encode("cp1252"), "2021/march.txt")

    assert text == TEXT
    assert [(str(d.source), d.severity) for d in diagnostics] == [("2021/march.txt:2", "warning")]
    assert "not valid UTF-8 (byte 0xE9)" in diagnostics[0].message
    assert "Windows-1252" in diagnostics[0].message


@pytest.mark.parametrize(
    ("data", "line"),
    [
        pytest.param(b"\x93quoted\x94\n", 1, id="first-byte"),
        pytest.param(b"a\nb\n\nd\xe9\n", 4, id="lf"),
        pytest.param(b"a\r\nb\r\n\r\nd\xe9\r\n", 4, id="crlf"),
        pytest.param(b"a\rb\r\rd\xe9\r", 4, id="cr"),
        pytest.param(b"a\r\r\nb\n\xe9", 4, id="cr-then-crlf"),
        pytest.param(b"ok\n" * 999 + b"caf\xe9\n", 1000, id="far-down"),
    ],
)
def test_the_warning_names_the_line_of_the_first_bad_byte(data: bytes, line: int) -> None:
    _text, diagnostics = decode_archive_bytes(data, "a.txt")

    assert [d.source.line for d in diagnostics] == [line]


def test_valid_utf8_before_the_bad_byte_is_read_as_windows_1252_too() -> None:
    # The spec decodes the whole file as Windows-1252, so earlier UTF-8 shows as mojibake;
    # the warning tells the newsroom to check the file.
    text, diagnostics = decode_archive_bytes("café\n".encode() + b"caf\xe9\n", "a.txt")

    assert text == "cafÃ©\ncafé\n"
    assert [d.source.line for d in diagnostics] == [2]


@pytest.mark.parametrize("undefined", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_bytes_windows_1252_leaves_undefined_do_not_raise(undefined: bytes) -> None:
    text, diagnostics = decode_archive_bytes(b"caf" + undefined + b"\n", "a.txt")

    assert text == "caf\ufffd\n"
    assert len(diagnostics) == 1


def test_a_broken_utf16_file_falls_back_without_raising() -> None:
    data = codecs.BOM_UTF16_LE + "12 March".encode("utf-16-le") + b"\x00"  # odd length

    text, diagnostics = decode_archive_bytes(data, "a.txt")

    assert "March" in text.replace("\x00", "")
    assert [d.severity for d in diagnostics] == ["warning"]


def test_a_utf8_bom_before_windows_1252_is_not_text() -> None:
    # A file saved with a BOM by one editor and appended to in Windows-1252 by another.
    data = codecs.BOM_UTF8 + "12 March, 2021\nCafé\n".encode("cp1252")

    text, _diagnostics = decode_archive_bytes(data, "a.txt")

    assert text.lstrip("\ufeff") == "12 March, 2021\nCafé\n"


@pytest.mark.parametrize(
    ("body", "line", "byte"),
    [
        pytest.param(b"12 March, 2021\nCaf\xe9\n", 2, "0xE9", id="mid-line"),
        pytest.param(b"12 March, 2021\n\xe9t\xe9\n", 2, "0xE9", id="line-start"),
        pytest.param(b"a\n\x93b\x94\n", 2, "0x93", id="second-line-start"),
    ],
)
def test_after_a_utf8_bom_the_warning_still_names_the_bad_byte_and_line(
    body: bytes, line: int, byte: str
) -> None:
    _text, diagnostics = decode_archive_bytes(codecs.BOM_UTF8 + body, "a.txt")

    assert [d.source.line for d in diagnostics] == [line]
    assert f"(byte {byte})" in diagnostics[0].message
