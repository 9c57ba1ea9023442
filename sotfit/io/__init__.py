"""Readers: instrument files -> Sweep, with units converted here and only here."""
