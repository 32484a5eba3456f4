"""Formatted text: parse_mode HTML / MarkdownV2 into (plain text, entities), and the automatic
entities Telegram adds to what users type (bot commands, mentions, links).

Offsets and lengths are in UTF-16 code units, as in the Bot API; PTB and aiogram slice text
with them, so getting emoji right matters. Error texts follow Telegram's
"can't parse entities: ..." wording. The parsers are deliberately light: they catch the
mistakes a bot really makes (unknown tags, unbalanced tags, unescaped MarkdownV2 characters).
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, bad_request

JSON = dict[str, Any]


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _parse_error(reason: str) -> ApiError:
    return bad_request(f"can't parse entities: {reason}")


def _sorted(entities: list[JSON]) -> list[JSON]:
    # Telegram orders by offset, outer (longer) entity first.
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# ---------------------------------------------------------------- HTML

_HTML_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)?([^>]*)>")
_ATTR_RE = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")


def _unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#x"):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        # Telegram leaves unknown named entities as they are.
        return _NAMED.get(name, match.group(0))

    return _ENTITY_RE.sub(repl, text) if "&" in text else text


def parse_html(source: str) -> tuple[str, list[JSON]]:
    out: list[str] = []
    pos16 = 0  # UTF-16 length of text emitted so far
    stack: list[tuple[str, int, JSON]] = []
    entities: list[JSON] = []
    i = 0
    while True:
        lt = source.find("<", i)
        chunk = _unescape(source[i:] if lt < 0 else source[i:lt])
        out.append(chunk)
        pos16 += utf16_len(chunk)
        if lt < 0:
            break
        byte_offset = len(source[:lt].encode())
        match = _TAG_RE.match(source, lt)
        if match is None or match.group(2) is None:
            words = source[lt + 1 : lt + 20].split(">")[0].split()
            name = words[0] if words else ""
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
        closing, name, rest = match.group(1) == "/", match.group(2).lower(), match.group(3)
        i = match.end()
        if closing:
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {byte_offset}")
            open_name, start, attrs = stack.pop()
            if open_name != name:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {byte_offset}, expected "</{open_name}>", '
                    f'found "</{name}>"'
                )
            _close_html_entity(open_name, start, pos16, attrs, entities)
            continue
        if name not in _HTML_TYPES:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {byte_offset}')
        attrs = {
            m.group(1).lower(): _unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR_RE.finditer(rest)
        }
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _parse_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset}'
            )
        stack.append((name, pos16, attrs))
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), _sorted(entities)


def _close_html_entity(name: str, start: int, end: int, attrs: JSON, entities: list[JSON]) -> None:
    if end <= start:
        return  # Telegram drops empty entities
    entity: JSON = {"type": _HTML_TYPES[name], "offset": start, "length": end - start}
    if name == "a":
        href = attrs.get("href", "")
        if href.startswith("tg://user?id="):
            entity = {
                "type": "text_mention",
                "offset": start,
                "length": end - start,
                "user": {"id": int(href.split("=", 1)[1]), "is_bot": False, "first_name": ""},
            }
        elif not href:
            return  # an <a> without href is plain text in Telegram
        else:
            entity["url"] = href
    elif name == "tg-emoji":
        entity["custom_emoji_id"] = attrs.get("emoji-id", "")
    elif name == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif name == "code":
        # <pre><code class="language-x"> becomes one pre entity with a language (see below).
        lang = str(attrs.get("class", ""))
        if lang.startswith("language-"):
            entity["language"] = lang[len("language-") :]
    entities.append(entity)
    if name == "pre":
        inner = [
            e
            for e in entities
            if e["type"] == "code" and e["offset"] == start and e["length"] == end - start
        ]
        for code in inner:
            entities.remove(code)
            if "language" in code:
                entity["language"] = code["language"]


# ---------------------------------------------------------------- MarkdownV2

_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_MARKS = (
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
)


def _unescaped(source: str, mark: str, start: int) -> int:
    """Index of the first ``mark`` at or after ``start`` not escaped by a backslash."""
    i = start
    while i < len(source):
        if source[i] == "\\":
            i += 2
            continue
        if source.startswith(mark, i):
            return i
        i += 1
    return -1


def parse_markdown_v2(source: str) -> tuple[str, list[JSON]]:
    out: list[str] = []
    pos16 = 0
    stack: list[tuple[str, str, int]] = []  # (mark, type, start offset)
    entities: list[JSON] = []
    link_starts: list[int] = []
    i, n = 0, len(source)

    def emit(text: str) -> None:
        nonlocal pos16
        out.append(text)
        pos16 += utf16_len(text)

    while i < n:
        ch = source[i]
        byte_offset = len(source[:i].encode())
        if ch == "\\" and i + 1 < n:
            emit(source[i + 1])
            i += 2
            continue
        if ch == "`":
            fence = source.startswith("```", i)
            mark = "```" if fence else "`"
            end = _unescaped(source, mark, i + len(mark))
            if end < 0:
                raise _parse_error(
                    f"Can't find end of {'Pre' if fence else 'Code'} entity at byte offset "
                    f"{byte_offset}"
                )
            body = source[i + len(mark) : end]
            entity: JSON = {"type": "pre" if fence else "code"}
            if fence and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    entity["language"], body = first, rest
            body = re.sub(r"\\([`\\])", r"\1", body)
            start = pos16
            emit(body)
            if pos16 > start:
                entities.append({**entity, "offset": start, "length": pos16 - start})
            i = end + len(mark)
            continue
        matched = next(((m, t) for m, t in _MDV2_MARKS if source.startswith(m, i)), None)
        if matched:
            mark, etype = matched
            if stack and stack[-1][0] == mark:
                _, _, start = stack.pop()
                if pos16 > start:
                    entities.append({"type": etype, "offset": start, "length": pos16 - start})
            else:
                stack.append((mark, etype, pos16))
            i += len(mark)
            continue
        if ch == "[":
            link_starts.append(pos16)
            i += 1
            continue
        if ch == "]" and link_starts and source.startswith("(", i + 1):
            close = _unescaped(source, ")", i + 2)
            if close < 0:
                raise _parse_error(f"Can't find end of a URL at byte offset {byte_offset}")
            url = source[i + 2 : close].replace("\\)", ")").replace("\\\\", "\\")
            start = link_starts.pop()
            if pos16 > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": pos16 - start, "url": url}
                )
            i = close + 1
            continue
        if ch == ">" and (i == 0 or source[i - 1] == "\n"):
            i += 1  # blockquote marker: keep the text, no entity (light parser)
            continue
        if ch in _MDV2_RESERVED:
            raise _parse_error(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        emit(ch)
        i += 1
    if stack or link_starts:
        raise _parse_error(
            f"Can't find end of the entity starting at byte offset {len(source.encode())}"
        )
    return "".join(out), _sorted(entities)


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[JSON]]:
    """Apply ``parse_mode``; legacy "Markdown" is passed through without entities."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode in ("", "markdown"):
        return text, []
    raise bad_request(f"unsupported parse_mode {parse_mode}")


# ---------------------------------------------------------------- user-typed text

_AUTO_RE = re.compile(
    r"(?P<bot_command>(?<![\w/])/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/]))"
    r"|(?P<mention>(?<![\w@])@[a-zA-Z0-9_]{4,32}\b)"
    r"|(?P<url>\bhttps?://[^\s<>\"]+)"
    r"|(?P<hashtag>(?<![\w#])#\w+)"
)


def detect_entities(text: str) -> list[JSON]:
    """Entities Telegram's servers attach to user text: bot commands, mentions, URLs, tags."""
    if not ("/" in text or "@" in text or "#" in text):
        return []
    entities: list[JSON] = []
    ascii_only = text.isascii()
    for match in _AUTO_RE.finditer(text):
        kind = match.lastgroup or "url"
        start, end = match.span()
        if ascii_only:
            offset, length = start, end - start
        else:
            offset, length = utf16_len(text[:start]), utf16_len(text[start:end])
        entities.append({"type": kind, "offset": offset, "length": length})
    return entities
