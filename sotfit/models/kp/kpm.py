"""Kernel polynomial method (KPM) for the Kubo-Bastin spin density of real-space tight-binding
models with Anderson disorder (seed 001_b50310ada81a69f7.txt, eq. (3) and supplement;
Weisse et al., Rev. Mod. Phys. 78, 275 (2006)).

The model: the 2DEG Rashba ferromagnet (seed 001 supplement eq. (12)) on a square lattice of
spacing ``a`` with periodic boundaries (an L x L supercell), basis site (x) spin,

    H(k) = t (4 - 2 cos kx a - 2 cos ky a) - (alpha_R / 2a)(sin kx a s_y - sin ky a s_x)
           - (J_ex/2) m.s,   t = hbar^2 / (2 m_eff a^2),

which tends to the continuum model for k a << 1, plus on-site disorder uniform in [-W/2, W/2]
(Anderson). :class:`LatticeRashba2DEG` is the same model as a k·p model (Bloch Hamiltonian),
so the clean supercell can be compared with the exact band-basis Kubo-Bastin result on the
supercell's k-mesh.

Chebyshev expansion: H~ = (H - b)/a_s maps the spectrum into (-1, 1). With the moment matrix

    M_mn = Tr[A T_m(H~) D T_n(H~)] / area,   D = e.dH/dk (real space: i [H, e.r]),

the Fermi-surface term (T = 0) of :mod:`.kubo` becomes
S_surf = -pi sum_mn a_m(mu) a_n(mu) M_mn with the kernel-smoothed delta function
a_n(eps) = g_n (2 - delta_n0) T_n(x) / (pi a_s sin theta), x = cos theta = (eps - b)/a_s, and the
Fermi-sea term S_sea = 2 int^mu d eps Im sum_mn a_n(eps) r_m(eps) M_mn with r_m the expansion
of d/d eps Re G (from G+(x) = -i sum (2 - delta_n0) e^{-i n theta} T_n / sin theta).

Kernels: Jackson (resolution ~ pi/N, Gaussian-like) and Lorentz g_n = sinh(lambda(1 - n/N))/
sinh(lambda). For N -> infinity at fixed lambda/N = epsilon the Lorentz kernel turns the series
into the resolvent at z = cos(theta - i epsilon): a Lorentzian of half width
eta(x) = a_s sinh(epsilon) sin(theta) (seed 001 quotes eta "at the band centre", x = 0). The
trace is stochastic (random-phase vectors) or exact (all basis vectors) for small systems.

Memory and scale-out: :func:`moment_matrix` keeps the bras D^dag T_m s^dag r for a chunk of
moments and reruns the ket recursion T_n r for each chunk, so one task holds O(chunk x dim)
numbers per vector whatever N and R (:func:`plan_moments` picks the chunk for ``max_memory``).
Random vectors are seeded one by one (:func:`random_phase_vectors`) and blocks of them run
serially, on local processes or on a dask cluster through :func:`sotfit.parallel.map_tasks`,
with results identical to the serial run. See docs/kp.md (KPM: memory, parallel runs, speed).
"""

from .kpm_lattice import (  # noqa: F401
    LatticeRashba2DEG, LatticeSystem, build_lattice, HoppingModel, build_hopping_lattice,
    wilson_dirac,
)
from .kpm_chebyshev import (  # noqa: F401
    jackson_kernel, lorentz_kernel, lorentz_eta, _chebyshev_iter, chebyshev_block,
    chebyshev_loop, _scale, _scaled_hamiltonian,
)
from .kpm_vectors import (  # noqa: F401
    DEFAULT_MAX_MEMORY, _BYTES, _BLOCK_CAP, _seed_sequence, random_phase_vectors,
    _moment_task_bytes, _dos_task_bytes, _check_count, KPMPlan, plan_moments,
)
from .kpm_moments import (  # noqa: F401
    _KPMJob, _moment_task, _progress, _run_vectors, moment_matrix, _realisation_task,
    realisation_moments, _dos_task,
)
from .kpm_reconstruction import (  # noqa: F401
    KPMResult, kpm_spin_density, kpm_dos,
)

__all__ = ["LatticeRashba2DEG", "build_lattice", "LatticeSystem", "jackson_kernel", "lorentz_kernel",
           "chebyshev_block", "chebyshev_loop", "moment_matrix", "kpm_spin_density", "kpm_dos",
           "lorentz_eta", "KPMResult", "HoppingModel", "build_hopping_lattice", "wilson_dirac",
           "random_phase_vectors", "plan_moments", "KPMPlan", "DEFAULT_MAX_MEMORY",
           "realisation_moments"]
