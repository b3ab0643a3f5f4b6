"""Reminders of assignment deadlines and nudges for idle learners (docs/reminders.md).

A pass (``run_reminders``) creates each due reminder once, as a row that is the learner's
in-app notification, then hands the new rows to the channels (e-mail through the job queue).
"""
