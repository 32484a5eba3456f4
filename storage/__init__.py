"""Tables, sessions and migrations. Knows nothing of the rest of Frontline."""
