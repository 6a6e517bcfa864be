"""Sweeps and protocols built on the physics kernels; each returns an xarray.Dataset."""
