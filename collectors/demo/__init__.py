"""Synthetic demo kinds (filled in below)."""
