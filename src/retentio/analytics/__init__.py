"""Metrics, cohorts, CLV models, experiments."""
