"""The reception: the one entry for an event (``entry.handle``), the one table of button
handlers, and where typed answers go."""
