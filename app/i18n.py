"""Labels of the page in English and Chinese.

Words of the interface are looked up by key; names that come from the model (record keys such as
``output_soft``, region metrics, parameters, corridors) are translated when known and otherwise
shown as readable English, so a renamed or new model field never breaks the page.
"""

from __future__ import annotations

from figures.labels import METRICS

LANGUAGES = {"en": "English", "zh": "中文"}

UI: dict[str, tuple[str, str]] = {
    "title": ("cyflow: digital-economy flows in the Chengdu–Chongqing region",
              "cyflow：成渝地区数字经济要素流动"),
    "language": ("Language", "语言"),
    "scenario": ("Scenario", "情景"),
    "upload": ("Upload a scenario (TOML)", "上传情景文件（TOML）"),
    "upload_drop": ("Drop a .toml file here", "将 .toml 文件拖放到此处"),
    "uploaded": ("uploaded", "已上传"),
    "interventions": ("Interventions", "政策干预"),
    "no_interventions": ("This scenario has no interventions.", "该情景没有政策干预。"),
    "on": ("on", "开启"),
    "details": ("strength and timing", "强度与时间"),
    "start": ("Start (step or YYYYQn)", "开始（步数或 YYYYQn）"),
    "end": ("End (empty: to the horizon)", "结束（留空：至期末）"),
    "ramp": ("Ramp (quarters to full strength)", "爬坡期（达到全强度的季度数）"),
    "parameters": ("Key parameters", "关键参数"),
    "forces": ("Forces (mechanisms)", "四种力量（机制）"),
    "override": ("Any parameter (key = value)", "任意参数（键 = 值）"),
    "apply": ("Apply", "应用"),
    "seed": ("Seed", "随机种子"),
    "step": ("Step", "单步"),
    "play": ("Play", "播放"),
    "pause": ("Pause", "暂停"),
    "reset": ("Reset", "重置"),
    "quarter": ("Quarter", "季度"),
    "of": ("of", "/"),
    "pattern": ("Pattern", "格局"),
    "step_time": ("step + redraw", "单步与重绘"),
    "map": ("Map", "地图"),
    "size_by": ("Node size", "节点大小"),
    "colour_by": ("Node colour", "节点颜色"),
    "colour_province": ("province", "省份"),
    "colour_start": ("change since the start", "较初始变化"),
    "colour_baseline": ("against the baseline", "相对基准情景"),
    "baseline_needs_compare": ("Switch on Compare to colour against the baseline.",
                               "开启对比后才能相对基准情景着色。"),
    "flow_window": ("Flows over the last quarters", "最近若干季度的流动"),
    "flow_count": ("Arrows per kind", "每类箭头数"),
    "links": ("Links", "交通线路"),
    "hsr": ("high-speed rail", "高铁"),
    "rail": ("rail", "铁路"),
    "expressway": ("expressway", "高速公路"),
    "planned": ("planned", "规划中"),
    "opened": ("opened by an intervention", "干预开通"),
    "corridors": ("Corridors", "发展走廊"),
    "flows": ("Largest moves", "最大流动"),
    "talent_moves": ("talent", "人才"),
    "firm_moves": ("firms", "企业"),
    "moves_over": ("moves over the last {k} quarters", "最近 {k} 个季度的迁移"),
    "size_legend": ("size", "大小"),
    "decline": ("decline", "下降"),
    "growth": ("growth", "增长"),
    "Sichuan": ("Sichuan", "四川"),
    "Chongqing": ("Chongqing", "重庆"),
    "node": ("Node", "节点"),
    "node_hint": ("Hover over a node for its numbers; click it (or pick it here) for its table.",
                  "鼠标悬停节点查看数据；点击节点（或在此选择）查看详表。"),
    "node_table": ("Node table", "节点数据表"),
    "quantity": ("Quantity", "指标"),
    "value": ("Value", "数值"),
    "population": ("Population (2020 census)", "人口（2020 年普查）"),
    "province": ("Province", "省份"),
    "charts": ("Charts", "图表"),
    "metrics": ("Region metrics per quarter", "每季度区域指标"),
    "compare": ("Compare with the baseline", "与基准情景对比"),
    "compare_note": ("The baseline is this scenario with every intervention switched off, "
                     "run with the same seed (common random numbers).",
                     "基准情景为关闭全部干预的本情景，使用相同随机种子（共同随机数）。"),
    "replicates": ("Replicates", "重复次数"),
    "run_replicates": ("Run replicates", "运行重复实验"),
    "bands": ("Bands: 10–90% of {n} replicates ({engine})",
              "区间：{n} 次重复的 10–90% 分位（{engine}）"),
    "running": ("Running…", "运行中…"),
    "scenario_curve": ("scenario", "情景"),
    "baseline_curve": ("baseline", "基准"),
    "difference": ("difference", "差值"),
    "error": ("Error", "错误"),
    "warning": ("Note", "提示"),
    "dismiss": ("Dismiss", "关闭"),
    "horizon": ("The scenario's horizon is reached; Reset to start again.",
                "已到达情景期末；请重置后重新开始。"),
    "cjk_missing": ("No CJK font found for the charts: install fonts-noto-cjk.",
                    "图表缺少中文字体：请安装 fonts-noto-cjk。"),
    "step_axis": ("quarter", "季度"),
    "change_axis": ("change", "变化"),
}

# Words from the model's record keys (``<base>_<sector>``): translated when known.
WORDS: dict[str, tuple[str, str]] = {
    "output": ("digital output", "数字产出"),
    "firms": ("firms", "企业数"),
    "talent": ("talent", "人才数"),
    "wage": ("wage", "工资"),
    "tfp": ("productivity (TFP)", "全要素生产率"),
    "rent": ("rent", "租金"),
    "cost_of_living": ("cost of living", "生活成本"),
    "market_access": ("knowledge access", "知识可达性"),
    "compute_cost": ("compute cost", "算力成本"),
    "subsidy": ("subsidy per firm", "每家企业补贴"),
    "targeted_subsidy": ("targeted subsidy", "定向补贴"),
    "data_bonus": ("data bonus", "数据红利"),
    "subsidy_spending": ("subsidy spending", "补贴支出"),
    "firm_inflow": ("firms moving in", "企业迁入"),
    "firm_outflow": ("firms moving out", "企业迁出"),
    "talent_inflow": ("talent moving in", "人才迁入"),
    "talent_outflow": ("talent moving out", "人才迁出"),
    "share": ("share of {sector} in output", "{sector}占产出比重"),
    # sectors of both editions of the model
    "soft": ("software side", "软件侧"),
    "hard": ("hardware side", "硬件侧"),
    "software": ("software", "软件"),
    "platforms": ("platforms", "平台"),
    "electronics": ("electronics", "电子信息"),
    "vehicles": ("vehicles", "汽车"),
    "computing": ("computing", "算力"),
    # corridors (data/links.csv)
    "chengyu_axis": ("Chengdu–Chongqing axis", "成渝主轴"),
    "chengdemianle_belt": ("Chengdu–Deyang–Mianyang–Leshan belt", "成德绵乐带"),
    "yuwan_riverside_belt": ("Chongqing–Wanzhou riverside belt", "渝万沿江带"),
}


PARAMETER_WORDS: dict[str, tuple[str, str]] = {
    "mechanisms": ("", ""), "policy": ("policy drive", "政策驱动"),
    "market": ("market endogeneity", "市场内生"),
    "foundation": ("industrial foundation", "产业基础"),
    "innovation": ("innovation synergy", "创新协同"),
    "enabled": ("on", "开启"), "coordination": ("coordination", "协同"),
    "alpha": ("agglomeration α", "集聚弹性 α"), "value_of_firm": ("value of a firm", "企业价值"),
    "endowment_elasticity": ("endowment elasticity", "禀赋弹性"),
    "amenity_elasticity": ("amenity elasticity", "宜居弹性"),
    "relocation_cost": ("relocation cost", "迁移成本"),
    "compute_cost": ("compute cost", "算力成本"),
    "half_life_hours": ("spillover half-life (h)", "溢出半衰期（小时）"),
    "firms": ("firms", "企业"), "talent": ("talent", "人才"),
    "profit_scale": ("profit scale", "利润尺度"), "border_cost": ("border cost", "省界成本"),
    "fixed_cost": ("fixed moving cost", "固定迁移成本"),
    "settlement_cost": ("settlement cost", "落户成本"), "scale": ("scale", "规模"),
}


def tr(key: str, lang: str, **values: object) -> str:
    """The interface word ``key`` in ``lang`` (``{name}`` fields filled from ``values``)."""
    pair = UI.get(key) or WORDS.get(key)
    text = key if pair is None else pair[1 if lang == "zh" else 0]
    return text.format(**values) if values else text


def humanize(name: str) -> str:
    """``cross_province_moves`` -> ``cross province moves``."""
    return name.replace("_", " ")


def word(name: str, lang: str) -> str:
    """A model word (record key part, sector, corridor) translated when known."""
    pair = WORDS.get(name)
    return humanize(name) if pair is None else pair[1 if lang == "zh" else 0]


def metric_label(name: str, lang: str) -> str:
    """Label of a region metric (a column of ``region_table``): the figures' label, so the app,
    the PNG figures and the report name a metric alike."""
    pair = METRICS.get(name)
    return humanize(name) if pair is None else pair[1 if lang == "zh" else 0]


def record_label(key: str, sectors: list[str], lang: str) -> str:
    """Label of a node record key: ``wage_soft`` -> ``wage (software side)``; a key of the form
    ``share_<sector>`` -> ``share of <sector> in output``."""
    if key in WORDS:
        return word(key, lang)
    for sector in sorted(sectors, key=len, reverse=True):
        if key.endswith("_" + sector):
            base = key[: -len(sector) - 1]
            if base == "share":
                return tr("share", lang, sector=word(sector, lang))
            sep = "（" if lang == "zh" else " ("
            close = "）" if lang == "zh" else ")"
            return f"{word(base, lang)}{sep}{word(sector, lang)}{close}"
    return word(key, lang)


def parameter_label(key: str, lang: str) -> str:
    """Label of a dotted scenario key: the translated words of its parts, e.g.
    ``mechanisms.market.alpha`` -> ``market endogeneity: agglomeration α``."""
    parts = [p for p in key.split(".") if p != "mechanisms"]
    words = []
    for part in parts:
        pair = PARAMETER_WORDS.get(part)
        words.append(humanize(part) if pair is None else pair[1 if lang == "zh" else 0])
    sep = "：" if lang == "zh" else ": "
    return sep.join(w for w in words if w)


def node_name(cities, i: int, lang: str) -> str:
    """Name of node ``i`` (row of the cities table) in ``lang``."""
    return str(cities["name_zh"].iat[i] if lang == "zh" else cities["name_en"].iat[i])
