"""Assigned learning: mandatory courses for units, a jabatan or NIPs, with due dates."""
