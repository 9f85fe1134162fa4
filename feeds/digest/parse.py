"""A fetched document → a feed section: RSS and Atom through feedparser, JSON Feed as JSON.

Pure: bytes in, values out. Untyped input becomes frozen values here, and only text:
titles and summaries lose their markup, so no feed's HTML (scripts, remote images,
styles) ever reaches a digest.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from feeds.digest.model import DigestItem, FeedSection
from feeds.errors import DigestSourceError

JSON_MEDIA_TYPES = ("application/feed+json", "application/json")
JSONFEED_VERSION_PREFIX = "https://jsonfeed.org/version/"
UNTITLED = "(untitled)"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_BLOCK_TAG = re.compile(r"p|div|br|li|ul|ol|h[1-6]|blockquote|pre|tr|table|section|article")


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    section: FeedSection
    #: The next page of the feed (RFC 5005 ``next``, JSON Feed ``next_url``), if any.
    next_url: str | None = None
    #: Problems the feed survived: skipped entries, tolerated malformed XML.
    warnings: tuple[str, ...] = ()


def parse_feed(body: bytes, content_type: str, url: str) -> ParsedFeed:
    """The feed in ``body``, fetched from ``url``; raises DigestSourceError saying why not."""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type in JSON_MEDIA_TYPES or ("xml" not in media_type and body.lstrip()[:1] == b"{"):
        return parse_jsonfeed(body, url)
    return parse_xml_feed(body, content_type, url)


def parse_xml_feed(body: bytes, content_type: str, url: str) -> ParsedFeed:
    """RSS or Atom, read as feedparser reads it, with its tolerance for sloppy XML.

    A document that is not well-formed is still used when feedparser recognised the
    format and every entry came out whole (an id or link, and a title or summary):
    that is the common unescaped ``&``. Otherwise it is an error, because a cut-off
    document would yield a half-read last entry.
    """
    headers = {"content-type": content_type or "application/xml", "content-location": url}
    # A stream, never bytes: feedparser first tries bytes as a file name to open, so a
    # server answering "/etc/passwd" would have it read a local file.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    not_xml = isinstance(problem, xml.sax.SAXParseException)
    if not parsed.get("version"):
        shown = content_type.partition(";")[0] or "no Content-Type"
        raise DigestSourceError(f"{url} is not an RSS, Atom or JSON Feed document ({shown})")
    entries = parsed.get("entries") or []
    if not_xml and (not entries or not all(_is_whole(entry) for entry in entries)):
        raise DigestSourceError(
            f"{url} is malformed XML ({_where(problem)}) and its entries cannot all be "
            "read whole, so it is not used"
        )
    warnings = (
        [f"{url} is not well-formed XML ({_where(problem)}); read it anyway, as feed readers do"]
        if not_xml
        else []
    )
    feed = parsed.get("feed", {})
    title = _text(feed.get("title_detail")) or urlsplit(url).netloc
    items = []
    for entry in entries:
        item = _entry_item(entry, title)
        if item is None:
            warnings.append(
                f"{url}: skipped an entry with neither id nor link "
                f"({_text(entry.get('title_detail')) or 'untitled'!r})"
            )
        else:
            items.append(item)
    next_url = next(
        (
            link.get("href")
            for link in feed.get("links", ())
            if link.get("rel") == "next" and link.get("href")
        ),
        None,
    )
    section = FeedSection(title, _web_url(feed.get("link"), url) or url, tuple(items))
    return ParsedFeed(section, _web_url(next_url, url) or None, tuple(warnings))


def _is_whole(entry: Mapping[str, Any]) -> bool:
    return bool(
        (entry.get("id") or entry.get("link")) and (entry.get("title") or entry.get("summary"))
    )


def _where(problem: Any) -> str:
    # Only the message: feedparser rewrites the XML declaration before parsing, so the
    # line and column it reports are not those of the document the server sent.
    return str(problem.getMessage())


def _entry_item(entry: Mapping[str, Any], feed_title: str) -> DigestItem | None:
    link = _web_url(entry.get("link"), "")
    guid = entry.get("id") or entry.get("link")
    if not guid:
        return None
    summary = _text(entry.get("summary_detail"))
    if not summary and entry.get("content"):
        summary = _text(entry["content"][0])
    title = _text(entry.get("title_detail")) or _first_words(summary) or UNTITLED
    date = _date(
        entry.get("published") or entry.get("updated"),
        entry.get("published_parsed") or entry.get("updated_parsed"),
    )
    return DigestItem(str(guid), title, link, date, summary, feed_title)


def parse_jsonfeed(body: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0 or 1.1 (https://www.jsonfeed.org/version/1.1/)."""
    try:
        document = json.loads(body)
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError both are
        raise DigestSourceError(f"{url} is malformed JSON ({exc})") from exc
    if not (
        isinstance(document, dict)
        and str(document.get("version", "")).startswith(JSONFEED_VERSION_PREFIX)
        and isinstance(document.get("items"), list)
    ):
        raise DigestSourceError(f"{url} is JSON but not a JSON Feed (no version or items)")
    title = _plain(str(document.get("title") or "")) or urlsplit(url).netloc
    items: list[DigestItem] = []
    warnings: list[str] = []
    for raw in document["items"]:
        item = _json_item(raw, title, url) if isinstance(raw, dict) else None
        if item is None:
            warnings.append(f"{url}: skipped an item with neither id nor url")
        else:
            items.append(item)
    section = FeedSection(title, _web_url(document.get("home_page_url"), url) or url, tuple(items))
    return ParsedFeed(section, _web_url(document.get("next_url"), url) or None, tuple(warnings))


def _json_item(raw: Mapping[str, Any], feed_title: str, base: str) -> DigestItem | None:
    link = _web_url(raw.get("url") or raw.get("external_url"), base)
    guid = raw.get("id") or raw.get("url")
    if guid is None or guid == "":
        return None
    summary = _plain(str(raw.get("summary") or raw.get("content_text") or "")) or html_text(
        str(raw.get("content_html") or "")
    )
    title = _plain(str(raw.get("title") or "")) or _first_words(summary) or UNTITLED
    date = _date(raw.get("date_published") or raw.get("date_modified"), None)
    return DigestItem(str(guid), title, link, date, summary, feed_title)


def _date(raw: Any, parsed: Any) -> dt.datetime | None:
    """The date as the feed wrote it, keeping its offset (feedparser's own is in UTC,
    which can move an item dated by day onto the day before)."""
    if isinstance(raw, str) and raw.strip():
        for reader in (dt.datetime.fromisoformat, parsedate_to_datetime):
            try:
                value = reader(raw.strip())
            except (ValueError, TypeError, IndexError):
                continue
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if parsed:
        year, month, day, hour, minute, second = parsed[:6]
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    return None


def _web_url(value: Any, base: str) -> str:
    """An absolute http(s) URL, else empty: a ``javascript:`` link is never shown."""
    if not isinstance(value, str) or not value.strip():
        return ""
    absolute = urljoin(base, value.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


def _text(detail: Mapping[str, Any] | None) -> str:
    """Plain text of a feedparser text construct, whatever its type."""
    if not detail or not detail.get("value"):
        return ""
    value = str(detail["value"])
    if str(detail.get("type", "")).lower() in _HTML_TYPES:
        return html_text(value)
    return _plain(value)


def _plain(text: str) -> str:
    """Paragraphs kept, other white space collapsed."""
    parts = (" ".join(part.split()) for part in text.replace("\r", "").split("\n\n"))
    return "\n\n".join(part for part in parts if part)


def _first_words(text: str, limit: int = 80) -> str:
    first = text.split("\n\n", 1)[0]
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "…"


def html_text(markup: str) -> str:
    """The text of an HTML fragment: block elements become paragraphs; scripts and
    styles are dropped; character references are decoded."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return _plain("".join(extractor.parts))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skipping += 1
        elif _BLOCK_TAG.fullmatch(tag):
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skipping = max(0, self._skipping - 1)
        elif _BLOCK_TAG.fullmatch(tag):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data.replace("\n", " "))
