"""Behavioural probes: run the operations a pipeline depends on and record what came out."""
