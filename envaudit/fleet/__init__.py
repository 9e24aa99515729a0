"""Fleets: host identity in each report, and merging many host reports into one matrix."""
