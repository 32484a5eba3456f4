"""The Telegram side of the bot: each framework's adapter turns updates into ``Event`` values and
what the office says into Bot API calls."""
