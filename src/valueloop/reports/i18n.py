"""English and Simplified Chinese texts of reports: the :class:`Text` pair and the fixed UI strings.

Every word a reader sees in a report exists in both languages; a :class:`Text` with one language
missing is refused when it is made, so a forgotten translation fails at build time, not in front of
a reader. Fixed words of the page itself (headings, labels, verdicts) live in :data:`UI` and are
read with :func:`ui`; chart code takes its English legend words from the same table so the HTML
caption and the SVG say the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

Lang = Literal["en", "zh"]
LANGS: Final[tuple[Lang, ...]] = ("en", "zh")

HTML_LANG: Final[Mapping[Lang, str]] = MappingProxyType({"en": "en", "zh": "zh-Hans"})
"""The ``lang`` attribute of each language; ``zh-Hans`` so browsers pick simplified glyphs."""


@dataclass(frozen=True)
class Text:
    """One reader-facing text in English (``en``) and Simplified Chinese (``zh``).

    Both are required; use :meth:`same` for a text that reads the same in both languages
    (a chemistry name, a number, a code).
    """

    en: str
    zh: str

    def __post_init__(self) -> None:
        if not isinstance(self.en, str) or not isinstance(self.zh, str):
            raise TypeError(f"Text needs two strings, got {self.en!r} and {self.zh!r}")
        if bool(self.en.strip()) != bool(self.zh.strip()):
            missing = "Chinese" if self.en.strip() else "English"
            raise ValueError(f"Text {self.en or self.zh!r} has no {missing} version")

    @classmethod
    def same(cls, text: str) -> Text:
        """A text that is written the same way in both languages."""
        return cls(text, text)

    @property
    def bilingual(self) -> bool:
        """Whether the two languages differ, so both must be shown (one at a time)."""
        return self.en != self.zh

    def get(self, lang: Lang) -> str:
        """The text in ``lang``."""
        return self.zh if lang == "zh" else self.en

    def format(self, **values: object) -> Text:
        """Both languages with ``{name}`` fields filled in from ``values``."""
        return Text(self.en.format(**values), self.zh.format(**values))

    def __bool__(self) -> bool:
        return bool(self.en.strip())


def _table(entries: dict[str, tuple[str, str]]) -> Mapping[str, Text]:
    return MappingProxyType({key: Text(en, zh) for key, (en, zh) in entries.items()})


UI: Final[Mapping[str, Text]] = _table({
    # page furniture
    "contents": ("Contents", "目录"),
    "language": ("Language", "语言"),
    "back_to_top": ("Back to top", "返回顶部"),
    "figure": ("Figure {n}", "图 {n}"),
    "table": ("Table {n}", "表 {n}"),
    "source": ("Source", "来源"),
    "method": ("Method", "方法"),
    "notes": ("Notes", "注"),
    "generated": ("Generated", "生成时间"),
    "generator": ("Made with valueloop {version}", "由 valueloop {version} 生成"),
    "offline": ("This file is self-contained and works offline.", "本文件自成一体，可离线查看。"),
    "info": ("Note", "说明"),
    "warning": ("Warning", "警告"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "missing": ("no value", "无数值"),
    "key_figures": ("Key figures", "关键数据"),
    # run metadata
    "scenario": ("Scenario", "情景"),
    "model": ("Model", "模型"),
    "samples": ("Samples", "样本数"),
    "seed": ("Seed", "随机种子"),
    "unit": ("Unit", "单位"),
    # uncertainty bands
    "bands": ("P10/P50/P90", "P10/P50/P90"),
    "band_range": ("P10–P90", "P10–P90"),
    "bands_note": ("P10, P50 and P90 are the 10th, 50th and 90th percentiles of the simulated "
                   "samples: eight runs in ten fall between P10 and P90.",
                   "P10、P50、P90 为模拟样本的第 10、50、90 百分位数：十次模拟中有八次落在 "
                   "P10 与 P90 之间。"),
    "p10": ("P10", "P10"),
    "p50": ("P50 (median)", "P50（中位数）"),
    "p90": ("P90", "P90"),
    # claim verdicts, keyed by the exact words valueloop.core.claims writes
    "agrees": ("agrees", "一致"),
    "agrees within rounding": ("agrees within rounding", "在舍入误差内一致"),
    "disagrees": ("disagrees", "不一致"),
    # chart vocabulary
    "year": ("Year", "年份"),
    "period": ("Period", "时期"),
    "supply": ("Supply", "供应"),
    "demand": ("Demand", "需求"),
    "capacity": ("Capacity", "产能"),
    "balance": ("Supply − demand", "供应 − 需求"),
    "surplus": ("Surplus", "过剩"),
    "deficit": ("Deficit", "短缺"),
    "utilisation": ("Capacity utilisation", "产能利用率"),
    "reference": ("Reference", "参考线"),
    "total": ("Total", "合计"),
    "inventory_days": ("Inventory", "库存"),
    "warning_line": ("Warning line", "警戒线"),
    "first_order": ("First order (S1)", "一阶指数 (S1)"),
    "total_order": ("Total (ST)", "总效应指数 (ST)"),
    "sobol_index": ("Sobol' index", "Sobol 指数"),
})
"""Fixed UI strings by key; read them with :func:`ui`."""

COLUMNS: Final[Mapping[str, Text]] = _table({
    # valueloop.core.claims.COLUMNS
    "claim_id": ("Claim", "编号"),
    "section": ("Section", "章节"),
    "quantity": ("Quantity", "数量"),
    "stated": ("Stated", "声明值"),
    "computed": ("Computed", "计算值"),
    "unit": ("Unit", "单位"),
    "rel_diff": ("Relative difference", "相对差异"),
    "verdict": ("Verdict", "结论"),
    # valueloop.core.summary.band_table
    "output": ("Output", "输出"),
    "index": ("Index", "索引"),
    "mean": ("Mean", "均值"),
    "sd": ("Standard deviation", "标准差"),
    "p10": ("P10", "P10"),
    "p50": ("P50", "P50"),
    "p90": ("P90", "P90"),
    "year": ("Year", "年份"),
})
"""Labels of the columns valueloop's own tables use, shown unless a table gives its own."""

VERDICTS: Final[tuple[str, ...]] = ("agrees", "agrees within rounding", "disagrees")
"""The claim verdicts of :mod:`valueloop.core.claims`, in the order of their tone below."""

VERDICT_TONES: Final[Mapping[str, str]] = MappingProxyType(
    {"agrees": "good", "agrees within rounding": "fair", "disagrees": "bad"})
"""A colour tone per verdict, used as a CSS class so disagreements stand out in tables."""


def ui(key: str) -> Text:
    """The fixed UI string ``key`` in both languages."""
    try:
        return UI[key]
    except KeyError:
        raise KeyError(f"no UI string {key!r}; known: {', '.join(sorted(UI))}") from None


def verdict_text(verdict: str) -> Text:
    """The translated claim verdict (``agrees`` → 一致 and so on)."""
    if verdict not in VERDICTS:
        raise KeyError(f"unknown verdict {verdict!r}; known: {', '.join(VERDICTS)}")
    return UI[verdict]
