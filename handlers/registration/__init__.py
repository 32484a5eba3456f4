"""Registration: the roster, binding codes, staff and group invites, binding people and groups."""
