"""Rules: the catalog (data files) and the checks (small functions) that match it."""
