"""Delivery: the outbox as the sender sees it, and recipients who cannot be reached."""
