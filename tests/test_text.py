"""feeds.text: the one tokeniser behind classification, slugs and search."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import text


def _reference_tokens(value: str) -> list[str]:
    """The plain definition that the fast path must equal."""
    return value.translate(text._SEPARATORS).split()


@given(st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_fast_tokens_equal_the_plain_definition(value: str) -> None:
    assert text.tokens(value) == _reference_tokens(value)
    assert text.lower_tokens(value) == " ".join(_reference_tokens(value)).lower().split()
    assert text.lower_token_string(value) == " ".join(text.lower_tokens(value))
    assert text.spaced_tokens(value) == "  ".join(_reference_tokens(value)).encode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("U.S. and Guyana’s", b"U  S  and  Guyana  s"),  # ASCII once the accents are gone
        ("  Mexico,\tCity. ", b"Mexico  City"),
        ("移民 forum", "移民  forum".encode()),
        ("", b""),
    ],
)
def test_spaced_tokens(value: str, expected: bytes) -> None:
    assert text.spaced_tokens(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("U.S. and Guyana’s", ["U", "S", "and", "Guyana", "s"]),
        ("cross-border", ["cross", "border"]),
        ("Elías Piña, Panamá", ["Elias", "Pina", "Panama"]),
        ("straße Æro", ["strasse", "AEro"]),
        ("移民 forum", ["移民", "forum"]),
        ("tab\there\u00a0nbsp\u2028line", ["tab", "here", "nbsp", "line"]),
        ("", []),
    ],
)
def test_tokens(value: str, expected: list[str]) -> None:
    assert text.tokens(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Costa Rica", "costa-rica"), ("Côte d’Ivoire", "cote-d-ivoire"), ("  ", "")],
)
def test_slugify(value: str, expected: str) -> None:
    assert text.slugify(value) == expected


def test_fold_ignores_case_and_accents_but_keeps_punctuation() -> None:
    assert text.fold("Información, MÉXICO") == "informacion, mexico"
