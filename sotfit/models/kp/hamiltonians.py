"""k·p Hamiltonians: batched Hermitian H(k; params, m) with velocity and spin operators.

Units (house, see ``docs/CONVENTIONS.md``): wave vectors in 1/nm, energies in eV,
``dH/dk`` (= hbar times the velocity operator) in eV nm. Spin operators are Pauli
matrices (eigenvalues +-1), so spin densities come out in units of hbar/2 per nm^2.

Every model describes one block of k-space (one valley). A model with several valleys
(the TMDC/CrI3 model) returns its blocks from :meth:`KPModel.components`; the response
functions sum over them.

Sources
-------
* 2DEG Rashba ferromagnet: seed 001_b50310ada81a69f7.txt, supplement eq. (12)
  (and main text, H = H0 - (1/2) Lambda_R phi.s - (1/2) J_ex m.s).
* Dirac model with Rashba and exchange: seed 001, main text ("Unconventional torques in
  Dirac matter"): H = hbar v k.sigma + Delta sigma_z - (lambda_R/2)(s x sigma).z
  - (J_ex/2) m.s.
* TMDC/CrI3: seed 000_8a4db6caac2af419.txt, eqs. (1)-(6).
"""

from .operators import (  # noqa: F401
    HBAR2_OVER_ME, HBAR_EV_PS, S0, SX, SY, SZ, PAULI, SPIN_HALF, SPIN_TIMES_ORBITAL,
    NonHermitianError, hbar_v_from_velocity, unit_vector, k_columns, m_dot, _kron,
)
from .base import (  # noqa: F401
    KPModel, ExchangeSplitModel, TwoBlockModel,
)
from .rashba_2deg import (  # noqa: F401
    Rashba2DEG,
)
from .dirac import (  # noqa: F401
    DiracParameters, DiracRashbaExchange, DiracProjected,
)
from .tmdc_cri3 import (  # noqa: F401
    TMDCCrI3,
)
from .matrix_model import (  # noqa: F401
    MatrixModel,
)

__all__ = [
    "PAULI", "SPIN_HALF", "SPIN_TIMES_ORBITAL", "KPModel", "ExchangeSplitModel", "TwoBlockModel",
    "Rashba2DEG", "DiracRashbaExchange", "DiracProjected", "TMDCCrI3", "MatrixModel",
    "NonHermitianError", "unit_vector", "k_columns", "m_dot", "HBAR2_OVER_ME", "HBAR_EV_PS",
    "hbar_v_from_velocity",
]
