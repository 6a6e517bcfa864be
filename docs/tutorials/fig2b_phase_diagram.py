"""Fig. 2b: the metastability phase diagram on (nu(0), dE) with the K3C60 Mott path.

Run: python docs/tutorials/fig2b_phase_diagram.py [OUTDIR]
"""

import sys
from pathlib import Path

import numpy as np

from photosc import materials
from photosc.plotting import landscape as plots
from photosc.plotting import save, talk_style
from photosc.studies.phase_diagram import metastability_path, phase_diagram

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
bare = materials.load("K3C60")
diagram = phase_diagram(np.linspace(0.2, 3.0, 60), np.linspace(0.3, 4.6, 60), g=0.6, lam_eff=0.3)
path = metastability_path(bare, np.linspace(1.0, 7.0, 61), Z_inv_max=7.0)
path.attrs["material"] = "K3C60"
with talk_style():
    save(plots.phase_diagram(diagram, path)[0], out / "fig2b.png")
print(
    f"onset 1/Z = {path.attrs['onset_Z_inv']:.4f}, type II from {path.attrs['type_II_Z_inv']:.4f}"
)
