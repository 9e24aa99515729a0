"""Bringing an environment back in line: export the lock's Python side, plan and apply a fix."""
