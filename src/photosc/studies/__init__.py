"""Sweeps and protocols that return xarray Datasets."""
