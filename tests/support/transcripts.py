"""Transcripts for the pure dialogs: what the person does, and exactly what the bot answers.

A transcript is a list of lines, read top to bottom like a chat::

    [("taps", "🔧 报修"),
     ("bot", "请问遇到了什么问题？请直接描述，或选择一个类别。", ["水管/给排水", …, "✖ 取消"]),
     ("sends", "厨房水龙头一直滴水"),
     ("bot", "水管/给排水，在您家中——对吗？", ["✅ 是的", "换个类别", …]),
     …
     ("done", SubmitRepair(…))]

The person's lines are ``("taps", label)`` (a button of the last keyboard, found by its label as
the person reads it), ``("taps an old button", label)`` (one from an earlier message),
``("taps forged", data)`` (button data we never sent), ``("sends", text)``,
``("sends photo", caption)``, ``("sends sticker",)``, ``("shares contact", phone)`` and
``("starts again",)`` (the same opening, with a new conversation). The bot's lines are
``("bot", text)`` or ``("bot", text, [button labels])``, rendered in the transcript's language,
and ``("done", command)`` when the dialog ends (``None``: nothing for the office to do),
followed by ``("back to", "repair: photos")`` when it hands the person back to a dialog it
had paused.

:func:`play` plays the person's lines against the dialog and returns the whole transcript as
it really went, so a test compares it with the expected one in one ``assert`` and pytest shows the
first line that differs. Every move from step to step is recorded for the diagram tests, except
the two every step has and the diagrams mention once: a polite refusal (nothing changes) and
"✖ Cancel" (the dialog ends, nothing is sent).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from hypothesis import strategies as st

from dialogs.buttons import Verb, tap
from dialogs.events import (
    Button,
    ChatKind,
    Event,
    EventKind,
    InlineKeyboard,
    Keyboard,
    KeyButton,
    ReplyKeyboard,
    Say,
)
from dialogs.flow import CANCEL, tapped
from dialogs.menu import main_menu
from dialogs.model import Conversation, DialogContext, Outcome
from locales import Language, render

Line = tuple[Any, ...]
Opening = Callable[[DialogContext, str], Outcome]
StepFn = Callable[[Conversation, Event, DialogContext], Outcome]

CHAT: Final = 501  # the person's private chat (and user id)
START: Final = "[*]"  # where a diagram's arrows begin and end
PERSON_VERBS: Final = frozenset({"taps", "taps an old button", "taps forged", "sends",
                                 "sends photo", "sends sticker", "shares contact",
                                 "starts again"})


@dataclass(frozen=True, slots=True)
class Move:
    """One step of a dialog as the diagram draws it: from a step to a step (or in and out)."""

    source: str
    target: str


@dataclass
class Chat:
    """One person in one dialog: the conversation so far and every keyboard they were shown."""

    step: StepFn
    context: DialogContext
    opening: Opening
    conversation: Conversation | None = None
    keyboards: list[Keyboard] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    menu: dict[str, Opening] = field(default_factory=dict)
    flow: str = ""  # the dialog's name, from its first conversation
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _photos: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def language(self) -> Language:
        return self.context.language

    def open(self, opening: Opening | None = None) -> list[Line]:
        """Start the dialog (again): a fresh conversation with its own nonce."""
        outcome = (opening or self.opening)(self.context, f"n{next(self._ids):04d}")
        if outcome.conversation is not None:
            self.flow = outcome.conversation.flow
        self.moves.append(Move(START, self._where(outcome.conversation)))
        return self._take(outcome)

    def act(self, line: Line) -> list[Line]:
        """Play one of the person's lines and return the bot's answer as transcript lines."""
        verb, *args = line
        if verb == "starts again":
            return self.open()
        if self.conversation is None:
            if verb == "taps" and args[0] in self.menu:
                return self.open(self.menu[args[0]])
            raise AssertionError(f"{line!r}: the dialog has ended; nothing listens any more")
        event = self._event(verb, *args)
        before = copy.deepcopy(self.conversation)
        outcome = self.step(self.conversation, event, self.context)
        after = outcome.conversation
        if after is None and tapped(before, event) == CANCEL:
            # "✖ Cancel" ends any step; the diagrams say so once instead of drawing it each time.
            pass
        elif after is None or (after.step, after.data) != (before.step, before.data):
            # A polite refusal leaves everything as it was: that is no move on the diagram.
            self.moves.append(Move(before.step, self._where(after)))
        return self._take(outcome)

    def _where(self, conversation: Conversation | None) -> str:
        """The step the person is at, as this dialog's diagram names it."""
        if conversation is None or conversation.flow != self.flow:
            return START  # finished, or back in the dialog this one paused
        return str(conversation.step)

    def _take(self, outcome: Outcome) -> list[Line]:
        self.conversation = outcome.conversation
        said: list[Line] = []
        for reply in outcome.replies:
            assert isinstance(reply, Say), f"a dialog only says new things, not {reply!r}"
            assert reply.chat_id == self.context.chat_id
            text = render(reply.text, self.language)
            if reply.keyboard is None:
                said.append(("bot", text))
                continue
            self.keyboards.append(reply.keyboard)
            said.append(("bot", text, labels(reply.keyboard, self.language)))
        back = outcome.conversation
        if back is None:
            said.append(("done", outcome.command))
        elif back.flow != self.flow:
            # This dialog paused another one and hands the person back to it.
            said += [("done", outcome.command), ("back to", f"{back.flow}: {back.step}")]
            self.conversation = None
        else:
            assert outcome.command is None, "a command ends the dialog"
        return said

    def _event(self, verb: str, *args: Any) -> Event:
        key = f"u:{next(self._ids)}"
        base: dict[str, Any] = {"key": key, "chat_id": CHAT, "chat_kind": ChatKind.PRIVATE,
                                "user_id": CHAT, "user_name": "Li"}
        match verb:
            case "taps":
                data = self._find(args[0], self.keyboards[-1:])
                return Event(kind=EventKind.BUTTON, button_data=data, callback_id=key, **base)
            case "taps an old button":
                data = self._find(args[0], self.keyboards[-2::-1])
                return Event(kind=EventKind.BUTTON, button_data=data, callback_id=key, **base)
            case "taps forged":
                return Event(kind=EventKind.BUTTON, button_data=args[0], callback_id=key,
                             **base)
            case "sends":
                return Event(kind=EventKind.TEXT, text=args[0], **base)
            case "sends photo":
                caption = args[0] if args else ""
                return Event(kind=EventKind.PHOTO, text=caption,
                             photo_file_ids=(f"photo-{next(self._photos)}",), **base)
            case "sends sticker":
                return Event(kind=EventKind.UNSUPPORTED, **base)
            case "shares contact":
                return Event(kind=EventKind.CONTACT, contact_phone=args[0],
                             contact_user_id=CHAT, **base)
        raise AssertionError(f"the person cannot {verb!r}; say one of {sorted(PERSON_VERBS)}")

    def _find(self, label: str, keyboards: Sequence[Keyboard]) -> str:
        for keyboard in keyboards:
            for button in buttons(keyboard):
                if isinstance(button, Button) and render(button.text, self.language) == label:
                    return button.data
        shown = [labels(k, self.language) for k in keyboards]
        raise AssertionError(f"no button {label!r} to tap; the person sees {shown}")


def buttons(keyboard: Keyboard) -> list[Button | KeyButton]:
    if isinstance(keyboard, InlineKeyboard | ReplyKeyboard):
        return [button for row in keyboard.rows for button in row]
    return []


def labels(keyboard: Keyboard, language: Language) -> list[str]:
    """The button labels as the person reads them, row by row, left to right."""
    return [render(button.text, language) for button in buttons(keyboard)]


@dataclass(frozen=True, slots=True)
class Transcript:
    """One conversation to replay: who is talking (*context*), how the dialog opens, the lines.

    The dialog opens with *opening* before the first line; or, with *menu* (``{"repair":
    repair.start}``), the person first sees the main menu and opens the dialog by tapping its
    button, so the first line is ``("taps", "🔧 Report a repair")``.
    """

    context: DialogContext
    lines: Sequence[Line]
    opening: Opening | None = None
    menu: Mapping[str, Opening] | None = None


def play(step: StepFn, transcript: Transcript, moves: list[Move] | None = None) -> list[Line]:
    """Play the person's lines of *transcript* and return the transcript as it really went;
    the dialog's moves are appended to *moves* when given."""
    context = transcript.context
    said: list[Line] = []
    chat = Chat(step, context, transcript.opening or _no_opening)
    if transcript.menu:
        keyboard = main_menu()
        chat.keyboards.append(keyboard)
        for button in buttons(keyboard):
            assert isinstance(button, Button)
            for word, start in transcript.menu.items():
                if button.data == tap(Verb.MENU, word):
                    chat.menu[render(button.text, context.language)] = start
                    chat.opening = start
    else:
        assert transcript.opening is not None, "say how the dialog opens: opening= or menu="
        said += chat.open()
    for line in transcript.lines:
        if line[0] in PERSON_VERBS:
            said.append(line)
            said += chat.act(line)
        elif line[0] not in ("bot", "done", "back to"):
            raise AssertionError(f"{line!r}: a line is the person's ({sorted(PERSON_VERBS)}) "
                                 "or the bot's ('bot', 'done', 'back to')")
    if moves is not None:
        moves += chat.moves
    return said


def _no_opening(context: DialogContext, nonce: str) -> Outcome:
    raise AssertionError("open the dialog from the menu first")


def actions(texts: Sequence[str], max_size: int = 25) -> st.SearchStrategy[list[Line]]:
    """Random things a person does; a tap's argument is an index into the buttons they see
    (see :func:`wander`)."""
    return st.lists(st.one_of(
        st.tuples(st.just("taps"), st.integers(0, 12)),
        st.tuples(st.just("taps an old button"), st.integers(0, 12)),
        st.tuples(st.just("sends"), st.sampled_from(texts) | st.text(max_size=20)),
        st.tuples(st.just("sends photo"), st.sampled_from(("", "漏水"))),
        st.just(("sends sticker",)),
        st.tuples(st.just("shares contact"), st.sampled_from(("+8613900001111", "")))),
        max_size=max_size)


def wander(chat: Chat, lines: Iterable[Line]) -> None:
    """Open the dialog and play *lines* from :func:`actions` until it ends."""
    chat.open()
    for verb, *args in lines:
        if chat.conversation is None:
            return
        if verb in ("taps", "taps an old button"):
            seen = chat.keyboards[-1:] if verb == "taps" else chat.keyboards[:-1]
            shown = [label for keyboard in seen for label in labels(keyboard, chat.language)]
            if not shown:
                continue
            args = [shown[args[0] % len(shown)]]
        chat.act((verb, *args))
