"""Physics functions against the published values and worked numbers of materials.md §5."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.constants as const

from valueloop.core.errors import OutOfBoundsError, UnknownParameterError
from valueloop.materials import physics as ph
from valueloop.materials.physics_data import SOLUTE_COEFFICIENTS

GHZ = np.array([1.0, 10.0, 28.0, 56.0, 77.0]) * 1e9


def test_iacs_conversions_round_trip_and_anchor() -> None:
    # 100 %IACS = 58.0 MS/m = 1.7241 µΩ·cm (IEC 1913)
    assert ph.iacs_to_conductivity(100.0) == pytest.approx(58.0e6)
    assert ph.resistivity_to_conductivity(1.7241) == pytest.approx(58.0e6, rel=1e-4)
    assert ph.resistivity_to_iacs(1.7241) == pytest.approx(100.0)
    # C17200 aged: ρ 7.68 µΩ·cm reported as 22.4 %IACS (Little Falls, note §2)
    assert ph.resistivity_to_iacs(7.68) == pytest.approx(22.4, abs=0.1)
    values = np.array([11.0, 45.0, 101.0])
    assert np.allclose(ph.conductivity_to_iacs(ph.iacs_to_conductivity(values)), values)
    assert np.allclose(ph.iacs_to_resistivity(ph.resistivity_to_iacs(values)), values)
    assert np.allclose(ph.conductivity_to_resistivity(ph.resistivity_to_conductivity(values)),
                       values)


def test_skin_depth_and_surface_resistance_worked_numbers() -> None:
    delta_um = ph.skin_depth(GHZ, 5.8e7) * 1e6
    assert delta_um == pytest.approx([2.09, 0.661, 0.395, 0.279, 0.238], abs=0.0051)
    rs_mohm = ph.surface_resistance(GHZ, 5.8e7) * 1e3
    assert rs_mohm == pytest.approx([8.3, 26.1, 43.7, 61.7, 72.4], abs=0.06)


@pytest.mark.parametrize(("iacs", "penalty"), [(80, 1.12), (60, 1.29), (40, 1.58), (22, 2.13)])
def test_alloy_surface_resistance_penalty(iacs: float, penalty: float) -> None:
    ratio = (ph.surface_resistance(28e9, ph.iacs_to_conductivity(iacs))
             / ph.surface_resistance(28e9, ph.iacs_to_conductivity(100.0)))
    assert ratio == pytest.approx(penalty, abs=0.006)


def test_hammerstad_jensen_worked_table() -> None:
    rq = np.array([0.1, 0.3, 0.5, 1.0, 2.0]) * 1e-6
    expected = {1e9: [1.00, 1.02, 1.05, 1.20, 1.58], 10e9: [1.02, 1.18, 1.43, 1.81, 1.95],
                28e9: [1.06, 1.43, 1.73, 1.93, 1.98], 77e9: [1.15, 1.73, 1.90, 1.97, 1.99]}
    for frequency, row in expected.items():
        k = ph.hammerstad_jensen_factor(rq, ph.skin_depth(frequency))
        assert k == pytest.approx(row, abs=0.0051), frequency
    # vectorised over a grid by broadcasting
    grid = ph.hammerstad_jensen_factor(rq[:, None], ph.skin_depth(GHZ)[None, :])
    assert grid.shape == (5, 5) and np.all((grid >= 1.0) & (grid < 2.0))


def test_hammerstad_jensen_inverse() -> None:
    delta = ph.skin_depth(28e9)
    rq = np.array([0.05, 0.3, 1.0]) * 1e-6
    k = ph.hammerstad_jensen_factor(rq, delta)
    assert ph.hammerstad_jensen_max_roughness(k, delta) == pytest.approx(rq, rel=1e-9)
    assert ph.hammerstad_jensen_max_roughness([1.0, 2.0, 2.5], delta).tolist() == [
        0.0, np.inf, np.inf]


def test_huray_asymptotes_and_prefactor() -> None:
    radius, ratio = np.array([0.5e-6, 1.0e-6]), np.array([0.4, 0.3])
    low = ph.huray_factor(1e3, radius, ratio, matte_area_ratio=1.1)
    assert low == pytest.approx(1.1, abs=1e-3)  # δ ≫ a: the matte base only
    high = ph.huray_factor(1e20, radius, ratio, matte_area_ratio=1.1)
    assert high == pytest.approx(1.1 + 1.5 * 0.7, rel=1e-3)  # δ ≪ a: 3/2 · Σ N·4πa²/A
    folded = ph.huray_factor(1e20, radius, ratio, matte_area_ratio=1.1, prefactor=1.0)
    assert folded == pytest.approx(1.8, rel=1e-3)
    # at δ = a one sphere contributes 1/(1 + 1 + 1/2) of its high-frequency share
    f_equal = 1.0 / (np.pi * const.mu_0 * 5.8e7 * (1e-6) ** 2)
    single = ph.huray_factor(f_equal, [1e-6], [1.0])
    assert single == pytest.approx(1.0 + 1.5 / 2.5)
    curve = ph.huray_factor(GHZ, radius, ratio)
    assert curve.shape == GHZ.shape and np.all(np.diff(curve) > 0)


def test_wiedemann_franz_published_numbers() -> None:
    # Sommerfeld value π²k²/(3e²) = 2.443e-8 W·Ω/K²
    sommerfeld = np.pi**2 * const.k**2 / (3 * const.e**2)
    assert pytest.approx(sommerfeld, rel=2e-3) == ph.LORENZ_NUMBER
    # 4.15 W/(m·K) per %IACS at 293 K
    assert ph.thermal_from_electrical(ph.iacs_to_conductivity(1.0), 293.0) == pytest.approx(
        4.15, abs=0.005)
    # C19700 (86 %IACS, 250 W/(m·K), MakeItFrom) gives L ≈ 1.7e-8 < L₀: the note's flagged point
    lorenz = ph.effective_lorenz_number(250.0, ph.iacs_to_conductivity(86.0), 293.0)
    assert lorenz == pytest.approx(1.7e-8, abs=0.05e-8)
    assert abs(lorenz / ph.LORENZ_NUMBER - 1) > 0.25
    sigma = np.array([1e7, 5.8e7])
    assert np.allclose(ph.electrical_from_thermal(ph.thermal_from_electrical(sigma, 350.0), 350.0),
                       sigma)


@pytest.mark.parametrize(
    ("composition", "reported_iacs", "reported_rho"),
    [
        ({"Sn": 0.15}, 90.0, None),  # C14415 CuSn0.15: First Copper 90 (range 81-95)
        ({"Sn": 8.0}, 13.0, None),  # C52100 CuSn8: MakeItFrom 13 %IACS
        ({"Ni": 9.0, "Sn": 2.0}, 11.0, 15.6),  # C72500 CuNi9Sn2: DODUCO 11 %IACS / 15.6 µΩ·cm
        ({"Ni": 25.0}, None, 33.3),  # CuNi25: 33.3 µΩ·cm (note §5.6)
    ],
)
def test_matthiessen_solute_model_reproduces_grade_data(
    composition: dict[str, float], reported_iacs: float | None, reported_rho: float | None
) -> None:
    rho = ph.alloy_resistivity(composition, basis="wt%")
    if reported_iacs is not None:
        assert ph.resistivity_to_iacs(rho) == pytest.approx(reported_iacs, rel=0.10)
    if reported_rho is not None:
        assert rho == pytest.approx(reported_rho, rel=0.10)


def test_solute_coefficients_per_wt_match_note_column() -> None:
    per_wt = {"Ag": 0.08, "Ni": 1.2, "Zn": 0.29, "Mg": 1.7, "Al": 2.9, "Sn": 1.54, "Mn": 3.4,
              "Si": 8.9, "Cr": 4.9, "Co": 6.9, "P": 13.8, "Fe": 10.6, "Ti": 21.0}
    assert set(per_wt) == set(SOLUTE_COEFFICIENTS)
    for solute, value in per_wt.items():
        row = SOLUTE_COEFFICIENTS[solute]
        assert row.zeta_uohm_cm_per_wt_pct == pytest.approx(value, rel=0.05), solute
        assert row.source and row.basis in ("retrieved", "recall")


def test_phosphorus_plausibility_against_dhp_copper() -> None:
    # 0.025 wt% P ⇒ about 83 %IACS (note §5.6)
    iacs = ph.resistivity_to_iacs(ph.alloy_resistivity({"P": 0.025}))
    assert iacs == pytest.approx(83.0, abs=1.0)


def test_at_and_wt_bases_agree_and_vectorise() -> None:
    wt = np.array([0.5, 1.0, 2.0])
    at = ph.weight_to_atomic_percent({"Sn": wt})["Sn"]
    # dilute: per-wt% coefficients are the per-at% ones scaled by M_Cu/M_Sn
    assert ph.solute_resistivity({"Sn": wt}) == pytest.approx(
        ph.solute_resistivity({"Sn": at}, basis="at%"), rel=0.03)
    assert ph.weight_to_atomic_percent({"Ni": 25.0})["Ni"] == pytest.approx(26.52, abs=0.01)


def test_matthiessen_and_nordheim() -> None:
    assert ph.matthiessen_resistivity(1.7241, [0.5, 1.0], 0.1) == pytest.approx([2.3241, 2.8241])
    x = np.linspace(0.0, 1.0, 11)
    rho = ph.nordheim_resistivity(x, 100.0)
    assert rho[0] == 0.0 and rho[-1] == 0.0 and np.argmax(rho) == 5
    assert np.allclose(rho, rho[::-1])
    # dilute limit: C·x(1−x) → 100·ζ·x, the linear Matthiessen increment
    assert ph.nordheim_resistivity(1e-4, 100 * 2.88) == pytest.approx(
        ph.solute_resistivity({"Sn": 0.01}, basis="at%"), rel=1e-3)


def test_temperature_coefficient() -> None:
    assert ph.resistivity_at_temperature(1.7241, 20.0) == pytest.approx(1.7241)
    assert ph.resistivity_at_temperature(1.7241, 120.0) == pytest.approx(1.7241 * 1.393)


def test_black_acceleration_factor_worked_numbers() -> None:
    af = ph.black_acceleration_factor(1.0, 548.15, 1.0, 378.15, exponent=1,
                                      activation_energy_ev=1.0)
    assert af == pytest.approx(1.4e4, rel=0.05)  # 275 °C → 105 °C, Ea 1.0 eV
    af = ph.black_acceleration_factor(2e6, 573.15, 1e6, 378.15, exponent=2,
                                      activation_energy_ev=0.9)
    assert af == pytest.approx(4.8e4, rel=0.02)  # 300 °C/2 MA cm⁻² → 105 °C/1 MA cm⁻²
    # the ratio form equals the ratio of absolute MTTFs, whatever A is
    use = ph.black_mttf(1e6, 378.15, 3.0, 2.0, 0.9)
    test = ph.black_mttf(2e6, 573.15, 3.0, 2.0, 0.9)
    assert use / test == pytest.approx(af)
    ea = ph.black_min_activation_energy(af * 100.0, 100.0, 2e6, 573.15, 1e6, 378.15, 2.0)
    assert ea == pytest.approx(0.9)


def test_microstrip_loss_scales_with_roughness_and_conductivity() -> None:
    smooth = ph.microstrip_conductor_loss_db_per_m(28e9, 2e-4, 50.0)
    assert smooth == pytest.approx(8.686 * 0.04366 / (50 * 2e-4), rel=1e-3)
    alloy = ph.microstrip_conductor_loss_db_per_m(28e9, 2e-4, 50.0, ph.iacs_to_conductivity(80),
                                                  roughness_factor=1.4)
    assert alloy / smooth == pytest.approx(1.4 * np.sqrt(100 / 80))


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(OutOfBoundsError, match="conductivity_s_per_m"):
        ph.skin_depth(1e9, -1.0)
    with pytest.raises(UnknownParameterError, match="Zr"):
        ph.alloy_resistivity({"Zr": 0.1})
    with pytest.raises(OutOfBoundsError, match="atomic_fraction"):
        ph.nordheim_resistivity(1.5, 100.0)
    with pytest.raises(OutOfBoundsError, match="test_temperature_k"):
        ph.black_min_activation_energy(10.0, 1.0, 1.0, 300.0, 1.0, 400.0)
