"""Polar grids about a point other than k = 0, for Fermi contours that do not enclose it.

The T = 0 Boltzmann route (:func:`~sotfit.models.kp.boltzmann.spin_density_t0`) finds the
Fermi wave vectors along rays from a centre and weighs each crossing by k/|d eps/dk|: exact
for contours that every ray crosses once (star-shaped about the centre), divergent where a
ray grazes a contour. A Rashba ferromagnet magnetised in plane has its band-touching point,
and the small Fermi contour about it, at k0 = (J/alpha_R) z x m rather than at k = 0; a
valley or a pocket sits elsewhere too. :func:`star_shaped_partition` looks for a centre
about which every contour of a block is star-shaped (the touching points of adjacent bands
and the centroids of each band's occupied and empty pockets are tried) and returns the
block seen from it, :class:`ShiftedBlock`. Integrals over the plane do not depend on the
centre as long as the disc about it holds every Fermi contour and no band is occupied at
its rim (checked: blocks with a band unbounded below keep k = 0, where kmax is the cut-off
of their Fermi sea).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from .grids import RayPartition, ray_partition

__all__ = ["ShiftedBlock", "root_counts", "star_shaped_partition"]


class ShiftedBlock:
    """One block of a k·p model seen from the wave vector ``center`` (1/nm).

    ``hamiltonian(qx, qy)`` and ``dh(qx, qy)`` are the model's at k = center + q; the spin
    operators and band count are the model's.
    """

    def __init__(self, model, center):
        self.model = model
        self.center = (float(center[0]), float(center[1]))
        self.n_bands = model.n_bands
        self.name = getattr(model, "name", "kp")

    @property
    def spin(self) -> np.ndarray:
        return self.model.spin

    def hamiltonian(self, qx, qy) -> np.ndarray:
        return self.model.hamiltonian(np.asarray(qx, float) + self.center[0],
                                      np.asarray(qy, float) + self.center[1])

    def dh(self, qx, qy) -> np.ndarray:
        return self.model.dh(np.asarray(qx, float) + self.center[0],
                             np.asarray(qy, float) + self.center[1])

    def components(self) -> list:
        return [self]


def root_counts(part: RayPartition, n_bands: int) -> np.ndarray:
    """Fermi wave vectors of each band on each ray, shape (n_phi, n_bands)."""
    counts = np.zeros((len(part.roots), n_bands), int)
    for j, roots in enumerate(part.roots):
        for _, n in roots:
            counts[j, n] += 1
    return counts


def _occupied_areas(part: RayPartition, block, mu: float) -> np.ndarray:
    """Area (1/nm^2) of the disc where each band lies below ``mu``, from the ray partition."""
    area = np.zeros(block.n_bands)
    for j, roots in enumerate(part.roots):
        edges = np.unique(np.concatenate([[0.0], [r[0] for r in roots], [part.kmax]]))
        mids = 0.5 * (edges[:-1] + edges[1:])
        ev = np.linalg.eigvalsh(block.hamiltonian(mids * np.cos(part.phi[j]),
                                                  mids * np.sin(part.phi[j])))
        area += 0.5 * part.dphi * ((edges[1:] ** 2 - edges[:-1] ** 2)[:, None]
                                   * (ev < mu)).sum(axis=0)
    return area


class _PlaneSample:
    """Bands on a square grid of the plane, to judge a ray partition and to find centres."""

    def __init__(self, block, mu: float, kmax: float, n_grid: int = 97):
        g = np.linspace(-kmax, kmax, n_grid)
        kx, ky = np.meshgrid(g, g, indexing="ij")
        self.step = g[1] - g[0]
        self.kx, self.ky = kx.ravel(), ky.ravel()
        self.inside = np.hypot(self.kx, self.ky) < kmax
        # the bands do not depend on mu: kept on the (immutable) block for a whole sweep
        cache = block.__dict__.setdefault("_plane_bands", {})
        if (kmax, n_grid) not in cache:
            cache.clear()
            cache[(kmax, n_grid)] = np.linalg.eigvalsh(block.hamiltonian(self.kx, self.ky))
        self.ev = cache[(kmax, n_grid)]
        occ = (self.ev < mu).reshape(n_grid, n_grid, -1)
        # cells on a contour: an occupation that differs from a neighbour's
        edge = np.zeros_like(occ)
        edge[1:] |= occ[1:] != occ[:-1]
        edge[:-1] |= occ[1:] != occ[:-1]
        edge[:, 1:] |= occ[:, 1:] != occ[:, :-1]
        edge[:, :-1] |= occ[:, 1:] != occ[:, :-1]
        cell = self.step ** 2
        inside = self.inside.reshape(n_grid, n_grid, 1)
        self.area = (occ & inside).sum(axis=(0, 1)) * cell
        self.tolerance = (edge & inside).sum(axis=(0, 1)) * cell + 4 * cell
        self.pockets = _enclosed_regions(occ, self.inside.reshape(n_grid, n_grid), kx, ky)

    def agrees(self, part: RayPartition, view, mu: float, radius: float) -> bool:
        """Every band's occupied area inside the disc of radius ``radius`` about k = 0 is the
        same from the rays as from the grid (no pocket missed between rays)."""
        # rays about another centre cover a larger disc: bands are empty beyond kmax there
        return bool(np.all(np.abs(_occupied_areas(part, view, mu) - self.area)
                           <= self.tolerance)) and self.sees_every_pocket(part, view)

    def sees_every_pocket(self, part: RayPartition, view) -> bool:
        """Every occupied pocket and empty hole of the grid that the disc's rim does not cut is
        crossed by some ray (a Fermi wave vector of its band within two grid steps of it).

        The area test alone let a pocket pass that no ray met: all its cells are contour cells,
        inside the area's tolerance. At 16 and 32 azimuths the rays from the band-touching
        point of the in-plane Rashba ferromagnet passed either side of the lower band's pocket
        about k = 0 (S = 0 at mu = -8 meV for -1.64 1/(V nm)), and the sweep's comparison of
        the two called it converged."""
        from scipy.spatial import cKDTree

        cx, cy = getattr(view, "center", (0.0, 0.0))
        by_band: dict[int, list] = {}
        for j, roots in enumerate(part.roots):
            c, s_ = np.cos(part.phi[j]), np.sin(part.phi[j])
            for k, n in roots:
                by_band.setdefault(n, []).append((cx + k * c, cy + k * s_))
        for band, regions in enumerate(self.pockets):
            if not regions:
                continue
            points = by_band.get(band)
            if not points:
                return False
            tree = cKDTree(np.asarray(points))
            for cells in regions:
                near, _ = tree.query(cells, distance_upper_bound=2.0 * self.step)
                if not np.any(np.isfinite(near)):
                    return False
        return True


def _enclosed_regions(occ, inside, kx, ky) -> list:
    """For each band, the wave vectors (1/nm, shape (cells, 2)) of each of its occupied pockets
    and empty holes on the grid that do not reach the disc's rim (8-connected regions)."""
    from scipy.ndimage import binary_dilation, label

    rim = inside & binary_dilation(~inside)
    eight = np.ones((3, 3), bool)
    out = []
    for b in range(occ.shape[2]):
        regions = []
        for mask in (occ[:, :, b] & inside, ~occ[:, :, b] & inside):
            labels, count = label(mask, structure=eight)
            for i in range(1, count + 1):
                where = labels == i
                if not np.any(where & rim):
                    regions.append(np.column_stack([kx[where], ky[where]]))
        out.append(regions)
    return out


def _is_star_shaped(part: RayPartition, n_bands: int) -> bool:
    counts = root_counts(part, n_bands)
    return bool(np.all(counts == counts[:1]))


def _touching_points(block, plane: _PlaneSample) -> list:
    """For each pair of adjacent bands, the point of their smallest gap (refined by
    Nelder-Mead from the grid's) and the gap there and at k = 0 (eV)."""
    ev, kx, ky, inside = plane.ev, plane.kx, plane.ky, plane.inside
    at_origin = np.linalg.eigvalsh(block.hamiltonian(np.zeros(1), np.zeros(1)))[0]
    points = []
    for b in range(ev.shape[1] - 1):
        gap = ev[:, b + 1] - ev[:, b]
        i = int(np.argmin(np.where(inside, gap, np.inf)))

        def gap_at(k, b=b):
            e = np.linalg.eigvalsh(block.hamiltonian(np.array([k[0]]), np.array([k[1]])))[0]
            return e[b + 1] - e[b]

        best = minimize(gap_at, [kx[i], ky[i]], method="Nelder-Mead",
                        options={"xatol": 1e-12 * plane.step, "fatol": 1e-15, "maxiter": 2000})
        points.append((tuple(best.x), float(best.fun), float(at_origin[b + 1] - at_origin[b])))
    return points


def _centroids(plane: _PlaneSample, mu: float) -> list:
    """Centroids of every band's occupied and empty regions inside the disc."""
    out = []
    for b in range(plane.ev.shape[1]):
        occupied = plane.ev[:, b] < mu
        for region in (occupied & plane.inside, ~occupied & plane.inside):
            if region.any() and not region.all():
                out.append((float(plane.kx[region].mean()), float(plane.ky[region].mean())))
    return sorted(out, key=lambda c: np.hypot(*c))


def star_shaped_partition(block, mu: float, n_phi: int, kmax: float, n_sample: int = 400):
    """The block, seen from a centre about which its Fermi contours at ``mu`` are star-shaped,
    and their ray partition.

    A partition serves when every ray crosses each band's contours equally often and the
    occupied area of every band agrees with a square grid of the disc (97 x 97 points; a
    pocket that falls between all rays shows as missing area).

    Returns
    -------
    view : model
        ``block`` itself (k = 0 serves) or a :class:`ShiftedBlock`.
    part : RayPartition
        Fermi wave vectors along ``n_phi`` rays from the centre, out to ``kmax`` (about
        k = 0) or ``kmax + |center|`` (a disc that holds the original one).
    star_shaped : bool
        False when no centre tried serves: ``part`` is then the partition about k = 0.
    """
    part = ray_partition(block, mu, n_phi, kmax, n_sample=n_sample)
    rim = np.linspace(0.0, 2 * np.pi, 4 * n_phi, endpoint=False)
    ev_rim = np.linalg.eigvalsh(block.hamiltonian(kmax * np.cos(rim), kmax * np.sin(rim)))
    if np.any(ev_rim < mu):            # a band unbounded below: kmax is its cut-off
        return block, part, _is_star_shaped(part, block.n_bands)
    plane = _PlaneSample(block, mu, kmax)
    touching = _touching_points(block, plane)
    # a touching point of two bands (or a gap far smaller than at k = 0) away from the origin
    # is where the Fermi-sea integrand peaks and where a small Fermi contour closes: rays
    # from it resolve both
    first = [c for c, gap, gap0 in sorted(touching, key=lambda t: np.hypot(*t[0]))
             if gap < 0.5 * gap0 and np.hypot(*c) > 1e-6 * kmax]
    if not first and _is_star_shaped(part, block.n_bands) and plane.agrees(part, block, mu,
                                                                            kmax):
        return block, part, True
    rest = [c for c, _, _ in touching if c not in first] + _centroids(plane, mu)
    for centre in first + [(0.0, 0.0)] + rest:
        if centre == (0.0, 0.0):
            view, shifted = block, part
        else:
            view = ShiftedBlock(block, centre)
            shifted = ray_partition(view, mu, n_phi, kmax + float(np.hypot(*centre)),
                                    n_sample=n_sample)
        if _is_star_shaped(shifted, block.n_bands) and plane.agrees(shifted, view, mu, kmax):
            return view, shifted, True
    return block, part, False
