"""Taking requests in: repairs, paid services, emergencies, free text, unmet demand."""
