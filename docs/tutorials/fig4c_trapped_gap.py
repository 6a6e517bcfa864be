"""Fig. 4c: the trapped gap against the frozen quasi-particle density, K3C60 at 100 K.

Run: python docs/tutorials/fig4c_trapped_gap.py [OUTDIR]
"""

import sys
from pathlib import Path

import numpy as np

from photosc import materials
from photosc.physics import bcs
from photosc.plotting import save, talk_style
from photosc.plotting import trapping as plots
from photosc.studies import thermodynamics, trapping
from photosc.units import temperature_from_K

out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
model = materials.load("K3C60")
T = float(temperature_from_K(100.0, model.omega_meV))
n_normal = float(bcs.quasiparticle_density(0.0, T, model.nu, model.cutoff))  # eq. 11, Delta = 0
n_star = np.geomspace(1e-7 * n_normal, (1 - 1e-9) * n_normal, 300)
curve = thermodynamics.trapped_gap_curve(model, [T], n_star)  # eqs. 10-11, every branch
held = trapping.trapped_state(model, np.linspace(0.0, 5.0, 11), T)  # hold Q*, release
with talk_style():
    save(plots.protocol_on_fig4c(curve, held)[0], out / "fig4c.png")
d = float(bcs.trapped_gap(1e-9 * n_normal, model.U0, T, model.nu)[0])
print(f"Delta_tr / Delta0 at n* -> 0: {d / model.Delta0:.6f}")
