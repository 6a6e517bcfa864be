"""Figs. 2a and 2c: type-I and type-II landscapes of K3C60 on its Mott path, with the gap inset.

Run: python docs/tutorials/fig2_landscapes.py [OUTDIR]
"""

import sys
from pathlib import Path

import numpy as np

from photosc import materials
from photosc.physics import landscape
from photosc.plotting import landscape as plots
from photosc.plotting import save, talk_style
from photosc.studies import landscape as study
from photosc.studies.phase_diagram import mott_onsets

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
bare = materials.load("K3C60")  # App. D: 22 THz, g = 0.6, nu = 0.603, dE = 250 meV
onset, type_II = mott_onsets(bare)  # 1/Z where type I starts and where type II starts
print(f"type I for {onset:.4f} < 1/Z < {type_II:.4f}")

for name, Z_inv in (("fig2a", round(0.5 * (onset + type_II), 2)), ("fig2c", 3.6)):
    model = materials.load("K3C60", Z=1 / Z_inv)
    T_B = landscape.untrapping_temperature(model)  # in hbar*omega
    T = np.array([0.0, 0.5 * (model.Tc + T_B), 1.15 * T_B])
    curves = study.landscape_curves(model, T)  # F(Q) - F(0) at each T, Q_B, Q_MS
    gaps = study.landscape_curves(model, np.linspace(0, 1.1 * T_B, 60), Q=np.array([0.0]))
    with talk_style():
        fig, ax = plots.landscapes_with_gap(curves, gaps)
        ax.set_title(f"K3C60 at 1/Z = {Z_inv:g}: {landscape.critical_points(model).kind}")
        save(fig, out / f"{name}.png")
    print(name, f"1/Z = {Z_inv:g}", f"T_B = {float(curves.attrs['T_B_K']):.1f} K")
