"""Individual development plans (IDP): drafted by the learner, agreed with the atasan langsung."""
