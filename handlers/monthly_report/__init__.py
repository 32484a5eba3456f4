"""The monthly report: last month's service figures for the managers."""
