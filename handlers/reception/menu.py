"""The main menu's buttons: start a dialog, list requests or jobs, language, emergency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from dialogs import complaint, repair, service
from dialogs.menu import emergency_keyboard, language_keyboard
from dialogs.model import Outcome
from handlers.office.caller import Caller
from handlers.office.conversations import new_nonce
from handlers.office.permissions import OUT_OF_DATE
from handlers.reception.desks import fee_residents
from handlers.work_orders import lists
from locales import _


def _language(caller: Caller) -> None:
    caller.reply(_("Choose your language:"), language_keyboard())


def _emergency(caller: Caller) -> None:
    caller.reply(_("What is happening? One tap alerts the on-duty staff."), emergency_keyboard())


CHOICES: Final[dict[str, Callable[[Caller], Outcome | None]]] = {
    "repair": lambda caller: repair.start(caller.context(), new_nonce()),
    "service": lambda caller: service.start(caller.context(), new_nonce()),
    "complain": lambda caller: complaint.start(caller.context(), new_nonce()),
    "my": lists.my_requests,
    "jobs": lists.my_jobs,
    "fees": lambda caller: fee_residents.my_fees(caller),
    "lang": _language,
    "sos": _emergency,
}


def choose(caller: Caller, choice: str) -> Outcome | None:
    """A tap on a menu button: what it starts (a dialog's first step), or None."""
    start = CHOICES.get(choice)
    if start is None:
        caller.refuse(OUT_OF_DATE)
        return None
    caller.toast()
    return start(caller)
