"""English and Simplified Chinese words of the materials report (:mod:`.materials_report`).

The selection and design tables (:mod:`valueloop.materials.selection_tables`,
:mod:`valueloop.materials.design_tables`) name their columns and fixed cells in English; this
module gives each a bilingual label. :func:`caption` and :func:`column_label` refuse a caption or
column they do not know, so a new table or column cannot reach the report untranslated (as
:func:`valueloop.reports.cobalt_economics_report.caption` does for the economics job).

Texts the code computes from numbers (the physics reason of a target, the notes of a search,
source citations) stay as computed, in English; the report says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from valueloop.materials.candidates import ORIGINS
from valueloop.materials.design_tables import PARTS
from valueloop.materials.properties import ELEMENTS, FORMULA, PROCESS_COLUMNS
from valueloop.materials.property_models import PROPERTIES
from valueloop.materials.requirement import PROPERTY_KEYS
from valueloop.materials.selection import STATUS
from valueloop.materials.selection_tables import RANKING_NOTE, STATE_NOTE
from valueloop.reports.i18n import Text


def _texts(entries: Mapping[str, tuple[str, str]]) -> Mapping[str, Text]:
    return MappingProxyType({key: Text(en, zh) for key, (en, zh) in entries.items()})


CAPTIONS: Mapping[str, Text] = _texts({
    "device": ("Device specification of {name}: each field as given in the requirement file, "
               "or the template's default.",
               "{name}的器件规格：各参数取自需求文件，未给出者取模板默认值。"),
    "targets": ("Material targets of {name}, in the stored units, with the physics that "
                "produced each.",
                "{name}的材料指标（以数据库存储单位表示）及其物理依据。"),
    "objectives": ("Objectives of {name}: what the ranking and the design trade off.",
                   "{name}的优化目标：排序与逆向设计所权衡的性能。"),
    "constraints": ("Constraints of {name}: how many of the {total} candidates meet, fail or "
                    "lack data on each.",
                    "{name}的各项约束：{total} 个候选材料中满足、不满足或缺少数据的数量。"),
    "ranked": ("Ranked candidates for {name}: top {shown} of {total}, each property with its "
               "origin.",
               "{name}的候选材料排序：共 {total} 个中的前 {shown} 个，每项性能注明数据类型。"),
    "pareto": ("Pareto front for {name} on the objectives: {shown} of {total} candidates.",
               "{name}在各优化目标上的帕累托前沿：共 {total} 个中的 {shown} 个。"),
    "ashby": ("Ashby chart of {name}: {y} against {x} for every candidate. Coloured: meets "
              "(or meets if predictions hold); filled circles measured or derived, hollow "
              "triangles predicted with 90 % intervals; dashed lines the constraints; ringed "
              "the Pareto front.",
              "{name}的阿什比图：所有候选材料的{y}与{x}。彩色：满足要求（或若预测成立则满足）；"
              "实心圆为实测或推导值，空心三角为预测值（含 90 % 区间）；虚线为约束；圆圈标出帕累托"
              "前沿。"),
    "settings": ("Design search of {name}: settings, cost and when the first feasible "
                 "candidate appeared.",
                 "{name}的逆向设计搜索：设置、计算量及首个可行解出现的时间。"),
    "candidates": ("Designed candidates for {name}: top {shown} of {total}, predictions with "
                   "90 % intervals, domain and beyond-measured flags.",
                   "{name}的设计候选：共 {total} 个中的前 {shown} 个，含预测值及 90 % 区间、"
                   "适用域与超出实测标记。"),
    "recipes": ("Recipes of the designed candidates: composition (wt%, Cu balance) and "
                "processing, with the nearest training alloy.",
                "设计候选的配方：成分（wt%，余量为铜）与加工工艺，及最近的训练合金。"),
    "treatment": ("How the design treated each constraint and objective of {name}, and what "
                  "it did not design for.",
                  "逆向设计对{name}各项约束与目标的处理方式，以及未纳入设计的部分。"),
    "tradeoff": ("Predicted trade-off of the designed candidates (90 % intervals) over the "
                 "measured training data; dashed: designed constraints. Chart text in English.",
                 "设计候选的预测性能权衡（含 90 % 区间），背景为实测训练数据；虚线为设计约束。"
                 "图中文字为英文。"),
    "sources": ("Data behind the selection and the property models.",
                "选型与性能模型所依据的数据。"),
})
"""Caption of each table and figure of the report, by key; fields in braces are filled in."""


def caption(key: str, **values: object) -> Text:
    """The bilingual caption ``key`` with its ``{fields}`` filled in from ``values``.

    A :class:`Text` value fills each language with its own half (a translated property label).
    """
    if key not in CAPTIONS:
        raise KeyError(f"no caption {key!r} for the materials report; add it to CAPTIONS")
    text = CAPTIONS[key]
    return Text(text.en.format(**{k: v.en if isinstance(v, Text) else v
                                  for k, v in values.items()}),
                text.zh.format(**{k: v.zh if isinstance(v, Text) else v
                                  for k, v in values.items()}))


TEMPLATE_NAMES: Mapping[str, Text] = _texts({
    "connector": ("connector or lead frame", "连接器或引线框架"),
    "pcb_foil": ("high-frequency PCB foil", "高频 PCB 铜箔"),
    "hairpin": ("EV hairpin winding", "电动汽车发卡绕组"),
    "interconnect": ("interconnect", "互连线"),
})
"""The device templates of :data:`valueloop.materials.translate.TEMPLATES`."""
BY_HAND = Text("none: targets set by hand", "无：指标为手工给定")

DEVICE_FIELDS: Mapping[str, Text] = _texts({
    "template": ("template", "模板"),
    # connector
    "current": ("current", "电流"),
    "temperature_rise": ("allowed temperature rise", "允许温升"),
    "ambient_temperature": ("ambient temperature", "环境温度"),
    "length": ("current path length", "导电长度"),
    "width": ("width", "宽度"),
    "thickness": ("thickness", "厚度"),
    "max_thermal_resistance": ("maximum thermal resistance", "最大热阻"),
    "contact_force": ("contact force", "接触力"),
    "spring_length": ("spring arm length", "弹片长度"),
    "safety_factor": ("safety factor", "安全系数"),
    "force_retention": ("contact force retention", "接触力保持率"),
    "service_temperature": ("service temperature", "服役温度"),
    "service_time": ("service time", "服役时间"),
    "mating_cte": ("CTE of the mating part", "配合件热膨胀系数"),
    "cte_tolerance": ("CTE tolerance", "热膨胀系数容差"),
    # PCB foil
    "frequency": ("frequency", "频率"),
    "line_width": ("line width", "线宽"),
    "impedance": ("characteristic impedance", "特性阻抗"),
    "max_conductor_loss_db_per_m": ("allowed conductor loss (dB/m)", "允许导体损耗（dB/m）"),
    "reference_conductivity": ("reference conductivity", "参考电导率"),
    # hairpin
    "current_density": ("current density", "电流密度"),
    "max_loss_density": ("allowed loss density", "允许损耗密度"),
    "temperature_class": ("temperature class", "温度等级"),
    "softening_margin": ("softening margin", "软化温度裕量"),
    "conductor_thickness": ("conductor thickness", "导体厚度"),
    "bend_radius": ("bend radius", "弯曲半径"),
    "elongation_safety_factor": ("elongation safety factor", "伸长率安全系数"),
    # interconnect
    "temperature": ("operating temperature", "工作温度"),
    "target_life": ("target life", "目标寿命"),
    "test_current_density": ("test current density", "试验电流密度"),
    "test_temperature": ("test temperature", "试验温度"),
    "exponent": ("current-density exponent n (Black)", "电流密度指数 n（Black 方程）"),
    "activation_energy": ("activation energy", "激活能"),
    "reference_test_life": ("test life at the test condition", "试验条件下的寿命"),
})
"""Fields of every device template, as :func:`valueloop.materials.translate.template_fields`
lists them."""


def _property(key: str) -> Text:
    spec = PROPERTY_KEYS[key]
    return Text(spec.label, spec.label_zh)


_FIXED_COLUMNS: Mapping[str, Text] = _texts({
    # selection_tables
    "rank": ("rank", "排名"),
    "material": ("material", "材料"),
    "designations": ("designations", "牌号"),
    "record": ("record (temper or condition)", "记录（状态或工艺条件）"),
    "status": ("status", "状态"),
    "pareto layer": ("Pareto layer", "帕累托层"),
    "score": ("score", "得分"),
    "property": ("property", "性能"),
    "operator": ("operator", "关系"),
    "threshold": ("threshold", "阈值"),
    "unit": ("unit", "单位"),
    "as given": ("as given", "原始给定"),
    "meet": ("meet", "满足"),
    "meet if predictions hold": ("meet if predictions hold", "若预测成立则满足"),
    "no data": ("no data", "缺少数据"),
    "fail": ("fail", "不满足"),
    "reason": ("reason (as computed)", "依据（计算所得原文）"),
    # our own tables
    "field": ("field", "参数"),
    "value": ("value", "数值"),
    "basis": ("basis", "取值来源"),
    "sense": ("sense", "方向"),
    "weight": ("weight (ranking only)", "权重（仅用于排序）"),
    "candidates": ("candidates", "候选材料数"),
    "dataset": ("dataset", "数据集"),
    "citation": ("citation", "引用"),
    "licence": ("licence", "许可"),
    # design_tables
    "feasible": ("feasible", "可行"),
    "pareto": ("Pareto", "帕累托前沿"),
    "in_domain": ("in the models' domain", "在模型适用域内"),
    "distance_ratio": ("domain distance ratio", "适用域距离比"),
    "beyond_measured": ("beyond measured data", "超出实测数据"),
    FORMULA: ("alloy formula", "合金式"),
    "shortfall": ("shortfall (as computed)", "差距（计算所得原文）"),
    "nearest training alloy": ("nearest training alloy", "最近的训练合金"),
    "nearest DOI": ("its paper (DOI)", "其文献（DOI）"),
    "nearest distance": ("distance to it", "与其距离"),
    "kind": ("kind", "类别"),
    "requirement": ("requirement", "要求"),
    "treated as": ("treated as (as computed)", "处理方式（计算所得原文）"),
    "quantity": ("quantity", "项目"),
})
_PROCESS: Mapping[str, Text] = MappingProxyType(dict(zip(PROCESS_COLUMNS, (
    Text("solution treatment", "固溶温度"), Text("solution time", "固溶时间"),
    Text("cold-rolling reduction", "冷轧压下率"), Text("aged", "时效"),
    Text("ageing temperature", "时效温度"), Text("ageing time", "时效时间"),
    Text("secondary thermo-mechanical process", "二次形变热处理")), strict=True)))
_PARTS: Mapping[str, tuple[str, str]] = MappingProxyType(dict(zip(PARTS, (
    ("predicted", "预测值"), ("90 % low", "90 % 区间下限"), ("90 % high", "90 % 区间上限"),
    ("in domain", "在适用域内")), strict=True)))


def column_label(name: str) -> Text:
    """The bilingual header of a column of the selection or design tables.

    Fixed columns, property keys, ``<key> origin``, ``<model>_<part>`` prediction columns
    (:data:`~valueloop.materials.design_tables.PARTS`), the Gorsse processing columns and
    element symbols; anything else raises :class:`KeyError`.
    """
    if name in _FIXED_COLUMNS:
        return _FIXED_COLUMNS[name]
    if name in _PROCESS:
        return _PROCESS[name]
    if name in PROPERTY_KEYS:
        return _property(name)
    if name in ELEMENTS:
        return Text.same(name)  # a chemical symbol reads the same in both languages
    if name.endswith(" origin") and name.removesuffix(" origin") in PROPERTY_KEYS:
        label = _property(name.removesuffix(" origin"))
        return Text(f"{label.en}: origin", f"{label.zh}：数据类型")
    model, _, part = name.rpartition("_")
    if model in PROPERTIES and part in _PARTS:
        label = _property(model)
        en, zh = _PARTS[part]
        return Text(f"{label.en}: {en}", f"{label.zh}：{zh}")
    raise KeyError(f"no bilingual label for the column {name!r}; add it to "
                   "valueloop.reports.materials_text")


VALUES: Mapping[str, Text] = MappingProxyType({
    **{key: _property(key) for key in PROPERTY_KEYS},
    **_texts({
        # selection status and origin
        STATUS[0]: ("meets", "满足"),
        STATUS[1]: ("meets if predictions hold", "若预测成立则满足"),
        STATUS[2]: ("no data", "缺少数据"),
        STATUS[3]: ("fails", "不满足"),
        ORIGINS[0]: ("missing", "缺失"),
        ORIGINS[1]: ("measured", "实测"),
        ORIGINS[2]: ("derived", "推导"),
        ORIGINS[3]: ("predicted", "预测"),
        "predicted, out of domain": ("predicted, out of the model's domain",
                                     "预测（超出模型适用域）"),
        # objectives
        "max": ("maximise", "最大化"),
        "min": ("minimise", "最小化"),
        # requirement field basis
        "given": ("given", "需求文件给定"),
        "default": ("template default", "模板默认值"),
        "not set": ("not set", "未设定"),
        # design status, flags and treatment
        "Pareto": ("Pareto front", "帕累托前沿"),
        "feasible": ("feasible", "可行"),
        "infeasible": ("infeasible", "不可行"),
        "Y": ("yes", "是"),
        "N": ("no", "否"),
        "constraint": ("constraint", "约束"),
        "objective": ("objective", "目标"),
        "constraint: not designed for": ("constraint: not designed for", "约束：未纳入设计"),
        "objective: not designed for": ("objective: not designed for", "目标：未纳入设计"),
        "as stated": ("as stated", "按原样"),
        "on the point prediction": ("on the point prediction", "基于点预测"),
        # design search quantities and units
        "design elements": ("design elements", "设计元素"),
        "population": ("population", "种群规模"),
        "generations": ("generations", "代数"),
        "seed": ("seed", "随机种子"),
        "conservative": ("conservative (constraints on the interval bound)",
                         "保守模式（约束作用于区间界限）"),
        "extrapolation allowed": ("extrapolation allowed", "允许外推"),
        "warm start": ("warm start from training rows", "以训练数据热启动"),
        "within measured data": ("within measured data", "限于实测数据范围"),
        "evaluations": ("evaluations", "次评估"),
        "search time": ("search time", "搜索用时"),
        "first feasible after": ("first feasible candidate after", "首个可行解出现于"),
        "first feasible at": ("first feasible candidate at", "首个可行解用时"),
        "candidates (distinct)": ("candidates (distinct)", "候选数（去重后）"),
    }),
})
"""Translations of the fixed string cells of the tables, by exact value."""

NOTES: Mapping[str, Text] = _texts({
    RANKING_NOTE: (RANKING_NOTE,
                   "排序：满足全部约束（或若预测成立则满足）的候选材料在前，按优化目标上的帕累托层"
                   "（1 = 非支配）排序，再按这些候选材料上归一化到 0..1 的目标加权均值排序；其后为"
                   "缺少数据的候选材料；最后为不满足的候选材料，未满足的约束越少越靠前"),
    STATE_NOTE: (STATE_NOTE,
                 "实测范围只有其保守端满足约束才算满足；预测值只有其 90 % 区间满足约束且位于模型"
                 "适用域内才算满足，否则该候选材料为“若预测成立则满足”"),
})
"""Fixed notes of the selection tables in both languages, keyed by their English text."""


def note(text: str) -> Text:
    """A table note in both languages: translated when fixed, else as computed (English)."""
    return NOTES.get(text) or Text.same(text)


def template_name(template: str | None) -> Text:
    """The device template's name, or :data:`BY_HAND` for a requirement without one."""
    if template is None:
        return BY_HAND
    try:
        return TEMPLATE_NAMES[template]
    except KeyError:
        raise KeyError(f"no bilingual name for the device template {template!r}; add it to "
                       "TEMPLATE_NAMES") from None


def device_field(name: str) -> Text:
    """The label of a device template field; :class:`KeyError` for one not translated."""
    try:
        return DEVICE_FIELDS[name]
    except KeyError:
        raise KeyError(f"no bilingual label for the device field {name!r}; add it to "
                       "DEVICE_FIELDS") from None

