"""The sandbox: the whole office on this machine — Bot API emulator, the real bot, a demo
estate and a Telegram-like web view — started by ``frontline sandbox``. See README.md here."""
