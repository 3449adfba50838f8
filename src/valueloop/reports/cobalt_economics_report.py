"""The HTML of the cobalt economics job, in English and Simplified Chinese.

Every table of the job is shown with a caption in both languages; :data:`CAPTIONS` gives the
Chinese for each table by the start of its English title, and :func:`caption` refuses a table it
does not know, so a new table cannot reach the report untranslated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from valueloop.core.tables import Table
from valueloop.reports import outlook_charts
from valueloop.reports.carbon_tables import carbon_charts, carbon_tables
from valueloop.reports.cost_tables import (
    balance_table,
    bands_table,
    breakdown_table,
    breakeven_table,
    cost_charts,
    margin_path_table,
    scale_fit_table,
    scale_table,
    shares_table,
)
from valueloop.reports.energy_tables import energy_charts
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
from valueloop.reports.investment_tables import investment_charts, investment_tables
from valueloop.reports.location_tables import location_charts

if TYPE_CHECKING:
    from valueloop.reports.cobalt_economics import EconomicsRun

CAPTIONS: Mapping[str, str] = MappingProxyType({
    # cost
    "Life-cycle cost per t of contained cobalt": "每吨钴金属量的全生命周期成本（基准情景）",
    "Cost shares of the full cost": "各成本项占完全成本的比例（基准情景）",
    "Break-even": "盈亏平衡（u* = F/(Q(P−v))，P* = v + F/(uQ)）、毛利与工厂净现值（基准情景）",
    "Uncertainty bands": "不确定性区间（P10/P50/P90）",
    "Full cost per t Co by plant capacity": "不同产能规模下每吨钴的完全成本（规模定律）",
    "Report 2.3 management cost by capacity":
        "报告2.3节各产能档的管理成本：报告值、拟合定律与六成法则",
    "Margin per year under the price path": "价格路径下的年度毛利（基准情景）",
    "Cobalt balance per t of product": "每吨产品的钴平衡（投入原料、产出产品与损失）",
    "Sobol' indices": "Sobol'敏感性指数",
    # carbon 3.1
    "Footprint by route and component": "分路线、分来源的碳足迹（每吨；基准情景及P10/P50/P90）",
    "Scope 2 electricity by route": "分路线的范围二电力排放：基于位置与基于市场（每吨钴）",
    "Carbon cost by route": "分路线的碳成本（每吨钴）",
    "CBAM WHAT-IF": "CBAM假设测算（钴与铜目前并非CBAM覆盖产品）",
    "Battery contribution by route and chemistry":
        "分路线、分电池化学体系的碳足迹贡献（kgCO2e/kWh）",
    # energy 4.3
    "Energy use per t of cobalt hydroxide": "每吨氢氧化钴能耗与最佳实践对比（报告4.3）",
    "Energy-saving measures": "各项节能措施（单独实施）",
    "Marginal abatement cost curve": "节能措施的边际减排成本曲线",
    "Energy target path": "每吨产品的能耗目标路径",
    "Energy benchmark inputs": "能耗对标输入及其来源",
    # environment 3.2
    "Environmental cost per t of product": "新旧环保规则下每吨产品的环保成本（报告3.2）",
    "Report 3.2 figures": "报告3.2节数据与其输入推算结果对比",
    "Environmental-cost inputs": "环保成本输入及其来源",
    # location 1.3
    "Sites: today and optimum": "产地：现状布局与最优布局",
    "Cost per t: today and optimum": "每吨成本：现状布局与最优布局",
    "Optimal flows": "最优布局下的供货流向",
    "Optimal layout by carbon price": "不同碳价下的最优布局",
    # investment, chapter 6
    "Investment cases: NPV, IRR and payback": "投资案例：净现值、内部收益率与回收期",
    "6.1 Risk thresholds": "6.1 风险阈值：净现值转为零的临界点",
    "6.2 Green power: NPV by start year": "6.2 绿电：不同开工年份与价格路径下的净现值（基准情景）",
    "6.2 Green power: probability": "6.2 绿电：各开工年份净现值为正的概率",
    "6.3 Recycling network": "6.3 回收网络：投资方回报与公共成本",
    "ESG rating class": "ESG评级：债务成本与净现值",
    "Cash flow:": "现金流量表",
    "Tornado of NPV": "净现值龙卷风图数据",
    # claims
    "claims detail": "报告数据复核明细",
})
"""Chinese caption of each table, keyed by the start of its English title."""


_REPORT_RESITING_SAVING = (1_800.0, 2_300.0)
"""CNY/t: the re-siting saving report 1.3 states (CNIA model)."""


def caption(table: Table) -> Text:
    """The bilingual caption of a table of the job (its title, and the Chinese for it)."""
    for start, chinese in CAPTIONS.items():
        if table.title.startswith(start):
            return Text(table.title, chinese)
    raise KeyError(f"no Chinese caption for the table {table.title!r}; add it to CAPTIONS")


def _blocks(tables: Iterable[Table], formats: Mapping[str, str] | None = None
            ) -> tuple[TableBlock, ...]:
    blocks = []
    for table in tables:
        shown = {c: s for c, s in (formats or {}).items() if c in table.columns}
        blocks.append(TableBlock(table, caption(table), formats=shown,
                                 notes=tuple(Text(n, n) for n in table.notes)))
    return tuple(blocks)


def build_report(run: EconomicsRun, *, generated: str) -> Report:
    cost = run.cost
    samples = cost.study.n if cost.study is not None else 0
    return Report(
        title=Text("Cobalt hydroxide: cost, carbon, finance and location by process route",
                   "氢氧化钴：分工艺路线的成本、碳排放、融资与选址"),
        subtitle=Text(
            "Life-cycle cost, break-even, footprints, CBAM what-if, environmental and energy "
            "benchmarks, investment cases and the optimal layout, with the seed report's "
            "figures recomputed",
            "全生命周期成本、盈亏平衡、碳足迹、CBAM假设测算、环保与能耗对标、投资案例与最优布局，"
            "并复算源报告数据"),
        meta=(MetaRow(Text("Scenario", "情景"), cost.scenario.label),
              MetaRow(Text("Samples", "样本数"),
                      f"{samples:,} (seed {cost.study.seed if cost.study else 0})"),
              MetaRow(Text("Model", "模型"), cost.model.name)),
        sections=(_summary(run), _costs(run), _drivers(run), _carbon(run), _environment(run),
                  _energy(run), _investment(run), _location(run), _claims(run), _method(run)),
        generated=generated,
    )


def _p50(run: EconomicsRun, output: str, route: str, scale: float) -> tuple[str, str]:
    cost = run.cost
    if cost.study is None:
        return f"{float(cost.value(output, route)) / scale:,.1f}", ""
    p10, p50, p90 = (q[cost.index(route)] / scale for q in cost.study.quantiles(output))
    return f"{p50:,.1f}", f"{p10:,.1f} – {p90:,.1f}"


def _summary(run: EconomicsRun) -> Section:
    figures = []
    for route, en, zh in (("hydromet", "Hydrometallurgy", "湿法冶炼"),
                          ("recycling", "Battery recycling", "电池回收")):
        value, band = _p50(run, "full_cost", route, 1e4)
        figures.append(KeyFigure(Text(f"{en}: full cost", f"{zh}：完全成本"), value,
                                 "万元/t Co", band))
    value, band = _p50(run, "footprint", "hydromet", 1.0)
    figures.append(KeyFigure(Text("Hydrometallurgy: footprint", "湿法冶炼：碳足迹"), value,
                             "tCO2e/t Co", band))
    saving = run.location.comparison.variable_saving_per_t
    figures.append(KeyFigure(Text("Re-siting saving (operating)", "重新布局节约（运营）"),
                             f"{saving:,.0f}", "元/t"))
    claims = run.claims
    return Section(
        id="summary", title=Text("Summary", "摘要"),
        intro=Text("Medians (P50) with P10–P90 ranges over all sampled inputs; per tonne of "
                   "contained cobalt.",
                   "给出所有抽样输入下的中位数（P50）及P10–P90区间；按每吨钴金属量计。"),
        blocks=(KeyFigures(figures), Callout("warning", Text(
            f"{claims.n_disagrees} of {len(claims.results)} figures of sections 1.3, 2 and 3 do "
            "not follow from the report's own inputs; see the claims section.",
            f"报告1.3节及第2、3章的 {len(claims.results)} 个数据中，有 {claims.n_disagrees} 个"
            "无法由报告自身输入推出；详见“数据复核”一节。"))))


def _costs(run: EconomicsRun) -> Section:
    cost = run.cost
    svgs = cost_charts(cost)
    money = {"p10": ",.4g", "p50": ",.4g", "p90": ",.4g", "baseline": ",.4g"}
    return Section(
        id="costs", title=Text("Life-cycle cost and break-even by route",
                               "分工艺路线的全生命周期成本与盈亏平衡"),
        intro=Text(
            "Hydrometallurgy, pyrometallurgy, bioleaching and battery recycling (report 2.1–2.3)."
            " Totals are built from the inputs; where the report states different totals, the "
            "claims section says by how much.",
            "湿法、火法、生物冶金与电池回收（报告2.1–2.3节）。总额由各项输入计算得出；报告所述总额"
            "与之不同时，差异见“数据复核”一节。"),
        blocks=(
            Figure(svgs["breakdown"], Text("Life-cycle cost per t Co by component.",
                                           "按成本项划分的每吨钴全生命周期成本。")),
            *_blocks([breakdown_table(cost), shares_table(cost), breakeven_table(cost)]),
            *_blocks([bands_table(cost)], money),
            Figure(svgs["scale"], Text("Full cost against plant capacity (scale law).",
                                       "完全成本随工厂产能的变化（规模定律）。")),
            *_blocks([scale_table(cost), scale_fit_table()]),
            Figure(svgs["margin"], Text("Plant margin per year under the price path.",
                                        "价格路径下工厂的年度毛利。")),
            *_blocks([margin_path_table(cost), balance_table(cost)]),
        ))


def _drivers(run: EconomicsRun) -> Section:
    blocks = []
    for result in run.drivers:
        blocks.append(Figure(
            outlook_charts.driver_bars(list(result.factors), result.S1, result.ST,
                                       f"Drivers of {result.output} (hydromet)",
                                       s1_conf=result.S1_conf, st_conf=result.ST_conf, top=12),
            Text(f"First-order and total Sobol' indices of {result.output}, hydromet route "
                 f"({result.evaluations:,} model runs); the twelve largest.",
                 f"湿法路线{result.output}的一阶与总Sobol'指数（{result.evaluations:,}次模型运行）；"
                 "列出最大的十二个。")))
    return Section(id="drivers", title=Text("What drives cost, footprint and NPV",
                                            "成本、碳足迹与净现值的驱动因素"),
                   blocks=tuple(blocks))


def _carbon(run: EconomicsRun) -> Section:
    svgs = carbon_charts(run.carbon)
    figures = tuple(Figure(svg, Text(f"Carbon: {name}.", f"碳排放：{name}。"))
                    for name, svg in svgs.items())
    return Section(
        id="carbon", title=Text("Carbon footprint, carbon cost and the CBAM what-if",
                                "碳足迹、碳成本与CBAM假设测算"),
        intro=Text(
            "Electricity by province with location- and market-based factors, steam, fuels, "
            "reagents, process emissions, waste treatment and transport (report 3.1). CBAM does "
            "not cover cobalt or copper today: its figures are a what-if.",
            "按省份计算电力排放（基于位置与基于市场两种因子），并计入蒸汽、燃料、试剂、工艺排放、"
            "废物处理与运输（报告3.1节）。CBAM目前不覆盖钴和铜：相关数据仅为假设测算。"),
        blocks=(*figures, *_blocks(carbon_tables(run.carbon))))


def _environment(run: EconomicsRun) -> Section:
    return Section(
        id="environment", title=Text("Environmental-cost internalisation shock",
                                     "环保成本内部化冲击"),
        intro=Text("Old against new rules for wastewater, residue and the environmental "
                   "protection tax, and their effect on margins (report 3.2).",
                   "废水、废渣与环境保护税的新旧规则对比及其对利润率的影响（报告3.2节）。"),
        blocks=_blocks(run.environment))


def _energy(run: EconomicsRun) -> Section:
    figures = tuple(Figure(svg, Text(f"Energy: {name}.", f"能耗：{name}。"))
                    for name, svg in energy_charts().items())
    return Section(
        id="energy", title=Text("Energy benchmarking against best practice", "能耗对标"),
        intro=Text("Unit electricity, steam and total energy against Japanese and Korean "
                   "plants, savings per measure, abatement cost and a target path (report 4.3).",
                   "单位电耗、汽耗与综合能耗对标日韩企业，各项措施的节能量、减排成本与目标路径"
                   "（报告4.3节）。"),
        blocks=(*figures, *_blocks(run.energy)))


def _investment(run: EconomicsRun) -> Section:
    figures = tuple(Figure(svg, Text(f"Investment: {name}.", f"投资：{name}。"))
                    for name, svg in investment_charts(run.investment).items())
    return Section(
        id="investment", title=Text("Investment cases of chapter 6", "第6章投资案例"),
        intro=Text(
            "6.1 vertical integration (payback and risk thresholds), 6.2 the window of "
            "green-power-coupled hydrometallurgy, 6.3 a regional recycling network with public "
            "support; NPV at a real after-tax WACC, IRR with its root status.",
            "6.1纵向一体化（回收期与风险阈值），6.2绿电耦合湿法冶金的可行窗口期，6.3政企协同的区域"
            "回收网络；净现值按税后实际加权平均资本成本折现，内部收益率注明根的情况。"),
        blocks=(*figures, *_blocks(investment_tables(run.investment))))


def _location(run: EconomicsRun) -> Section:
    figures = tuple(Figure(svg, Text(f"Location: {name}.", f"选址：{name}。"))
                    for name, svg in location_charts(run.location).items())
    comparison = run.location.comparison
    # the report's stated saving range (1.3) as shares of the price the location model uses
    low, high = (100 * saving / comparison.price for saving in _REPORT_RESITING_SAVING)
    return Section(
        id="location", title=Text("Where capacity should be: the location optimum",
                                  "产能应布局何处：选址最优解"),
        intro=Text(
            "A capacitated facility-location MILP over provinces and downstream demand clusters "
            "(report 1.3): today's layout against the optimum, and how the optimum moves with "
            "the carbon price.",
            "基于省份与下游需求集群的带容量约束选址混合整数规划（报告1.3节）：现状布局与最优布局"
            "对比，以及最优布局随碳价的变化。"),
        blocks=(
            Callout("info", Text(
                f"Moving output to the optimum saves {comparison.variable_saving_per_t:,.0f} "
                f"CNY/t in operating cost ({100 * comparison.variable_saving_share:.2f} % of the "
                f"price); the report's 1,800–2,300 CNY/t would be {low:.1f}–{high:.1f} % of its "
                "price, not 8.7–11.1 % (report 1.3).",
                f"将产量移至最优布局可节约运营成本 {comparison.variable_saving_per_t:,.0f} 元/吨"
                f"（占价格的 {100 * comparison.variable_saving_share:.2f}%）；报告所称1,800–2,300"
                f"元/吨仅占其价格的{low:.1f}–{high:.1f}%，而非8.7–11.1%（报告1.3节）。")),
            *figures, *_blocks(run.location.tables())))


def _claims(run: EconomicsRun) -> Section:
    table = run.claims.table()
    return Section(
        id="claims", title=Text("The report's figures, recomputed", "源报告数据复核"),
        intro=Text(
            "Each figure sections 1.3, 2 and 3 derive, recomputed from the report's own inputs. "
            "'Agrees within rounding' means the difference disappears when the rounded inputs "
            "vary within their last digit.",
            "报告1.3节及第2、3章推导出的每个数据，均用报告自身输入复算。“在舍入误差内一致”指输入"
            "在末位数字舍入范围内变化时差异消失。"),
        blocks=(TableBlock(table, Text("Stated against computed figures, sections 1.3, 2, 3.",
                                       "1.3节及第2、3章陈述值与计算值对比。"),
                           formats={"stated": ",.4g", "computed": ",.4g",
                                    "rel_diff": "+.1%"}),))


def _method(run: EconomicsRun) -> Section:
    # what the report's price would be, per t of Co, if its tonnes were tonnes of hydroxide
    cost = run.cost
    hydromet = cost.routes.index("hydromet") if "hydromet" in cost.routes else 0
    route = cost.model.axis_labels["route"][hydromet]  # type: ignore[index]
    price = float(cost.scenario.parameters["cobalt.process.product_price"].value)
    feed = float(cost.scenario.parameters[f"cobalt.process.{route}.feed_price"].value)
    content = float(cost.scenario.parameters[
        f"cobalt.process.{route}.product_co_content"].value)
    ratio = price / content / feed
    return Section(
        id="method", title=Text("Method and limits", "方法与局限"),
        blocks=(
            Paragraph(Text(
                "Costs are per tonne of contained cobalt: read per tonne of hydroxide, the "
                f"report's {price / 1e4:.1f} 万元/t price would be {ratio:.1f} times its "
                f"{feed / 1e4:.1f} 万元/t import price of the cobalt in the feed. Every input "
                "carries a source or is marked as our "
                "assumption with its reason (valueloop sources; valueloop scenario show "
                "valueloop:cobalt-process-routes).",
                "成本均按每吨钴金属量计：若按每吨氢氧化钴实物计，报告的"
                f"{price / 1e4:.1f}万元/吨价格将是其原料中钴的进口价{feed / 1e4:.1f}万元/吨的"
                f"{ratio:.1f}倍。每个输入均注明来源，或标为本项目的假设并说明理由"
                "（valueloop sources；"
                "valueloop scenario show valueloop:cobalt-process-routes）。")),
            Paragraph(Text(
                "Footprints are gate-to-gate (the plant and its purchased inputs); the mining "
                "behind primary feeds is outside, so they do not rank routes cradle-to-gate. "
                "Grid factors are the MEE 2022 provincial averages as transcribed in public "
                "sources, pending a check against the MEE annex.",
                "碳足迹为“大门到大门”（工厂及其外购投入）；原生原料背后的采矿不在边界内，"
                "因此不能据此按“摇篮到大门”对路线排序。电网因子为公开来源转录的生态环境部2022年省级平均值，"
                "有待与官方附件核对。")),
        ))
