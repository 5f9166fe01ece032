"""Reconciliation: read both sides, normalise, match, compare, classify."""
