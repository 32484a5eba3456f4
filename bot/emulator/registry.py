"""Bot API method registry: lower-cased method name -> (canonical name, handler)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .params import Params

if TYPE_CHECKING:
    from .emulator import Emulator

Handler = Callable[["Emulator", Params], Awaitable[Any]]
METHODS: dict[str, tuple[str, Handler]] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, func)
        return func

    return register
