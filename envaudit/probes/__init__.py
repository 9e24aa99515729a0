"""Probes: each collects one section of the fingerprint from a host."""
