"""Writes of the cases domain, split by meaning: intake, claims, decisions, appeals, enforcement."""
