"""Experiment pipelines built from data, models, fitting and results."""
