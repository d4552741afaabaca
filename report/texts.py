"""The report's own labels in English and Chinese: the differences table follows the effects of
``experiments.effects`` (mean, t-interval, verdict), and these texts say so. Any other key is
looked up in ``figures.labels`` (shared with the figures)."""

from __future__ import annotations

from figures.labels import text as figure_text

TEXT: dict[str, tuple[str, str]] = {
    "differences_note": (
        "Paired difference of each scenario against the baseline run with the same seed (and "
        "parameter draw) at {quarter}, exactly as run.py compare computes it (effects.parquet, "
        "summary.txt): the mean over {units} with its 95% Student-t interval, and the 10–90% "
        "range of the paired differences. Clearly non-zero: the interval excludes zero and the "
        "sign is robust (at least 90% of the {units} have the sign of the mean). Too few: "
        "fewer than {min_units} {units}, or fewer than {min_constant} that all have the same "
        "difference.",
        "各情景与同一随机种子 (及参数抽样) 的基准运行的配对差值, {quarter}, 与 run.py compare "
        "的计算完全相同 (effects.parquet, summary.txt): {units}的均值及其 95% t 分布置信区间, "
        "以及配对差值的 10–90% 区间。明显非零: 区间不含零且符号稳健 (至少 90% 的{units}与均值"
        "同号)。过少: 少于 {min_constant} 个且差值全部相同, 或少于 {min_units} 个{units}。"),
    "difference": ("mean difference", "差值均值"),
    "too_few": ("too few {units} to call", "{units}过少, 无法判断"),
    "unit_replicate": ("run pairs", "配对运行"),
    "unit_draw": ("parameter draws", "参数抽样"),
    "depends_on": ("size depends most on", "大小最依赖的参数"),
    "few_units": (
        "Warning: only {n} {units}: no difference can be called clearly non-zero (at least "
        "{min_units} are needed; rerun run.py compare with more {option}).",
        "警告: 仅 {n} 个{units}: 任何差值都不能判为明显非零 (至少需要 {min_units} 个; "
        "请以更大的 {option} 重新运行 run.py compare)。"),
    "few_draws": (
        "Warning: {draws} draws of {parameters} uncertain parameters are too few to tell which "
        "parameter an effect depends on (at least {min_draws} draws and more draws than "
        "parameters are needed); it is not shown.",
        "警告: {parameters} 个不确定参数仅 {draws} 次抽样, 不足以判断差值最依赖哪个参数 (至少需要 "
        "{min_draws} 次且多于参数个数); 因此不予显示。"),
    "depends_note": (
        "Size depends most on: the parameter whose draws have the largest absolute Spearman "
        "correlation with the per-draw difference, shown where |ρ| > {rho:.2f} (what chance "
        "gives with 5% probability for {parameters} parameters and {draws} draws).",
        "大小最依赖的参数: 其抽样值与各次抽样差值的 Spearman 相关系数绝对值最大的参数, 仅在 "
        "|ρ| > {rho:.2f} 时显示 ({parameters} 个参数、{draws} 次抽样时偶然达到该值的概率为 5%)。"),
}


def text(key: str, lang: str = "en", **values: object) -> str:
    """The label ``key`` in ``lang`` (this table first, then ``figures.labels``)."""
    if key not in TEXT:
        return figure_text(key, lang, **values)
    label = TEXT[key][1 if lang == "zh" else 0]
    return label.format(**values) if values else label
