"""The message catalogs match the code, and both Chinese catalogs are complete.

Every user-facing text is an English msgid in ``_("…")``; Babel extracts them into
``locales/frontline.pot`` and each language has a ``.po`` beside it. These tests extract the
code afresh, so they fail as soon as someone adds or rewords a ``_()`` text without updating
and translating the catalogs. The fix is always the same (see ``locales/README.md``)::

    uv run pybabel extract -F locales/babel.cfg -k _ --no-default-keywords --no-location \
        --sort-output -o locales/frontline.pot dialogs handlers bot scheduler
    for lang in zh_Hans zh_Hant en; do uv run pybabel update --no-fuzzy-matching \
        --ignore-obsolete -D frontline -d locales -i locales/frontline.pot -l $lang; done

then fill in every empty ``msgstr`` in the zh_Hans and zh_Hant catalogs (en stays empty: the
English msgid is the English text).
"""

from __future__ import annotations

import string
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import opencc
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from locales import CATALOG_DIR, DOMAIN, LANGUAGES, Raw, _, render

ROOT = CATALOG_DIR.parent
TEMPLATE = CATALOG_DIR / f"{DOMAIN}.pot"
SOURCE_DIRS = ("dialogs", "handlers", "bot", "scheduler")
EXTRACT_OPTIONS = ("-F", "locales/babel.cfg", "-k", "_", "--no-default-keywords",
                   "--no-location", "--sort-output")
TRANSLATED: tuple[str, ...] = ("zh_Hans", "zh_Hant")

HOW_TO_FIX = """
To bring the catalogs up to date, run from the repository root:

  uv run pybabel extract -F locales/babel.cfg -k _ --no-default-keywords --no-location \\
      --sort-output -o locales/frontline.pot dialogs handlers bot scheduler
  for lang in zh_Hans zh_Hant en; do uv run pybabel update --no-fuzzy-matching \\
      --ignore-obsolete -D frontline -d locales -i locales/frontline.pot -l $lang; done

then translate every empty msgstr in locales/zh_Hans/LC_MESSAGES/frontline.po and
locales/zh_Hant/LC_MESSAGES/frontline.po (leave en empty), and run this test again.
See locales/README.md."""


def _po_path(language: str) -> Path:
    return CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path) -> Catalog:
    with path.open("rb") as po_file:
        return read_po(po_file)


def _ids(catalog: Catalog) -> set[str]:
    return {str(message.id) for message in catalog if message.id}


def _listing(title: str, msgids: Iterable[str]) -> str:
    items = sorted(msgids)
    return f"{title} ({len(items)}):\n" + "".join(f"  {msgid!r}\n" for msgid in items)


def _fields(text: str) -> set[str]:
    """The ``str.format`` field names in *text* (raises ValueError on a stray brace)."""
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text)
            if name is not None}


@pytest.fixture(scope="module")
def code_msgids(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The msgids in the code right now: the documented extraction, into a temporary file."""
    output = tmp_path_factory.mktemp("catalogs") / f"{DOMAIN}.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
               *EXTRACT_OPTIONS, "-o", str(output), *SOURCE_DIRS]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"extraction failed:\n{result.stdout}\n{result.stderr}"
    msgids = _ids(_read(output))
    assert msgids, "the extraction found no messages at all"
    return msgids


@pytest.fixture(scope="module")
def catalogs() -> dict[str, Catalog]:
    return {language: _read(_po_path(language)) for language in LANGUAGES}


def test_template_is_up_to_date(code_msgids: set[str]) -> None:
    template = _ids(_read(TEMPLATE))
    assert template == code_msgids, (
        "locales/frontline.pot does not match the _() texts in the code.\n"
        + _listing("In the code but not in the template", code_msgids - template)
        + _listing("In the template but no longer in the code", template - code_msgids)
        + HOW_TO_FIX)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_has_exactly_the_code_msgids(language: str, code_msgids: set[str],
                                             catalogs: dict[str, Catalog]) -> None:
    ids = _ids(catalogs[language])
    assert ids == code_msgids, (
        f"locales/{language}/LC_MESSAGES/frontline.po does not match the code.\n"
        + _listing("Missing from the catalog", code_msgids - ids)
        + _listing("Stale (no longer in the code)", ids - code_msgids)
        + HOW_TO_FIX)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str, code_msgids: set[str],
                                     catalogs: dict[str, Catalog]) -> None:
    catalog = catalogs[language]
    untranslated = {msgid for msgid in code_msgids
                    if not ((message := catalog.get(msgid)) and message.string)}
    assert not untranslated, (
        f"Untranslated in locales/{language}/LC_MESSAGES/frontline.po — users would see "
        "English.\n" + _listing("Untranslated", untranslated) + HOW_TO_FIX)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_fuzzy_entries(language: str, catalogs: dict[str, Catalog]) -> None:
    # The runtime compiles catalogs without fuzzy entries: a fuzzy translation is never shown.
    fuzzy = {str(m.id) for m in catalogs[language] if m.id and m.fuzzy}
    assert not fuzzy, (
        f"Fuzzy entries in locales/{language}/LC_MESSAGES/frontline.po are ignored at run "
        "time. Check each translation, then delete its '#, fuzzy' line.\n"
        + _listing("Fuzzy", fuzzy))


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_match_the_msgid(language: str, catalogs: dict[str, Catalog]) -> None:
    wrong: list[str] = []
    for message in catalogs[language]:
        if not message.id or not message.string:
            continue
        msgid, msgstr = str(message.id), str(message.string)
        try:
            expected, found = _fields(msgid), _fields(msgstr)
        except ValueError as error:
            wrong.append(f"  {msgid!r} -> {msgstr!r}: {error}")
            continue
        if found != expected:
            wrong.append(f"  {msgid!r} -> {msgstr!r}: expected {sorted(expected)}, "
                         f"found {sorted(found)}")
    assert not wrong, (
        f"Placeholders differ in locales/{language}/LC_MESSAGES/frontline.po; a translation "
        "must keep every {name} of its msgid unchanged and add none:\n" + "\n".join(wrong))


@pytest.mark.parametrize(("language", "conversion"), [("zh_Hans", "t2s"), ("zh_Hant", "s2tw")])
def test_chinese_script(language: str, conversion: str, catalogs: dict[str, Catalog]) -> None:
    """Simplified text has no traditional characters, and the other way round."""
    converter = opencc.OpenCC(conversion)
    mixed = [f"  {m.string!r} (expected {converter.convert(m.string)!r})"
             for m in catalogs[language]
             if m.id and m.string and converter.convert(m.string) != m.string]
    assert not mixed, (f"Wrong script in locales/{language}/LC_MESSAGES/frontline.po:\n"
                       + "\n".join(mixed))


@pytest.mark.parametrize(("msgid", "expected"), [
    ("🔧 Report a repair", "🔧 报修"),
    ("🧹 Book a service", "🧹 预约有偿服务"),
    ("📋 My requests", "📋 我的工单"),
    ("🌐 Language", "🌐 语言"),
    ("✋ Accept", "✋ 接单"),
    ("✅ Yes", "✅ 是的"),
    ("🚶 On my way", "🚶 出发"),
    ("✅ Done", "✅ 完工"),
    ("✅ Finish", "✅ 提交完工"),
    ("✅ Confirm (sign)", "✅ 确认签字"),
    ("🔁 Ask for rework", "🔁 要求返工"),
    ("📨 Submit", "📨 提交"),
    ("No photos", "没有照片"),
    ("Done with photos", "照片已发完"),
    ("Tomorrow morning", "明天上午"),
    ("✖ Cancel", "✖ 取消"),
    ("in your home", "在您家中"),
    ("in a public area", "在公共区域"),
    ("Plumbing", "水管/给排水"),
])
def test_render_simplified(msgid: str, expected: str) -> None:
    assert render(_(msgid), "zh_Hans") == expected


def test_render_fills_parameters_in_each_language() -> None:
    assert render(_("Use {phone}", phone=Raw("13800138000")), "zh_Hans") == "使用 13800138000"
    question = _("{trade}, {where} — right?", trade=_("Plumbing"), where=_("in your home"))
    assert render(question, "zh_Hans") == "水管/给排水，在您家中——对吗？"
    assert render(_("Plumbing"), "zh_Hant") == "水管/給排水"
    assert render(question, "zh_Hant").startswith("水管/給排水，")
    assert render(question, "en") == "Plumbing, in your home — right?"
