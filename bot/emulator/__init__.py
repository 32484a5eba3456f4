"""Local Telegram Bot API emulator ("sandbox server") with a control API for simulated users.

See README.md in this folder for the HTTP control API.
"""

from .emulator import Emulator, Sent
from .errors import ApiError, ControlError
from .events import Subscription
from .ratelimit import RateLimits
from .server import RunningEmulator, build_app, start_emulator

__all__ = [
    "ApiError",
    "ControlError",
    "Emulator",
    "RateLimits",
    "RunningEmulator",
    "Sent",
    "Subscription",
    "build_app",
    "start_emulator",
]
