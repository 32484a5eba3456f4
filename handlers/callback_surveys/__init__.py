"""Callback surveys (回访): planning the windows, pushing surveys, the resident's rating, phone
tasks, corrective tasks, monthly duties."""
