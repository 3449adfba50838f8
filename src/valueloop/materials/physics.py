"""Physics of copper conductors: resistivity, skin effect, roughness loss, electromigration.

All functions are vectorised: every numeric argument may be a scalar or a numpy array, and
arrays broadcast. Units are SI unless the argument name says otherwise (``_uohm_cm`` for µΩ·cm,
``_iacs`` for %IACS, ``_pct`` for percent, ``_ev`` for electron-volts). Formulas, constants and
worked numbers follow the valueloop reference note ``materials.md`` §5, which the tests use as
oracles.

Bad input (a negative conductivity, an unknown solute) raises a
:class:`~valueloop.core.errors.UserInputError` subclass that names the argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import scipy.constants as const
from numpy.typing import ArrayLike, NDArray

from valueloop.core.errors import OutOfBoundsError, UnknownParameterError
from valueloop.materials.physics_data import ATOMIC_MASS_G_PER_MOL, SOLUTE_COEFFICIENTS

FloatArray = NDArray[np.float64]

#: 100 %IACS in S/m at 20 °C (IEC 1913 International Annealed Copper Standard; note §5).
IACS_CONDUCTIVITY_S_PER_M = 58.0e6
#: 100 %IACS as resistivity, µΩ·cm at 20 °C (IEC 1913; CDA fact sheet; note §5).
IACS_RESISTIVITY_UOHM_CM = 1.7241
#: Lorenz number, W·Ω/K² (Sommerfeld value π²k_B²/(3e²) = 2.443e-8 rounded; note §5.4).
LORENZ_NUMBER = 2.44e-8
#: Boltzmann constant in eV/K (CODATA 2018 via scipy; JEDEC JEP119A quotes 8.62e-5).
BOLTZMANN_EV_PER_K = const.physical_constants["Boltzmann constant in eV/K"][0]
#: 20 °C in K: the reference temperature of %IACS (IEC 1913) and of tabulated κ, at which
#: conductivities are converted by Wiedemann-Franz unless a temperature is given.
IACS_TEMPERATURE_K = 293.15
#: Temperature coefficient of resistivity of annealed Cu at 20 °C, 1/K (note §5, "recall";
#: the standard IEC 60028 value).
ALPHA_20_CU_PER_K = 0.00393

_UOHM_CM_TO_OHM_M = 1e-8  # 1 µΩ·cm = 1e-6 Ω × 1e-2 m
_NP_TO_DB = 20.0 / np.log(10.0)  # 8.686 dB per neper


def _array(name: str, value: ArrayLike, *, minimum: float | None = 0.0,
           strict: bool = True) -> FloatArray:
    """``value`` as a float array, refusing non-finite values and values below ``minimum``."""
    array = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(array)):
        raise OutOfBoundsError("must be finite", item=name, allowed="finite numbers")
    if minimum is not None:
        bad = array <= minimum if strict else array < minimum
        if np.any(bad):
            relation = ">" if strict else ">="
            raise OutOfBoundsError(f"has a value {float(array[bad].flat[0])!r}", item=name,
                                   allowed=f"values {relation} {minimum}")
    return array


# --- resistivity, conductivity and %IACS -------------------------------------------------------

def resistivity_to_conductivity(resistivity_uohm_cm: ArrayLike) -> FloatArray:
    """Electrical conductivity in S/m from resistivity in µΩ·cm."""
    rho = _array("resistivity_uohm_cm", resistivity_uohm_cm)
    return 1.0 / (rho * _UOHM_CM_TO_OHM_M)


def conductivity_to_resistivity(conductivity_s_per_m: ArrayLike) -> FloatArray:
    """Resistivity in µΩ·cm from electrical conductivity in S/m."""
    sigma = _array("conductivity_s_per_m", conductivity_s_per_m)
    return 1.0 / sigma / _UOHM_CM_TO_OHM_M


def iacs_to_conductivity(conductivity_iacs: ArrayLike) -> FloatArray:
    """Conductivity in S/m from %IACS (100 %IACS = 58.0 MS/m)."""
    return _array("conductivity_iacs", conductivity_iacs) / 100.0 * IACS_CONDUCTIVITY_S_PER_M


def conductivity_to_iacs(conductivity_s_per_m: ArrayLike) -> FloatArray:
    """%IACS from conductivity in S/m."""
    sigma = _array("conductivity_s_per_m", conductivity_s_per_m)
    return sigma / IACS_CONDUCTIVITY_S_PER_M * 100.0


def resistivity_to_iacs(resistivity_uohm_cm: ArrayLike) -> FloatArray:
    """%IACS from resistivity in µΩ·cm (100 %IACS = 1.7241 µΩ·cm)."""
    rho = _array("resistivity_uohm_cm", resistivity_uohm_cm)
    return 100.0 * IACS_RESISTIVITY_UOHM_CM / rho


def iacs_to_resistivity(conductivity_iacs: ArrayLike) -> FloatArray:
    """Resistivity in µΩ·cm from %IACS."""
    return 100.0 * IACS_RESISTIVITY_UOHM_CM / _array("conductivity_iacs", conductivity_iacs)


def resistivity_at_temperature(resistivity_20_uohm_cm: ArrayLike, temperature_c: ArrayLike,
                               alpha_per_k: ArrayLike = ALPHA_20_CU_PER_K) -> FloatArray:
    """Linear temperature dependence ρ(T) = ρ₂₀·[1 + α(T − 20 °C)], in µΩ·cm.

    The default α is that of annealed copper; dilute alloys have a smaller α because their
    residual part does not depend on temperature (Matthiessen), so this overestimates their
    rise: a conservative choice for a conductor budget.
    """
    rho = _array("resistivity_20_uohm_cm", resistivity_20_uohm_cm)
    temperature = _array("temperature_c", temperature_c, minimum=-273.15)
    alpha = _array("alpha_per_k", alpha_per_k, minimum=0.0, strict=False)
    return rho * (1.0 + alpha * (temperature - 20.0))


# --- Matthiessen and Nordheim --------------------------------------------------------------------

def matthiessen_resistivity(*contributions_uohm_cm: ArrayLike) -> FloatArray:
    """Matthiessen's rule: independent scattering contributions add, ρ = Σ ρᵢ (µΩ·cm).

    Typical terms are the phonon (pure-metal) part, each solute's ``cᵢ·ζᵢ``, dislocations,
    grain boundaries and precipitates (note §5.6).
    """
    if not contributions_uohm_cm:
        raise OutOfBoundsError("needs at least one contribution", item="contributions_uohm_cm")
    arrays = [_array(f"contributions_uohm_cm[{index}]", term, minimum=0.0, strict=False)
              for index, term in enumerate(contributions_uohm_cm)]
    return np.sum(np.broadcast_arrays(*arrays), axis=0)


def nordheim_resistivity(atomic_fraction: ArrayLike, coefficient_uohm_cm: ArrayLike) -> FloatArray:
    """Nordheim's rule for a binary solid solution, ρ_res = C·x(1 − x), in µΩ·cm.

    Parameters
    ----------
    atomic_fraction : array_like
        Atomic fraction x of the solute, 0 ≤ x ≤ 1.
    coefficient_uohm_cm : array_like
        Nordheim coefficient C in µΩ·cm. In the dilute limit C = 100·ζ with ζ in µΩ·cm per
        at.%, so the rule reduces to the linear increment.

    Returns
    -------
    numpy.ndarray
        Residual resistivity in µΩ·cm, to be added to the solvent's (Matthiessen).
    """
    x = _array("atomic_fraction", atomic_fraction, minimum=0.0, strict=False)
    if np.any(x > 1.0):
        raise OutOfBoundsError("has a value above 1", item="atomic_fraction",
                               allowed="atomic fractions 0..1")
    c = _array("coefficient_uohm_cm", coefficient_uohm_cm, minimum=0.0, strict=False)
    return c * x * (1.0 - x)


def weight_to_atomic_percent(composition_wt_pct: Mapping[str, ArrayLike]) -> dict[str, FloatArray]:
    """Convert solute wt% to at.% in copper; copper is the balance and must not be listed."""
    masses = _solute_masses(composition_wt_pct)
    weights = {s: _array(f"composition[{s}]", c, minimum=0.0, strict=False)
               for s, c in composition_wt_pct.items()}
    total_solute_wt = sum(weights.values(), np.float64(0.0))
    if np.any(total_solute_wt > 100.0):
        raise OutOfBoundsError("solutes add up to more than 100 wt%", item="composition")
    amounts = {s: w / masses[s] for s, w in weights.items()}
    moles_cu = (100.0 - total_solute_wt) / ATOMIC_MASS_G_PER_MOL["Cu"]
    total = moles_cu + sum(amounts.values())
    return {s: 100.0 * n / total for s, n in amounts.items()}


def _solute_masses(composition: Mapping[str, ArrayLike]) -> dict[str, float]:
    masses = {}
    for solute in composition:
        if solute not in ATOMIC_MASS_G_PER_MOL or solute == "Cu":
            raise UnknownParameterError(
                f"unknown solute {solute!r}", item="composition",
                allowed=", ".join(s for s in ATOMIC_MASS_G_PER_MOL if s != "Cu"))
        masses[solute] = ATOMIC_MASS_G_PER_MOL[solute]
    return masses


def solute_resistivity(composition: Mapping[str, ArrayLike],
                       basis: Literal["wt%", "at%"] = "wt%") -> FloatArray:
    """Residual resistivity of dissolved solutes, Σ cᵢ·ζᵢ, in µΩ·cm (Matthiessen, dilute).

    Parameters
    ----------
    composition : mapping of str to array_like
        Dissolved solute concentration per element symbol (copper is the balance). Only the
        dissolved fraction counts: precipitates scatter far less (note §5.6).
    basis : {"wt%", "at%"}
        Unit of the concentrations. Per-wt% coefficients are ζ_at·M_Cu/M_i.

    Raises
    ------
    UnknownParameterError
        For a solute without a coefficient (Zr and Be have none yet).
    """
    if basis not in ("wt%", "at%"):
        raise OutOfBoundsError(f"unknown basis {basis!r}", item="basis", allowed="wt%, at%")
    total: FloatArray = np.zeros(())
    for solute, concentration in composition.items():
        row = SOLUTE_COEFFICIENTS.get(solute)
        if row is None:
            raise UnknownParameterError(
                f"no resistivity coefficient for solute {solute!r}", item="composition",
                allowed=", ".join(SOLUTE_COEFFICIENTS))
        zeta = row.zeta_uohm_cm_per_wt_pct if basis == "wt%" else row.zeta_uohm_cm_per_at_pct
        total = total + zeta * _array(f"composition[{solute}]", concentration, minimum=0.0,
                                      strict=False)
    return total


def alloy_resistivity(composition: Mapping[str, ArrayLike], basis: Literal["wt%", "at%"] = "wt%",
                      base_resistivity_uohm_cm: ArrayLike = IACS_RESISTIVITY_UOHM_CM,
                      extra_uohm_cm: ArrayLike = 0.0) -> FloatArray:
    """Resistivity of a dilute Cu alloy at 20 °C, µΩ·cm: base + solutes + extra (Matthiessen).

    ``extra_uohm_cm`` carries the dislocation, grain-boundary and precipitate terms, for example
    cold work costs about 3 %IACS in pure copper (101 → 97 %IACS, CDA; note §5.6).
    """
    base = _array("base_resistivity_uohm_cm", base_resistivity_uohm_cm)
    extra = _array("extra_uohm_cm", extra_uohm_cm, minimum=0.0, strict=False)
    return base + solute_resistivity(composition, basis) + extra


# --- Wiedemann-Franz -----------------------------------------------------------------------------

def thermal_from_electrical(conductivity_s_per_m: ArrayLike,
                            temperature_k: ArrayLike = IACS_TEMPERATURE_K,
                            lorenz: ArrayLike = LORENZ_NUMBER) -> FloatArray:
    """Electronic thermal conductivity κ = L·σ·T in W/(m·K) (Wiedemann-Franz)."""
    sigma = _array("conductivity_s_per_m", conductivity_s_per_m)
    return _array("lorenz", lorenz) * sigma * _array("temperature_k", temperature_k)


def electrical_from_thermal(thermal_conductivity: ArrayLike,
                            temperature_k: ArrayLike = IACS_TEMPERATURE_K,
                            lorenz: ArrayLike = LORENZ_NUMBER) -> FloatArray:
    """Electrical conductivity σ = κ/(L·T) in S/m from κ in W/(m·K) (Wiedemann-Franz).

    Alloys carry a lattice (phonon) part of κ as well, so below about 40 %IACS this
    overestimates σ (note §5.4).
    """
    kappa = _array("thermal_conductivity", thermal_conductivity)
    return kappa / (_array("lorenz", lorenz) * _array("temperature_k", temperature_k))


def effective_lorenz_number(thermal_conductivity: ArrayLike, conductivity_s_per_m: ArrayLike,
                            temperature_k: ArrayLike = IACS_TEMPERATURE_K) -> FloatArray:
    """L = κ/(σT) in W·Ω/K²; the note flags records with |L/L₀ − 1| > 0.35 as suspicious."""
    kappa = _array("thermal_conductivity", thermal_conductivity)
    sigma = _array("conductivity_s_per_m", conductivity_s_per_m)
    return kappa / (sigma * _array("temperature_k", temperature_k))


# --- skin effect and surface roughness -----------------------------------------------------------

def skin_depth(frequency_hz: ArrayLike, conductivity_s_per_m: ArrayLike = IACS_CONDUCTIVITY_S_PER_M,
               relative_permeability: ArrayLike = 1.0) -> FloatArray:
    """Skin depth δ = 1/√(π f μ₀ μᵣ σ) in m."""
    f = _array("frequency_hz", frequency_hz)
    sigma = _array("conductivity_s_per_m", conductivity_s_per_m)
    mu = const.mu_0 * _array("relative_permeability", relative_permeability)
    return 1.0 / np.sqrt(np.pi * f * mu * sigma)


def surface_resistance(frequency_hz: ArrayLike,
                       conductivity_s_per_m: ArrayLike = IACS_CONDUCTIVITY_S_PER_M,
                       relative_permeability: ArrayLike = 1.0) -> FloatArray:
    """Surface resistance of a smooth conductor R_s = 1/(σδ) = √(π f μ/σ), in Ω per square."""
    sigma = _array("conductivity_s_per_m", conductivity_s_per_m)
    return 1.0 / (sigma * skin_depth(frequency_hz, sigma, relative_permeability))


def hammerstad_jensen_factor(rms_roughness_m: ArrayLike, skin_depth_m: ArrayLike) -> FloatArray:
    """Hammerstad-Jensen loss factor K = 1 + (2/π)·arctan[1.4·(Δ/δ)²], between 1 and 2.

    Hammerstad & Jensen, IEEE MTT-S Digest 1980, pp. 407-409 (note §5.2). Multiplies the
    smooth-conductor loss; equivalently σ_eff = σ/K². It saturates at 2, which under-predicts
    the loss of very rough foils above about 10 GHz.
    """
    delta_rq = _array("rms_roughness_m", rms_roughness_m, minimum=0.0, strict=False)
    delta = _array("skin_depth_m", skin_depth_m)
    return 1.0 + 2.0 / np.pi * np.arctan(1.4 * (delta_rq / delta) ** 2)


def hammerstad_jensen_max_roughness(factor: ArrayLike, skin_depth_m: ArrayLike) -> FloatArray:
    """Largest RMS roughness Δ (m) whose Hammerstad-Jensen factor stays at or below ``factor``.

    The inverse Δ = δ·√(tan[(K − 1)π/2]/1.4); ``inf`` where K ≥ 2 (the model saturates, so it
    sets no roughness limit there), 0 where K ≤ 1.
    """
    k = _array("factor", factor, minimum=None)
    delta = _array("skin_depth_m", skin_depth_m)
    clipped = np.clip(k, 1.0, 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        tangent = np.where(clipped >= 2.0, np.inf, np.tan((clipped - 1.0) * np.pi / 2.0))
    return delta * np.sqrt(tangent / 1.4)


def huray_factor(frequency_hz: ArrayLike, sphere_radius_m: ArrayLike, sphere_area_ratio: ArrayLike,
                 matte_area_ratio: ArrayLike = 1.0,
                 conductivity_s_per_m: ArrayLike = IACS_CONDUCTIVITY_S_PER_M,
                 prefactor: float = 1.5) -> FloatArray:
    """Huray "snowball" loss factor for one or more sphere populations (note §5.3).

    K_H = A_matte/A_flat + prefactor·Σᵢ rᵢ / (1 + δ/aᵢ + δ²/(2aᵢ²)), where
    rᵢ = Nᵢ·4πaᵢ²/A_flat is population i's sphere-surface to flat-tile area ratio. Huray et al.,
    DesignCon 2010; Huray, *The Foundations of Signal Integrity*, Wiley 2009.

    Parameters
    ----------
    frequency_hz : array_like
        Frequencies; the result has their shape.
    sphere_radius_m, sphere_area_ratio : array_like
        One value per sphere population (1-D, same length), the last axis of the sum.
    matte_area_ratio : array_like
        A_matte/A_flat, the low-frequency limit (1 for a flat base).
    prefactor : float
        3/2 is the field enhancement on a conducting sphere; some published variants fold it
        into the fitted area ratio, so pass 1.0 for those.
    """
    f = _array("frequency_hz", frequency_hz)
    radius = np.atleast_1d(_array("sphere_radius_m", sphere_radius_m))
    ratio = np.atleast_1d(_array("sphere_area_ratio", sphere_area_ratio, minimum=0.0,
                                 strict=False))
    if radius.shape != ratio.shape or radius.ndim != 1:
        raise OutOfBoundsError("sphere_radius_m and sphere_area_ratio differ in shape",
                               item="sphere_area_ratio", allowed="two 1-D arrays of one length")
    matte = _array("matte_area_ratio", matte_area_ratio)
    delta = skin_depth(f, conductivity_s_per_m)[..., np.newaxis]
    terms = ratio / (1.0 + delta / radius + delta**2 / (2.0 * radius**2))
    return matte + float(prefactor) * np.sum(terms, axis=-1)


def microstrip_conductor_loss_db_per_m(frequency_hz: ArrayLike, line_width_m: ArrayLike,
                                       impedance_ohm: ArrayLike,
                                       conductivity_s_per_m: ArrayLike = IACS_CONDUCTIVITY_S_PER_M,
                                       roughness_factor: ArrayLike = 1.0) -> FloatArray:
    """First-order conductor loss of a wide microstrip, α_c ≈ 8.686·K·R_s/(Z₀·w) in dB/m.

    Note §5.1. Ignores the ground-plane share and edge currents, so it is a strip-only bound to
    compare materials with, not a line-loss prediction.
    """
    width = _array("line_width_m", line_width_m)
    z0 = _array("impedance_ohm", impedance_ohm)
    k = _array("roughness_factor", roughness_factor)
    return _NP_TO_DB * k * surface_resistance(frequency_hz, conductivity_s_per_m) / (z0 * width)


# --- Black's equation ----------------------------------------------------------------------------

def black_mttf(current_density: ArrayLike, temperature_k: ArrayLike, prefactor: ArrayLike,
               exponent: ArrayLike = 2.0, activation_energy_ev: ArrayLike = 0.9) -> FloatArray:
    """Black's equation MTTF = A·J⁻ⁿ·exp(E_a/(k_B T)) (JEDEC JEP119A; Black 1969; note §5.5).

    ``prefactor`` A is empirical and carries the units: the result is in A's time unit when J is
    in the current-density unit A was fitted with (JEDEC uses A/cm²).
    """
    j = _array("current_density", current_density)
    temperature = _array("temperature_k", temperature_k)
    a = _array("prefactor", prefactor)
    n = _array("exponent", exponent, minimum=0.0, strict=False)
    ea = _array("activation_energy_ev", activation_energy_ev, minimum=0.0, strict=False)
    return a * j ** (-n) * np.exp(ea / (BOLTZMANN_EV_PER_K * temperature))


def black_acceleration_factor(test_current_density: ArrayLike, test_temperature_k: ArrayLike,
                              use_current_density: ArrayLike, use_temperature_k: ArrayLike,
                              exponent: ArrayLike = 2.0,
                              activation_energy_ev: ArrayLike = 0.9) -> FloatArray:
    """AF = MTTF_use/MTTF_test = (J_t/J_u)ⁿ·exp[(E_a/k_B)(1/T_u − 1/T_t)] (note §5.5)."""
    jt = _array("test_current_density", test_current_density)
    tt = _array("test_temperature_k", test_temperature_k)
    ju = _array("use_current_density", use_current_density)
    tu = _array("use_temperature_k", use_temperature_k)
    n = _array("exponent", exponent, minimum=0.0, strict=False)
    ea = _array("activation_energy_ev", activation_energy_ev, minimum=0.0, strict=False)
    return (jt / ju) ** n * np.exp(ea / BOLTZMANN_EV_PER_K * (1.0 / tu - 1.0 / tt))


def black_min_activation_energy(target_life: ArrayLike, test_life: ArrayLike,
                                test_current_density: ArrayLike, test_temperature_k: ArrayLike,
                                use_current_density: ArrayLike, use_temperature_k: ArrayLike,
                                exponent: ArrayLike = 2.0) -> FloatArray:
    """Smallest E_a (eV) for which ``test_life`` at test conditions implies ``target_life`` in use.

    The ratio form of Black's equation solved for E_a; both lives in the same unit, and the test
    must be hotter than use.
    """
    tt = _array("test_temperature_k", test_temperature_k)
    tu = _array("use_temperature_k", use_temperature_k)
    if np.any(tt <= tu):
        raise OutOfBoundsError("test temperature is not above use temperature",
                               item="test_temperature_k", allowed="T_test > T_use")
    current = black_acceleration_factor(test_current_density, tt, use_current_density, tu,
                                        exponent, 0.0)
    needed = _array("target_life", target_life) / _array("test_life", test_life)
    return BOLTZMANN_EV_PER_K * np.log(needed / current) / (1.0 / tu - 1.0 / tt)
