"""The materials report of one requirement: device targets, selection and design, in HTML and Excel.

:func:`run_materials` selects from the materials database and (unless told not to) designs
compositions for one requirement; :func:`write_materials` writes ``report.html`` (English and
Simplified Chinese, the language switch of :mod:`valueloop.reports.html`) and ``results.xlsx``
(every table, all rows) into a folder. The report has four sections:

1. **device**: the template, the device specification as given (or defaulted), the material
   targets with the physics that produced them, and the objectives;
2. **selection**: status counts, per-constraint counts, the best-ranked candidates with each
   property's value and origin, the Pareto front and the Ashby chart in each language (the page
   shows the one of the language chosen);
3. **design**: the search settings and first-feasible timing, the candidates with predictions,
   90 % intervals and flags, their recipes, how each target was treated (and what was not
   designed for) and the trade-off chart;
4. **method**: ranking rules, the property models and their model card, and the data sources.

The HTML tables are column subsets of the result tables of
:mod:`valueloop.materials.selection_tables` and :mod:`valueloop.materials.design_tables`, so a
number in the page is the number in the workbook. Bilingual words come from
:mod:`valueloop.reports.materials_text`.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from valueloop.core.db import Database
from valueloop.core.errors import OptionError
from valueloop.core.tables import Table, write_xlsx
from valueloop.materials.ashby import ashby_figure, cjk_font
from valueloop.materials.design import DesignResult, DesignSettings, design
from valueloop.materials.design_plan import DesignError
from valueloop.materials.design_tables import (
    candidates_table,
    recipe_table,
    search_table,
    tradeoff_chart,
    treatment_table,
)
from valueloop.materials.importers import GORSSE_CITATION, GRADES_FILE
from valueloop.materials.properties import FORMULA, PROCESS_COLUMNS, AlloyTable
from valueloop.materials.property_models import MODEL_VERSION, PropertyModel
from valueloop.materials.requirement import Requirement
from valueloop.materials.selection_tables import (
    RANKING_NOTE,
    STATE_NOTE,
    SelectionRun,
    constraints_table,
    pareto_table,
    ranked_table,
    run_selection,
    status_counts,
)
from valueloop.materials.translate import template_fields
from valueloop.reports.html import (
    Block,
    Callout,
    Figure,
    KeyFigure,
    KeyFigures,
    MetaRow,
    Paragraph,
    Report,
    Section,
    TableBlock,
    format_number,
    scoped_svg,
    write_report,
)
from valueloop.reports.i18n import HTML_LANG, Lang, Text
from valueloop.reports.materials_text import (
    VALUES,
    caption,
    column_label,
    device_field,
    note,
    template_name,
)
from valueloop.reports.outlook_charts import figure_svg

REPORT_FILE, RESULTS_FILE = "report.html", "results.xlsx"
_KEY_PREFIXES = {"gorsse": "Gorsse et al. 2023", "grade": "copper grade reference table"}
"""Material key prefixes of :mod:`valueloop.materials.importers`, by dataset."""
_OTHER = "other imported materials"
_SOURCES: Mapping[str, Text] = {
    "Gorsse et al. 2023": Text("Gorsse et al. 2023 (experimental records)",
                               "Gorsse 等 2023（实验记录）"),
    "copper grade reference table": Text("valueloop copper grade reference table",
                                         "valueloop 铜合金牌号参考表"),
    _OTHER: Text(_OTHER, "其他导入的材料"),
    "CC BY 4.0": Text("CC BY 4.0 (attribution required)", "CC BY 4.0（须署名）"),
    "per row": Text("facts from public data sheets, each row credits its source and URL",
                    "取自公开数据表的事实数据，逐行注明来源与网址"),
    "as imported": Text("as stated in each record's source", "见各记录所注来源"),
}
_COMPUTED_NOTE = Text(
    "Reasons of the targets, notes of the search, shortfalls and sources are texts valueloop "
    "computes from the numbers; they are shown as computed, in English.",
    "指标依据、搜索说明、差距与数据来源等文字由 valueloop 根据数值计算生成，按原文（英文）显示。")
_WORKBOOK_NOTE = Text(f"Every row, with each value's bounds, source and URL: {RESULTS_FILE}.",
                      f"全部行及每个数值的上下界、来源与网址见 {RESULTS_FILE}。")


@dataclass(frozen=True)
class MaterialsRun:
    """A requirement's selection and design, with what the report needs to show them."""

    requirement: Requirement
    selection: SelectionRun
    training: AlloyTable
    """The rows the property models were trained on (design defaults, trade-off chart)."""
    top: int
    """Rows of the ranked, Pareto and design tables shown in the page (the workbook has all)."""
    device: Mapping[str, object] = field(default_factory=dict)
    """The requirement file's ``[device]`` table as given (empty without one)."""
    axes: tuple[str, str] | None = None
    """Ashby chart axes (property keys), or ``None`` for no chart."""
    settings: DesignSettings | None = None
    """Design settings; ``None`` when the design was not asked for."""
    design: DesignResult | None = None
    design_error: str | None = None
    """Why the design could not run (a :class:`DesignError`), when it could not."""


def run_materials(database: Database, requirement: Requirement,
                  models: Mapping[str, PropertyModel], training: AlloyTable, *, top: int,
                  device: Mapping[str, object] | None = None,
                  axes: tuple[str, str] | None = None,
                  settings: DesignSettings | None = None) -> MaterialsRun:
    """Select for ``requirement`` from ``database`` and design for it (unless ``settings`` is None).

    Parameters
    ----------
    database
        A materials database holding at least one material.
    requirement
        Constraints and objectives.
    models
        Property models (selection predictions and design).
    training
        The rows ``models`` were trained on.
    top
        Rows shown in the page per ranked table.
    device
        The ``[device]`` table of the requirement file, as given.
    axes
        Ashby chart axes; read as extra candidate columns.
    settings
        Design settings, or ``None`` to skip the design.
    """
    selection = run_selection(database, requirement, models, extra_keys=axes or ())
    result, error = None, None
    if settings is not None:
        try:
            result = design(requirement, models, settings=settings, table=training)
        except DesignError as exc:  # e.g. nothing predicted: the selection still stands
            error = exc.render().removeprefix(f"{type(exc).__name__}: ")
    return MaterialsRun(requirement, selection, training, top, dict(device or {}), axes,
                        settings, result, error)


# --- tables ------------------------------------------------------------------------------------

def device_table(run: MaterialsRun) -> Table | None:
    """Each field of the device template: the value as given, else the template's default."""
    template = run.requirement.template
    if template is None:
        return None
    rows = []
    for entry in template_fields(template):
        name = str(entry["field"])
        if name == "template":
            continue
        if name in run.device:
            value, basis = str(run.device[name]), "given"
        else:
            default = str(entry["default"])
            value, basis = default, "default" if default else "not set"
        rows.append((name, value, basis))
    return Table(f"device specification: {run.requirement.name}", ("field", "value", "basis"),
                 tuple(rows))


def objectives_table(run: MaterialsRun) -> Table:
    """The requirement's objectives (weights apply to the ranking score only)."""
    return Table(f"objectives of {run.requirement.name}", ("property", "sense", "weight"),
                 tuple((o.property, o.sense, o.weight) for o in run.requirement.objectives))


def status_table(run: MaterialsRun) -> Table:
    """How many candidates have each selection status."""
    return Table(f"selection status: {run.requirement.name}", ("status", "candidates"),
                 tuple(status_counts(run.selection).items()))


def sources_table(run: MaterialsRun) -> Table:
    """The datasets behind the candidates, with their citation, licence and candidate count."""
    counts = Counter(_KEY_PREFIXES.get(key.partition(":")[0], _OTHER)
                     for key in run.selection.matrix.material)
    rows = [("Gorsse et al. 2023", GORSSE_CITATION, "CC BY 4.0", counts["Gorsse et al. 2023"]),
            ("copper grade reference table",
             f"{GRADES_FILE}, compiled from data sheets of the Copper Development Association, "
             "producers and handbooks", "per row", counts["copper grade reference table"])]
    if counts[_OTHER]:
        rows.append((_OTHER, "", "as imported", counts[_OTHER]))
    return Table("data sources", ("dataset", "citation", "licence", "candidates"), tuple(rows),
                 notes=(f"property models trained on {len(run.training.raw)} records of "
                        f"Gorsse et al. 2023 (model version {MODEL_VERSION})",))


def all_tables(run: MaterialsRun) -> list[Table]:
    """Every table of the run with all its rows, in report order (the workbook's sheets)."""
    selection = run.selection
    device = device_table(run)
    tables = [*([device] if device is not None else []), constraints_table(selection),
              objectives_table(run), status_table(run), ranked_table(selection),
              pareto_table(selection)]
    if run.design is not None:
        tables += [search_table(run.design), candidates_table(run.design),
                   recipe_table(run.design), treatment_table(run.design)]
    return [*tables, sources_table(run)]


def subset(table: Table, columns: Sequence[str], rows: int | None = None) -> Table:
    """``table`` reduced to ``columns`` (in that order) and its first ``rows`` rows."""
    index = [table.columns.index(name) for name in columns]
    body = table.rows if rows is None else table.rows[:rows]
    return Table(table.title, tuple(columns), tuple(tuple(row[i] for i in index) for row in body),
                 units={c: u for c, u in table.units.items() if c in columns},
                 notes=table.notes)


# --- report ------------------------------------------------------------------------------------

def build_report(run: MaterialsRun, *, generated: str) -> Report:
    """The bilingual report of ``run`` (see the module docstring)."""
    requirement = run.requirement
    name = requirement.name
    sections = [_device(run), _selection(run)]
    if run.settings is not None:
        sections.append(_design(run))
    sections.append(_method(run))
    settings = run.settings
    searched = (Text("not run", "未运行") if settings is None else Text(
        f"NSGA-II, population {settings.population}, {settings.generations} generations, "
        f"seed {settings.seed}",
        f"NSGA-II，种群 {settings.population}，{settings.generations} 代，随机种子 "
        f"{settings.seed}"))
    return Report(
        title=Text(f"Copper materials for {name}: selection and design",
                   f"{name}的铜材料选型与逆向设计"),
        subtitle=Text("Device targets with their physics, ranked candidates with the origin of "
                      "every value, Ashby chart, and designed alloys with 90 % intervals",
                      "器件指标及其物理依据、注明每个数值来源的候选材料排序、阿什比图，以及含 90 % "
                      "区间的设计合金"),
        meta=(MetaRow(Text("Requirement", "需求"), name),
              MetaRow(Text("Device template", "器件模板"), template_name(requirement.template)),
              MetaRow(Text("Candidates", "候选材料"), f"{len(run.selection.matrix):,}"),
              MetaRow(Text("Design search", "设计搜索"), searched),
              MetaRow(Text("Property models", "性能模型"),
                      Text(f"version {MODEL_VERSION}", f"版本 {MODEL_VERSION}"))),
        sections=tuple(sections), generated=generated)


def _block(table: Table, caption_text: Text, *, values: Mapping[str, Text] | None = None,
           notes: Iterable[Text] = ()) -> TableBlock:
    """A table with a bilingual label on every column (:func:`column_label` refuses others)."""
    return TableBlock(table, caption_text,
                      columns={c: column_label(c) for c in table.columns},
                      values={**VALUES, **(values or {})},
                      notes=(*(note(n) for n in table.notes), *notes))


def _device(run: MaterialsRun) -> Section:
    requirement = run.requirement
    name = requirement.name
    targets = subset(constraints_table(run.selection),
                     ("property", "operator", "threshold", "unit", "as given", "reason"))
    # the state note belongs to the counts in the selection section
    targets = replace(targets, notes=requirement.notes)
    blocks: list[Block] = []
    template = template_name(requirement.template)
    blocks.append(Paragraph(Text(
        f"Requirement “{name}”: device template {template.en}; {len(requirement.constraints)} "
        f"material targets, {len(requirement.objectives)} objectives.",
        f"需求“{name}”：器件模板为{template.zh}；共 {len(requirement.constraints)} 项材料指标、"
        f"{len(requirement.objectives)} 个优化目标。")))
    device = device_table(run)
    if device is not None:
        fields = {str(row[0]): device_field(str(row[0])) for row in device.rows}
        blocks.append(_block(device, caption("device", name=name), values=fields))
    blocks.append(_block(targets, caption("targets", name=name)))
    blocks.append(Callout("info", _COMPUTED_NOTE))
    blocks.append(_block(objectives_table(run), caption("objectives", name=name)))
    return Section(
        id="device", title=Text("Device and material targets", "器件与材料指标"),
        intro=Text("What the device asks of the material, translated by physics into "
                   "constraints on stored properties.",
                   "器件对材料的要求，经物理模型转化为对数据库中性能的约束。"),
        blocks=tuple(blocks))


def _selection(run: MaterialsRun) -> Section:
    selection = run.selection
    name, total = run.requirement.name, len(selection.matrix)
    counts = status_counts(selection)
    figures = [KeyFigure(Text("Candidates", "候选材料"), f"{total:,}")]
    figures += [KeyFigure(VALUES[label], f"{n:,}") for label, n in counts.items()]
    blocks: list[Block] = [KeyFigures(figures)]
    if not selection.selection.feasible.any():
        blocks.append(Callout("warning", Text(
            "No candidate meets every constraint, even if predictions hold: the constraints "
            "table shows which constraints fail or lack data.",
            "没有候选材料满足全部约束（即使预测成立）：各约束不满足或缺少数据的情况见约束表。")))
    constraints = constraints_table(selection)
    nowhere = list(dict.fromkeys(
        str(row[0]) for row in constraints.rows
        if row[constraints.columns.index("no data")] == total))
    if nowhere:
        labels = [VALUES[key] for key in nowhere]
        blocks.append(Callout("warning", Text(
            f"No candidate in the database has {', '.join(t.en for t in labels)}: these "
            "constraints cannot be verified from the database; ask the supplier or test.",
            f"数据库中没有任何候选材料具有{'、'.join(t.zh for t in labels)}数据：这些约束无法"
            "由数据库验证，请向供应商索取或进行试验。")))
    counted = subset(constraints, ("property", "operator", "threshold", "unit", "meet",
                                   "meet if predictions hold", "no data", "fail"))
    # the constraints no candidate has data on are the callout above, in both languages
    counted = replace(counted, notes=(STATE_NOTE,))
    blocks.append(_block(counted, caption("constraints", name=name, total=f"{total:,}")))
    ranked = ranked_table(selection, run.top)
    keys = [c for c in ranked.columns if f"{c} origin" in ranked.columns]
    shown = subset(ranked, ("rank", "material", "record", "status", "pareto layer", "score",
                            *(c for key in keys for c in (key, f"{key} origin"))))
    blocks.append(_block(shown, caption("ranked", name=name, shown=len(shown.rows),
                                        total=f"{total:,}"), notes=(_WORKBOOK_NOTE,)))
    front = pareto_table(selection)
    objectives = [c for c in front.columns if f"{c} origin" in front.columns]
    if front.rows:
        blocks.append(_block(
            subset(front, ("rank", "material", "record", "status", "score",
                           *(c for key in objectives for c in (key, f"{key} origin"))),
                   run.top),
            caption("pareto", name=name, shown=min(run.top, len(front.rows)),
                    total=len(front.rows))))
    else:  # the warning above says why; an empty table would only repeat it
        blocks.append(Paragraph(Text("No Pareto front: no candidate meets every constraint.",
                                     "无帕累托前沿：没有候选材料满足全部约束。")))
    blocks += _ashby(run)
    return Section(
        id="selection", title=Text("Selection from the materials database", "从材料数据库中选型"),
        intro=Text("Every record of the database (a temper of a grade, an experimental "
                   "condition of an alloy) is a candidate; each property is measured, derived, "
                   "predicted or missing.",
                   "数据库中的每条记录（牌号的一种状态，或合金的一种实验工艺条件）都是候选材料；"
                   "每项性能为实测、推导、预测或缺失。"),
        blocks=tuple(blocks))


def _ashby(run: MaterialsRun) -> list[Figure | Callout]:
    """The Ashby chart in English and Chinese as one figure: the page shows the chart of the
    language chosen (each ``<svg>`` carries its ``lang``, which the page's CSS switches)."""
    if run.axes is None:
        return [Callout("info", Text("No Ashby chart: the requirement names fewer than two "
                                     "properties.",
                                     "无阿什比图：需求中的性能少于两项。"))]
    x, y = run.axes
    text = caption("ashby", name=run.requirement.name, x=VALUES[x], y=VALUES[y])
    english = figure_svg(ashby_figure(run.selection, x, y, lang="en"))
    if cjk_font() is None:
        return [Figure(english, text), Callout("warning", Text(
            "No installed font draws Chinese, so the chart keeps its English labels (Debian: "
            "fonts-wqy-microhei or fonts-noto-cjk).",
            "本机未安装可显示中文的字体，图表保留英文标注（Debian：fonts-wqy-microhei 或 "
            "fonts-noto-cjk）。"))]
    chinese = figure_svg(ashby_figure(run.selection, x, y, lang="zh"))
    svg = _tagged(english, "en", None) + "\n" + _tagged(chinese, "zh", "zh-")
    return [Figure(svg, text)]


def _tagged(svg: str, lang: Lang, prefix: str | None) -> str:
    # Both charts define the same glyph and clip-path ids; one page may hold each id once.
    body = str(scoped_svg(svg, prefix)) if prefix else svg
    return re.sub(r"\A<svg", f'<svg lang="{HTML_LANG[lang]}"', body, count=1)


def _design(run: MaterialsRun) -> Section:
    title = Text("Inverse design of composition and processing", "成分与工艺的逆向设计")
    result = run.design
    if result is None:
        return Section(id="design", title=title, blocks=(Callout("warning", Text(
            f"The design did not run: {run.design_error}",
            f"逆向设计未运行：{run.design_error}")),))
    name = run.requirement.name
    search = search_table(result)
    # the key figures show the search table's own numbers, as rounded there
    figure = {str(row[0]): row[1] for row in search.rows}

    def shown(quantity: str) -> str:
        value = figure[quantity]
        return "–" if value is None else format_number(value)  # type: ignore[arg-type]

    blocks: list[Block] = [KeyFigures((
        KeyFigure(Text("Candidates", "候选数"), shown("candidates (distinct)")),
        KeyFigure(VALUES["feasible"], shown("feasible")),
        KeyFigure(VALUES["Pareto"], shown("Pareto")),
        KeyFigure(Text("Beyond measured data", "超出实测数据"),
                  format_number(int(result.beyond_measured.sum()))),
        KeyFigure(Text("First feasible after (evaluations)", "首个可行解出现于（评估次数）"),
                  shown("first feasible after")),
        KeyFigure(Text("First feasible at", "首个可行解用时"), shown("first feasible at"),
                  "s")))]
    if not result.found:
        blocks.append(Callout("warning", Text(
            "No candidate met the targets: the candidates shown are the least infeasible, with "
            "their shortfalls. Relax a target, add elements or allow extrapolation.",
            "没有候选满足指标：所列候选为违反程度最小者，并给出差距。可放宽指标、增加元素或允许"
            "外推。")))
    designed = result.plan.models_used()
    if result.beyond_measured.any():
        labels = [VALUES[m] for m in designed]
        blocks.append(Callout("info", Text(
            f"{int(result.beyond_measured.sum())} of {len(result)} candidates are predicted "
            f"better in {', '.join(t.en for t in labels)} than any alloy measured: the models "
            "extrapolate in property space there, so treat them as hypotheses to test.",
            f"{len(result)} 个候选中有 {int(result.beyond_measured.sum())} 个的预测"
            f"{'、'.join(t.zh for t in labels)}优于所有实测合金：模型在性能空间中外推，"
            "应视为待试验验证的假设。")))
    blocks.append(_block(search, caption("settings", name=name)))
    table = candidates_table(result, run.top)
    shortfall = ("shortfall",) if any(table.column("shortfall")) else ()
    blocks.append(_block(
        subset(table, ("rank", "status", FORMULA,
                       *(f"{m}_{part}" for m in designed for part in ("pred", "lo", "hi")),
                       "in_domain", "distance_ratio", "beyond_measured", *shortfall)),
        caption("candidates", name=name, shown=len(table.rows), total=len(result)),
        notes=(_WORKBOOK_NOTE,)))
    used = [e for e in result.space.element_names() if any(table.column(e))]
    recipes = subset(table, ("rank", FORMULA, *used, *PROCESS_COLUMNS,
                             "nearest training alloy", "nearest DOI"))
    # its notes are the candidates' notes, shown just above
    blocks.append(_block(replace(recipes, notes=()), caption("recipes")))
    blocks.append(_block(treatment_table(result), caption("treatment", name=name)))
    blocks.append(Figure(_tradeoff_svg(run, result), caption("tradeoff")))
    return Section(
        id="design", title=title,
        intro=Text("NSGA-II (pymoo) searches composition and processing for the objectives, "
                   "subject to the targets on predicted properties, inside the property models' "
                   "domain. Targets no model predicts are listed as not designed for.",
                   "NSGA-II（pymoo）在性能模型适用域内搜索成分与工艺，以优化目标为目标、以可预测性能"
                   "上的指标为约束。无模型可预测的指标列为未纳入设计。"),
        blocks=tuple(blocks))


def _tradeoff_svg(run: MaterialsRun, result: DesignResult) -> str:
    # design_tables draws the chart to a file only; a private folder keeps DIR free of it
    with tempfile.TemporaryDirectory(prefix="valueloop-report-") as folder:
        path = tradeoff_chart(result, Path(folder) / "tradeoff.svg", run.training)
        return path.read_text(encoding="utf-8")


def _method(run: MaterialsRun) -> Section:
    sources = sources_table(run)
    return Section(
        id="method", title=Text("Method and data sources", "方法与数据来源"),
        blocks=(
            Paragraph(note(RANKING_NOTE)),
            Paragraph(note(STATE_NOTE)),
            Paragraph(Text(
                "Conductivity, hardness, yield strength and tensile strength are predicted by "
                f"random forests trained on the {len(run.training.raw):,} records of Gorsse et "
                "al. 2023 (each on those that measured its property), with 90 % split-conformal "
                "intervals calibrated on groups of alloy formulas and a domain-of-applicability "
                "check (element ranges and distance to the nearest training row). Their errors "
                "(MAE, R²) and interval coverage on splits grouped by alloy and by source paper "
                "are in the model card, docs/model-card.md "
                f"(model version {MODEL_VERSION}).",
                f"电导率、硬度、屈服强度与抗拉强度由随机森林预测，训练数据为 Gorsse 等 2023 的 "
                f"{len(run.training.raw):,} 条记录（各模型使用测有该性能的记录）；"
                "90 % 区间按合金式分组、以分割共形方法校准，"
                "并检查适用域（元素范围及与最近训练数据的距离）。"
                "按合金与按来源文献分组的误差（MAE、R²）和区间覆盖率见模型卡 "
                f"docs/model-card.md（模型版本 {MODEL_VERSION}）。")),
            # its English note is the paragraph above
            _block(replace(sources, notes=()), caption("sources"), values=_SOURCES),
        ))


# --- files -------------------------------------------------------------------------------------

def write_materials(run: MaterialsRun, out_dir: Path, *,
                    generated: str | None = None) -> tuple[Path, ...]:
    """Write ``report.html`` and ``results.xlsx`` into ``out_dir``; return their paths.

    Both are built in memory first and each file is written atomically, so a failure leaves
    no half-written file (and, before the first write, none at all).
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise OptionError("exists and is not a folder", file=out_dir, item="--out")
    stamp = generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = build_report(run, generated=stamp)
    tables = all_tables(run)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS_FILE
    write_xlsx(tables, results)
    return write_report(report, out_dir / REPORT_FILE), results
