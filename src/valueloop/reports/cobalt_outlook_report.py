"""The bilingual HTML report of the cobalt outlook, assembled from an :class:`OutlookRun`.

Only presentation lives here: every number comes from the run's study, claims, stress tests and
route comparison. Texts are given in English and Simplified Chinese side by side.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from valueloop.models.battery_demand import CHEMISTRIES, COBALT_FREE
from valueloop.models.outlook import OUTPUT_YEARS
from valueloop.reports import outlook_charts as charts
from valueloop.reports.html import (
    Callout,
    Figure,
    KeyFigure,
    KeyFigures,
    MetaRow,
    Paragraph,
    Report,
    Section,
    TableBlock,
)
from valueloop.reports.i18n import Text

if TYPE_CHECKING:
    from valueloop.reports.cobalt_outlook import OutlookRun

Band = tuple[np.ndarray, np.ndarray, np.ndarray]
YEARS = np.asarray(OUTPUT_YEARS)
KT = 1e3
BACKTEST_COLUMNS = {
    "target": Text("Target", "目标"),
    "years": Text("Years", "年数"),
    "mape": Text("MAPE", "平均绝对百分比误差"),
    "bias": Text("Bias", "偏差"),
    "rmse": Text("RMSE", "均方根误差"),
    "coverage_p10_p90": Text("Inside P10-P90", "落入P10–P90比例"),
    "naive_mape": Text("MAPE, no change", "不变预测误差"),
    "skill": Text("Skill", "技能分"),
}
STRESS_COLUMNS = {
    "case": Text("Case", "情景"),
    "mitigation": Text("Mitigation", "缓解措施"),
    "min_days_p50": Text("Lowest cover, P50", "最低库存天数 P50"),
    "months_below_p50": Text("Months below line, P50", "低于警戒线月数 P50"),
    "shortfall_p10": Text("Shortfall P10", "缺口 P10"),
    "shortfall_p50": Text("Shortfall P50", "缺口 P50"),
    "shortfall_p90": Text("Shortfall P90", "缺口 P90"),
    "recovery_months_p50": Text("Months to recover, P50", "恢复月数 P50"),
    "price_peak_p10": Text("Peak price multiple, P10", "价格峰值倍数 P10"),
    "price_peak_p90": Text("Peak price multiple, P90", "价格峰值倍数 P90"),
}


def _band(run: OutlookRun, name: str, scale: float = 1.0, axis_sum: bool = False) -> Band:
    values = np.asarray(run.study.outputs[name], dtype=float)
    if axis_sum:
        values = values.sum(axis=-1)
    q = np.quantile(values, (0.1, 0.5, 0.9), axis=0) / scale
    return q[0], q[1], q[2]


def _at(band: Band, year: int) -> tuple[float, float, float]:
    i = OUTPUT_YEARS.index(year)
    return float(band[0][i]), float(band[1][i]), float(band[2][i])


def _key(label: Text, band: Band, year: int, unit: str, fmt: str = "{:,.0f}") -> KeyFigure:
    p10, p50, p90 = _at(band, year)
    return KeyFigure(label=label, value=fmt.format(p50), unit=unit,
                     band=f"{fmt.format(p10)}–{fmt.format(p90)}")


def build_report(run: OutlookRun, *, generated: str) -> Report:
    return Report(
        title=Text("China cobalt outlook 2020–2035", "中国钴展望 2020–2035"),
        subtitle=Text(
            "Demand, substitution, supply, recycling, stress tests and the seed report's claims "
            "recomputed",
            "需求、替代、供应、回收、压力测试，以及对源报告数据的复算"),
        meta=(
            MetaRow(Text("Scenario", "情景"), run.scenario.label),
            MetaRow(Text("Samples", "样本数"), f"{run.study.n:,} ({run.study.method}, "
                                               f"seed {run.study.seed})"),
            MetaRow(Text("Model", "模型"), run.model.name),
        ),
        sections=(_summary(run), _demand(run), _supply(run), _recycling(run), _stress(run),
                  _routes(run), _closed_loop(run), _drivers(run), _backtest(run), _claims(run),
                  _method()),
        generated=generated,
    )


def _summary(run: OutlookRun) -> Section:
    hydroxide = _band(run, "hydroxide_demand_metal", KT)
    utilisation = _band(run, "utilisation", 0.01)
    balance = _band(run, "world_balance", KT)
    recycled = _band(run, "recycled_share", 0.01)
    verdicts = [r.verdict for report in run.claims for r in report.results]
    disagree = verdicts.count("disagrees")
    return Section(
        id="summary", title=Text("Summary", "摘要"),
        intro=Text(
            "Medians (P50) with P10–P90 ranges over all sampled inputs. Tonnages are contained "
            "cobalt.",
            "给出所有抽样输入下的中位数（P50）及 P10–P90 区间。吨数均为钴金属量。"),
        blocks=(
            KeyFigures((
                _key(Text("Hydroxide demand 2030", "2030年氢氧化钴需求"), hydroxide, 2030,
                     "kt Co"),
                _key(Text("Hydroxide capacity use 2030", "2030年产能利用率"), utilisation,
                     2030, "%"),
                _key(Text("World balance 2026 (DRC quota)", "2026年全球供需差（刚果(金)配额）"),
                     balance, 2026, "kt Co"),
                _key(Text("Recycled share of supply 2035", "2035年再生钴占供应比例"),
                     recycled, 2035, "%"),
            )),
            Callout("warning", Text(
                f"{disagree} of {len(verdicts)} figures the report states do not follow from "
                "its own inputs or from the sources it cites; see the claims section.",
                f"源报告陈述的 {len(verdicts)} 个数据中，有 {disagree} 个无法由其自身输入或所引"
                "来源推出；详见“数据复核”一节。")),
        ))


def _demand(run: OutlookRun) -> Section:
    cobalt = np.asarray(run.study.outputs["battery_cobalt_by_chemistry"], dtype=float)
    medians = {name: np.median(cobalt[..., c], axis=0) / KT
               for c, name in enumerate(CHEMISTRIES) if name not in COBALT_FREE}
    total = _band(run, "world_battery_cobalt", KT)
    ev = _band(run, "ev_gwh", axis_sum=True)
    lfp = _band(run, "world_lfp_share", 0.01)
    return Section(
        id="demand", title=Text("Demand and substitution", "需求与替代"),
        intro=Text(
            "EV batteries from IEA sales and pack sizes, storage and portables; chemistry mixes "
            "follow S-curves for LFP, LMFP, sodium-ion and high-nickel cells (report 5.1, and "
            "5.2 built as the report's title announces).",
            "电动车电池由国际能源署销量与电池包容量推算，另含储能与便携电池；化学体系份额按磷酸"
            "铁锂、磷酸锰铁锂、钠离子与高镍的S形曲线演变（报告5.1，并按5.2标题补建）。"),
        blocks=(
            Figure(charts.stacked_area(YEARS, medians, "kt Co/yr",
                                       "Refined cobalt for batteries by chemistry (P50)",
                                       total=total),
                   Text("Cobalt for new batteries, world, by chemistry (median), with the "
                        "P10–P90 band of the total.",
                        "全球新增电池用钴（按化学体系，中位数）及总量的 P10–P90 区间。")),
            Figure(charts.fan_chart(YEARS, {"EV batteries": ev}, "GWh/yr",
                                    "New EV battery capacity, world"),
                   Text("New EV battery capacity, world.", "全球新增电动车电池容量。")),
            Figure(charts.fan_chart(YEARS, {"LFP family": lfp}, "% of EV GWh",
                                    "LFP and LMFP share of new EV batteries, world"),
                   Text("LFP-family share of new EV batteries (report 2024: 41.7 %).",
                        "磷酸铁锂类电池在新增电动车电池中的份额（报告2024年：41.7%）。")),
            TableBlock(run.substitution,
                       Text("Hydroxide demand (contained cobalt) and battery cobalt under each "
                            "substitution path, t/yr.",
                            "各替代路径下的氢氧化钴需求（钴金属量）与电池用钴，吨/年。"),
                       columns={"variant": Text("Variant", "情景")},
                       formats={c: (".0%" if c.startswith("lfp") else ",.0f")
                                for c in run.substitution.columns if c != "variant"}),
        ))


def _supply(run: OutlookRun) -> Section:
    supply = _band(run, "world_supply", KT)
    demand = _band(run, "world_demand", KT)
    balance = _band(run, "world_balance", KT)
    utilisation = _band(run, "utilisation")
    imports = _band(run, "imports", KT)
    hydroxide = _band(run, "hydroxide_demand_metal", KT)
    capacity = _band(run, "hydroxide_capacity", KT)
    quota = float(run.scenario.parameters["world.drc_quota"].value)  # type: ignore[arg-type]
    return Section(
        id="supply", title=Text("Supply, balance and utilisation", "供应、平衡与产能利用"),
        intro=Text(
            f"World mine supply (USGS MCS 2025) with the DRC export quota of {quota:,.0f} t in "
            "2026 and 2027, plus recycling, against world demand; China's hydroxide demand "
            "against its capacity, read as contained cobalt.",
            f"全球矿山供应（USGS 2025）计入刚果(金)2026–2027年{quota / 1e4:.2f}万吨"
            "出口配额及回收量，对比全球需求；中国氢氧化钴需求对比其产能（按钴金属量理解）。"),
        blocks=(
            Figure(charts.balance_chart(YEARS, supply, demand, None, "kt Co/yr",
                                        "World cobalt supply and demand", balance=balance),
                   Text("World supply and demand with the surplus or deficit below.",
                        "全球钴供应与需求，下方为盈余或缺口。")),
            Figure(charts.utilisation_chart(YEARS, *utilisation,
                                            "China hydroxide capacity utilisation",
                                            reference=0.634,
                                            reference_label="Report 2024"),
                   Text("Hydroxide demand over capacity (report 2024: 63.4 %).",
                        "氢氧化钴需求与产能之比（报告2024年：63.4%）。")),
            Figure(charts.fan_chart(YEARS, {"Hydroxide demand": hydroxide,
                                            "Hydroxide capacity": capacity,
                                            "Imports": imports}, "kt Co/yr",
                                    "China: hydroxide demand, capacity and imports"),
                   Text("China's hydroxide demand, capacity and intermediate imports.",
                        "中国氢氧化钴需求、产能与中间品进口。")),
        ))


def _recycling(run: OutlookRun) -> Section:
    recycled = _band(run, "recycled_cobalt", KT)
    end_of_life = _band(run, "end_of_life_cobalt", KT)
    dependence = _band(run, "import_dependence")
    return Section(
        id="recycling", title=Text("Recycling and import dependence", "回收与进口依赖"),
        intro=Text(
            "Recycled cobalt from a dynamic stock model of batteries in use (Weibull lifetimes, "
            "collection and recovery rising towards the EU Annex XII level) and manufacturing "
            "scrap; recycled supply never exceeds end-of-life flows plus scrap.",
            "再生钴来自在用电池的动态存量模型（韦布尔寿命，回收与回收率向欧盟附件十二水平提升）"
            "及生产废料；再生供应从不超过报废量与废料之和。"),
        blocks=(
            Figure(charts.fan_chart(YEARS, {"End-of-life cobalt": end_of_life,
                                            "Recycled cobalt": recycled}, "kt Co/yr",
                                    "China: end-of-life and recycled cobalt"),
                   Text("Cobalt in end-of-life batteries and recycled cobalt (report 2024: "
                        "19 kt recycled).",
                        "报废电池中的钴与再生钴（报告2024年再生钴：1.9万吨）。")),
            Figure(charts.fan_chart(YEARS, {"Import dependence": dependence}, "share",
                                    "China: imports over total cobalt supply"),
                   Text("Import dependence: imports over imports, recycling and mine output.",
                        "进口依赖度：进口量占进口、回收与国内矿产之和的比例。")),
        ))


def _stress(run: OutlookRun) -> Section:
    from valueloop.reports.cobalt_outlook import STRESS_HORIZON, stress_table

    figures = []
    for package, caption in (("none", Text("without mitigation", "无缓解措施")),
                             ("combined", Text("with recycling, diversification and a "
                                               "strategic stock", "采取回收、多元化与战略储备"))):
        days = run.stress.packages[package].inventory_days
        curves = {case: tuple(np.quantile(days[:, k], (0.1, 0.5, 0.9), axis=0))
                  for k, case in enumerate(run.stress.cases)}
        figures.append(Figure(
            charts.inventory_curves(np.arange(1, STRESS_HORIZON + 1), curves,
                                    run.stress.warning_days,
                                    f"Inventory cover of China's refiners ({package})",
                                    period_label="Month from January 2025"),
            Text(f"Inventory days by stress case, {caption.en}.",
                 f"各压力情景下的库存天数（{caption.zh}）。")))
    return Section(
        id="stress", title=Text("Stress tests", "压力测试"),
        intro=Text(
            "Monthly simulation of China's stock of cobalt intermediates under named "
            "disruptions, including the DRC's real 2025 export suspension and quotas "
            "(report 1.2 and 5.3; 5.3 built as its title announces).",
            "按月模拟中国钴中间品库存在各类扰动下的变化，含刚果(金)2025年实际的出口暂停与配额"
            "（报告1.2与5.3；5.3按标题补建）。"),
        blocks=(*figures, TableBlock(
            stress_table(run.stress),
            Text("Lowest cover, months below the 15-day line, shortfall, recovery and peak "
                 "price multiplier.",
                 "最低库存天数、低于15天警戒线的月数、缺口量、恢复时间与价格峰值倍数。"),
            columns=STRESS_COLUMNS,
            formats={"min_days_p50": ",.1f", "months_below_p50": ",.0f",
                     "shortfall_p10": ",.0f", "shortfall_p50": ",.0f", "shortfall_p90": ",.0f",
                     "recovery_months_p50": ",.0f", "price_peak_p10": ",.2f",
                     "price_peak_p90": ",.2f"})))


def _routes(run: OutlookRun) -> Section:
    from valueloop.reports.cobalt_outlook import routes_table

    return Section(
        id="routes", title=Text("Operating models of the main origins", "主要产区运营模式"),
        intro=Text(
            "Risk-adjusted landed cost and footprint per tonne of cobalt delivered to China: "
            "DRC hydroxide, Indonesian MHP and other origins (report 4.1 and 4.2).",
            "运抵中国每吨钴的风险调整到岸成本与碳足迹：刚果(金)氢氧化钴、印尼MHP及其他产地"
            "（报告4.1与4.2）。"),
        blocks=(TableBlock(routes_table(run.routes),
                           Text("Landed cost, risk-adjusted cost and footprint by route.",
                                "各路线的到岸成本、风险调整成本与碳足迹。"),
                           columns={"route": Text("Route", "路线"),
                                    "quantity": Text("Quantity", "指标"),
                                    "unit": Text("Unit", "单位")},
                           formats={"p10": ",.1f", "p50": ",.1f", "p90": ",.1f"}),))


def _closed_loop(run: OutlookRun) -> Section:
    from valueloop.reports.cobalt_outlook import closed_loop_table

    return Section(
        id="closed-loop", title=Text("Closed loop: obligations and supply risk",
                                     "闭环：法定义务与供应风险"),
        intro=Text(
            "The EU Battery Regulation's recycled-content minima and recovery targets as the "
            "regulation states them (the report dates the 16 % cobalt minimum from 2027; Art. 8 "
            "applies it from 18 August 2031), and how a growing recycled share dilutes import "
            "concentration and the price effect of primary supply shocks.",
            "按法规原文给出欧盟电池法规的再生料最低含量与回收率目标（报告称16%的钴最低比例自2027年"
            "起适用，而第8条规定自2031年8月18日起适用），以及再生份额上升如何降低进口集中度和一次"
            "供应冲击对价格的影响。"),
        blocks=(TableBlock(
            closed_loop_table(run),
            Text("By year: Art. 8 minimum, Annex XII recovery, recycled share, HHI and relative "
                 "price volatility.",
                 "逐年：第8条最低比例、附件十二回收率、再生份额、赫芬达尔指数与相对价格波动。"),
            columns={"year": Text("Year", "年份"),
                     "art8_cobalt_minimum": Text("Art. 8 cobalt minimum", "第8条钴最低比例"),
                     "annex_xii_recovery": Text("Annex XII recovery", "附件十二回收率"),
                     "recycled_share_p50": Text("Recycled share, P50", "再生份额 P50"),
                     "hhi_import_origins": Text("HHI, import origins", "进口来源HHI"),
                     "hhi_with_recycling": Text("HHI, with recycling", "含再生的HHI"),
                     "price_volatility_vs_none_p50": Text("Price volatility vs none, P50",
                                                          "相对无回收的价格波动 P50")},
            formats={"year": "g", "art8_cobalt_minimum": ".1%", "annex_xii_recovery": ".0%",
                     "recycled_share_p50": ".1%", "hhi_import_origins": ",.0f",
                     "hhi_with_recycling": ",.0f", "price_volatility_vs_none_p50": ".2f"}),),
    )


def _drivers(run: OutlookRun) -> Section:
    drivers = run.drivers
    output = drivers.output
    return Section(
        id="drivers", title=Text("What drives the outlook", "驱动因素"),
        intro=Text(
            f"First-order and total Sobol' indices of {output} in 2030 (Saltelli design, "
            f"{drivers.evaluations:,} model runs).",
            f"{output}（2030年）的一阶与总Sobol'指数（Saltelli设计，{drivers.evaluations:,}次"
            "模型运行）。"),
        blocks=(Figure(charts.driver_bars(list(drivers.factors), drivers.S1, drivers.ST,
                                          f"Drivers of {output} in 2030",
                                          s1_conf=drivers.S1_conf, st_conf=drivers.ST_conf,
                                          top=15),
                       Text("The fifteen inputs with the largest total index.",
                            "总指数最大的十五个输入。")),))


def _backtest(run: OutlookRun) -> Section:
    year = run.backtest.start_year
    return Section(
        id="backtest", title=Text("Backtest", "回测"),
        intro=Text(
            f"The same kernels run from {year} with only the information of {year} (sales "
            "trend, the report's 2020 LFP share, the outlook's priors), scored against what "
            "followed. Skill compares with a forecast that holds the start-year value.",
            f"用{year}年可得的信息（销量趋势、报告2020年磷酸铁锂份额、本展望的先验分布）从{year}"
            "年起运行同一组计算核，并与随后的实际值比较。技能分与“保持起始年数值不变”的预测"
            "相比较。"),
        blocks=(
            TableBlock(run.backtest.scores,
                       Text("Error metrics by target.", "各目标的误差指标。"),
                       columns=BACKTEST_COLUMNS,
                       formats={"mape": ".1%", "bias": "+.1%", "rmse": ",.4g",
                                "coverage_p10_p90": ".0%", "naive_mape": ".1%",
                                "skill": "+.2f"}),
            *_backtest_finding(run),
        ))


def _backtest_finding(run: OutlookRun) -> tuple[Callout, ...]:
    """A note on EV-sales forecasts whose bands missed what followed, when that is the result."""
    scores = [r for r in run.backtest.scores.records()
              if str(r["target"]).startswith("ev_sales")]
    missed = [r for r in scores if float(r["coverage_p10_p90"]) < 0.5]  # type: ignore[arg-type]
    if not missed:
        return ()
    names = ", ".join(str(r["target"]).removeprefix("ev_sales.") for r in missed)
    return (Callout("info", Text(
        f"EV-sales trend forecasts made in {run.backtest.start_year} kept fewer than half of the "
        f"actual values inside their P10-P90 band ({names}): growth turned out outside the "
        "sampled range. The outlook's own sales uncertainty is wider than this backtest's.",
        f"{run.backtest.start_year}年基于趋势的电动车销量预测，其P10–P90区间内的实际值不足一半"
        f"（{names}）：实际增速超出了抽样范围。本展望对销量设定了更宽的不确定性。")),)


def _claims(run: OutlookRun) -> Section:
    merged = run.claims[0].combined(run.claims[1:])
    return Section(
        id="claims", title=Text("The report's figures, recomputed", "源报告数据复核"),
        intro=Text(
            "Each figure the report derives, recomputed from the report's own inputs, from the "
            "sources it cites, or compared with this model. 'Agrees within rounding' means the "
            "difference disappears when the rounded inputs are varied within their last digit.",
            "对报告推导出的每个数据，用其自身输入或所引来源复算，或与本模型比较。“在舍入误差内"
            "一致”指在输入末位数字的舍入范围内变化时差异消失。"),
        blocks=(TableBlock(merged.table(),
                           Text("Stated against computed figures, chapters 1, 4 and 5.",
                                "第1、4、5章陈述值与计算值对比。"),
                           formats={"stated": ",.4g", "computed": ",.4g", "rel_diff": "+.1%"}),))


def _method() -> Section:
    return Section(
        id="method", title=Text("Method and limits", "方法与局限"),
        blocks=(
            Paragraph(Text(
                "The report states China's hydroxide capacity (18.6 万吨) and consumption "
                "(11.8 万吨) as hydroxide tonnes, but they agree with its imports (12.4 万吨 of "
                "contained cobalt) and its own 12.3 万吨 derivation only as contained cobalt. "
                "This outlook reads them as contained cobalt; the override 'report-literal' "
                "reads them as hydroxide at 31 % Co.",
                "报告将中国氢氧化钴产能（18.6万吨）与消费量（11.8万吨）表述为氢氧化钴实物吨，但"
                "它们只有按钴金属量理解时，才与其进口量（12.4万吨金属量）及其自身推算的12.3万吨"
                "一致。本展望按钴金属量理解；情景覆盖“report-literal”则按含钴31%的实物吨理解。")),
            Paragraph(Text(
                "Every input carries a source or is marked as our assumption with its reason "
                "(valueloop sources). Not yet included: a backtest of the model against "
                "2021–2024 actuals, and trade flows beyond China's imports.",
                "每个输入都注明来源，或标为本项目的假设并说明理由（valueloop sources）。尚未包括："
                "对2021–2024年实际值的回测，以及中国进口以外的贸易流。")),
        ))
