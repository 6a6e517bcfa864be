"""Fig. 3: F(Q, Delta) at T = 0 for a type-I and a type-II point of the K3C60 path.

Run: python docs/tutorials/fig3_free_energy.py [OUTDIR]
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from photosc import materials
from photosc.physics import landscape
from photosc.plotting import landscape as plots
from photosc.plotting import save, talk_style
from photosc.studies import landscape as study

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
with talk_style():
    fig, axs = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={"wspace": 0.35})
    for ax, Z_inv in zip(axs, (3.39, 3.6), strict=True):
        model = materials.load("K3C60", Z=1 / Z_inv)
        cp = landscape.critical_points(model)  # Q_B, Q_MS and the gaps there
        Q = np.linspace(0.0, 1.35 * cp.Q_MS, 101)
        delta = np.linspace(0.0, 1.3 * cp.Delta_MS, 91)
        surface = study.free_energy_surface(model, Q, delta)  # Delta not self-consistent
        top = cp.F_B + 1.5 * (cp.F_B - min(cp.F_0, cp.F_MS))  # keep the saddle in the scale
        plots.free_energy_surface(surface, ax, top_meV=top * model.omega_meV)
        ax.set_title(f"1/Z = {Z_inv:g}: metastable {cp.kind}")
    save(fig, out / "fig3.png")
