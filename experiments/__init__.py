"""Experiments: scenario comparison, parameter sweeps and sensitivity analysis."""
