"""Regression pins for the outlook's speed refactor: outputs equal the pre-refactor code.

The values were computed with the model and sampling code as they stood before the vectorisation
work (commit 6b26cb8: sample-major ``(N, T, C)`` arrays, ``scipy.special.gammaincinv`` in the
Dirichlet). The refactored model gives bit-identical outputs on identical inputs; the Dirichlet's
faster Gamma inverse CDF agrees with scipy's to about 1e-14, so sampled studies agree far within
the tolerance below.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from valueloop.core.distributions import dirichlet_from_uniform, gamma_ppf
from valueloop.core.sampling import baseline_inputs
from valueloop.core.scenario import Scenario, load_scenario
from valueloop.core.study import StudyResult, run_study
from valueloop.models import fleet
from valueloop.models.outlook import (
    COBALT_OUTLOOK,
    OUTPUT_YEARS,
    _fixed_lifetime_outflow,
    _outflow,
)

RTOL = 1e-10
YEARS = (2020, 2024, 2030, 2035)
SELECT = {"ev_gwh": 0, "battery_cobalt_by_chemistry": 3, "battery_gwh_by_chemistry": 6}
"""Last-axis index pinned for outputs with one (region china; chemistry nmc811; lfp)."""

BASELINE: dict[str, tuple[float, ...]] = {
    "ev_gwh": (74.7639296527408, 488.800335, 1190.1248029745218, 1701.0327521202883),
    "battery_cobalt_by_chemistry": (4760.062303606924, 25471.63783137048, 56807.25938343366,
                                    66963.75668753925),
    "battery_gwh_by_chemistry": (143.3526315271094, 572.4473506594474, 1570.4941501754165,
                                 2530.8153368364624),
    "world_battery_cobalt": (106991.13583808683, 161511.98635157692, 225639.4178475926,
                             258314.10023792626),
    "china_battery_cobalt": (94870.29562606319, 141705.99585225654, 196763.27317325384,
                             225045.94624058157),
    "china_cobalt_demand": (111037.59058152718, 159205.99585225654, 216471.11551037384,
                            246804.996637488),
    "end_of_life_cobalt": (56774.47651430655, 64919.907654149, 80960.98420384833,
                           95811.73573771969),
    "recycled_cobalt": (26115.835781479436, 32375.554990734796, 46820.25639046521,
                        58724.75624275148),
    "hydroxide_demand_metal": (91929.86951746748, 122375.8747322935, 134261.7935902318,
                               133206.9188487471),
    "hydroxide_capacity": (82000.0, 185999.99999999997, 158100.0, 158100.0),
    "utilisation": (1.1210959697252132, 0.6579348103886749, 0.849220705820568, 0.8425485063171859),
    "imports": (96067.01108817934, 139600.44086152175, 185248.20108033615, 206448.5278911917),
    "import_hhi": (8303.775077296086, 7349.999999999999, 5679.5716144493645, 5160.161096999268),
    "world_supply": (292569.9935674717, 336250.79284390685, 426844.6209793395, 527823.360291269),
    "world_demand": (156818.42130207337, 216511.98635157692, 289422.5558493015, 330478.8664169959),
    "world_balance": (135751.5722653983, 119738.80649232992, 137422.065130038, 197344.49387427315),
    "price_index": (0.6322250069906002, 1.0, 1.1379150341327517, 0.9323761251831398),
    "world_lfp_share": (0.2852291115243331, 0.4471196233790046, 0.5073900715044746,
                        0.5128854616277326),
}
"""The deterministic run (every input at its baseline), at YEARS."""

STUDY_MEANS: dict[str, tuple[float, ...]] = {
    "ev_gwh": (75.28038447320765, 489.8709571364379, 1195.9814794517358, 1715.1227849236166),
    "battery_cobalt_by_chemistry": (4825.1752233278885, 25153.044398788978, 53369.58998253884,
                                    65241.105373255166),
    "battery_gwh_by_chemistry": (142.54426215438838, 577.1494799923885, 1572.910810606368,
                                 2592.2350755718644),
    "world_battery_cobalt": (109535.89958255731, 163293.87191379705, 221955.7503400691,
                             257582.59428122052),
    "china_battery_cobalt": (95464.23759027339, 141039.91260456233, 190689.3239926903,
                             220956.95964588548),
    "china_cobalt_demand": (111796.80294076666, 158706.3148941011, 210601.75830388488,
                            242996.53287827256),
    "end_of_life_cobalt": (56173.783051971186, 64076.97247173232, 79566.07558426722,
                           92832.1218722217),
    "recycled_cobalt": (26471.53839691205, 32833.72030063539, 46871.03563536735,
                        58101.351350540244),
    "hydroxide_demand_metal": (91507.23395473417, 119427.560195246, 128147.89108474739,
                               131652.91358480783),
    "hydroxide_capacity": (82031.50265333011, 185999.91280934287, 165161.26676077794,
                           172562.92936207066),
    "utilisation": (1.1164216623113623, 0.6423009715169679, 0.7848383741144813,
                    0.7882129129428807),
    "imports": (96757.63519871137, 138642.59459346568, 179220.86592470208, 203517.11204538652),
    "import_hhi": (8275.5650407999, 7362.389068088035, 5794.216335959573, 5300.139236231392),
    "world_supply": (299026.5569005308, 337275.89634437073, 420125.94770692085,
                     518421.98644453945),
    "world_demand": (159730.4019999289, 218292.8303074697, 285191.08049110044, 328774.01478628005),
    "world_balance": (139296.1549006025, 118983.06603690128, 134934.86721582006,
                      189647.97165825948),
    "price_index": (0.5949280971435787, 1.0, 1.18213826302434, 1.0448009919980616),
    "world_lfp_share": (0.27290419452419534, 0.4511807289861931, 0.5017208022585958,
                        0.49321045454856544),
}
"""Means over a 512-sample LHS study, seed 11."""

SAMPLE_7: dict[str, tuple[float, ...]] = {
    "ev_gwh": (75.28233506111837, 473.9337987054118, 1132.1312255803477, 1594.1409032248905),
    "battery_cobalt_by_chemistry": (4739.537978517034, 22260.057923255128, 46525.90055293481,
                                    47860.45388896245),
    "battery_gwh_by_chemistry": (136.60169211018473, 559.8321731987285, 1426.981544016335,
                                 2391.940488996339),
    "world_battery_cobalt": (101992.03354877987, 156200.60007141152, 227485.86132709074,
                             256348.24974918237),
    "china_battery_cobalt": (88033.81616957611, 134280.82219600983, 195154.8722812067,
                             220039.4449453671),
    "china_cobalt_demand": (105192.61343658414, 153686.761632141, 218495.17124577877,
                            247261.20492411684),
    "end_of_life_cobalt": (50275.44255925247, 59344.582558270784, 77300.71683300425,
                           96908.76435945147),
    "recycled_cobalt": (24798.47465799078, 31975.43334147647, 47176.729376461226,
                        59756.79911910038),
    "hydroxide_demand_metal": (91628.15999610817, 121023.42734137284, 125572.23557316251,
                               124535.49923825862),
    "hydroxide_capacity": (82662.61857807699, 183069.84242372646, 152847.47668633002,
                           157260.9114039549),
    "utilisation": (1.1084594411869857, 0.6610779019586233, 0.8215525587698048,
                    0.7919037103782595),
    "imports": (92419.13786169839, 134481.32829066453, 185281.8896590501, 202536.7368302962),
    "import_hhi": (8902.15853633452, 7960.704533915399, 6055.427291787419, 5473.122919179087),
    "world_supply": (276595.2184409353, 333378.34799306485, 456589.91082095297, 609953.6471806284),
    "world_demand": (154571.49128908644, 216640.5215196346, 301973.734433025, 345006.73546091),
    "world_balance": (122023.72715184887, 116737.82647343024, 154616.17638792796,
                      264946.91171971837),
    "price_index": (0.6149050929034898, 1.0, 1.0583489168810687, 0.639320001339564),
    "world_lfp_share": (0.35543884046733837, 0.47369472778740884, 0.5125660614390195,
                        0.5241439229978946),
}
"""Sample 7 of the same study."""


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario("valueloop:cobalt-cn-2024")


@pytest.fixture(scope="module")
def study(scenario: Scenario) -> StudyResult:
    return run_study(COBALT_OUTLOOK, scenario, 512, seed=11, method="lhs")


def pinned(values: np.ndarray, name: str) -> np.ndarray:
    """``values`` (T, ...) at YEARS, with the pinned last-axis entry where there is one."""
    rows = values[[OUTPUT_YEARS.index(y) for y in YEARS]]
    return rows[:, SELECT[name]] if name in SELECT else rows


@pytest.mark.parametrize("name", sorted(BASELINE))
def test_baseline_run_is_unchanged(scenario: Scenario, name: str) -> None:
    outputs = COBALT_OUTLOOK(baseline_inputs(scenario), 1)
    np.testing.assert_allclose(pinned(outputs[name][0], name), BASELINE[name], rtol=RTOL)


@pytest.mark.parametrize("name", sorted(STUDY_MEANS))
def test_study_is_unchanged(study: StudyResult, name: str) -> None:
    np.testing.assert_allclose(pinned(study.outputs[name].mean(axis=0), name),
                               STUDY_MEANS[name], rtol=RTOL)
    np.testing.assert_allclose(pinned(study.outputs[name][7], name), SAMPLE_7[name], rtol=RTOL)


@pytest.mark.parametrize("alpha", [0.5, 0.8, 2.0, 19.2, 170.0, 1e4])
def test_gamma_inverse_cdf_matches_scipy(alpha: float) -> None:
    rng = np.random.default_rng(4)
    u = np.concatenate([rng.random(20_000), 10.0 ** -rng.uniform(0, 17, 2_000),
                        1.0 - 10.0 ** -rng.uniform(1, 16, 2_000),
                        [0.0, 1e-300, 0.9, np.nextafter(0.9, 1.0), 1.0 - 2.0**-53]])
    expected = special.gammaincinv(alpha, u)
    np.testing.assert_allclose(gamma_ppf(alpha, u), expected, rtol=1e-13, atol=0.0)


def test_dirichlet_matches_scipy_gamma_shares() -> None:
    rng = np.random.default_rng(6)
    alpha = np.array([0.8, 19.2, 18.0, 2.0, 0.0, 0.01])
    u = rng.random((alpha.size, 5_000))
    gammas = np.maximum(special.gammaincinv(alpha[:, None], u), np.finfo(float).tiny)
    gammas[alpha <= 0] = 0.0
    expected = gammas / gammas.sum(axis=0, keepdims=True)
    np.testing.assert_allclose(dirichlet_from_uniform(u, alpha), expected, rtol=1e-12,
                               atol=1e-300)


def test_outflow_shortcuts_equal_the_stock_model() -> None:
    rng = np.random.default_rng(8)
    inflow = rng.random((300, 21)) * 1e4
    shape = rng.uniform(1.5, 5.0, 300)
    scale = fleet.weibull_scale_from_mean(rng.uniform(6.0, 15.0, 300), shape)
    survival = fleet.weibull_survival(shape, scale, 21, timing="end")
    assert np.array_equal(_outflow(inflow, survival),
                          fleet.inflow_driven(inflow, survival).outflow)
    for lifetime in (np.array([3.0]), np.array([0.0]), np.array([25.0]),
                     rng.uniform(0.0, 24.0, 300)):
        survival = fleet.fixed_survival(lifetime, 21, timing="end")
        assert np.array_equal(_fixed_lifetime_outflow(inflow, survival),
                              fleet.inflow_driven(inflow, survival).outflow)


def test_a_study_runs_with_every_sodium_input_fixed() -> None:
    """Shares are built with the full sample axis even where one curve's inputs are all fixed."""
    scenario = load_scenario("valueloop:cobalt-cn-2024", override="fast-sodium")
    result = run_study(COBALT_OUTLOOK, scenario, 300, seed=2)
    shares = result.outputs["ev_chemistry_share"]
    assert shares.shape == (300, len(OUTPUT_YEARS), 10)
    np.testing.assert_allclose(shares.sum(axis=-1), 1.0, atol=1e-12)
