"""The Pembelajar ASN badge: an Open Badges 3.0 achievement for reaching the year's JP target.

Issued once per (learner, calendar year) when the learner's JP of that year, counted as
their career record counts it, reaches ``JP_TARGET_PER_YEAR`` (docs/credentials.md).
"""
