"""Competency standards, learners' competency profiles and their gaps (issue 16)."""
