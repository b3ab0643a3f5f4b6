"""Evaluation beyond satisfaction: learning gain (level 2) and the follow-up survey (level 3).

Level 1, the reaction survey, stays in ``elearn.learning.evaluation``.
"""
