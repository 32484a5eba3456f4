"""Work orders: the one state machine, taking jobs, on the job, sign-off, deadlines, lists and
records."""
