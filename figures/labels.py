"""Labels of the figures and the report in English and Chinese (one table, shared by both).

``text(key, lang)`` gives a fixed label; ``metric_label``, ``column_label`` and
``sector_label`` give a readable name for any metric, node-table column or sector, known or not
(an unknown name is shown with its underscores as spaces, in both languages), so new metrics and
sectors of a later model edition appear without a change here.
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

TEXT: dict[str, tuple[str, str]] = {
    # maps
    "longitude": ("longitude (°E)", "经度 (°E)"),
    "latitude": ("latitude (°N)", "纬度 (°N)"),
    "province": ("Province", "省级行政区"),
    "Sichuan": ("Sichuan", "四川"),
    "Chongqing": ("Chongqing", "重庆"),
    "links": ("Transport links", "交通线路"),
    "hsr": ("high-speed rail", "高速铁路"),
    "rail": ("rail", "普速铁路"),
    "expressway": ("expressway", "高速公路"),
    "planned": ("planned", "规划"),
    "corridors": ("Corridors", "发展走廊"),
    "chengyu_axis": ("Chengdu–Chongqing axis", "成渝发展主轴"),
    "chengdemianle_belt": ("Cheng–De–Mian–Le belt", "成德绵乐城市带"),
    "yuwan_riverside_belt": ("Chongqing–Wanzhou riverside belt", "渝万沿江城市带"),
    "size": ("Marker area", "圆点面积"),
    "km": ("km", "公里"),
    "north": ("N", "北"),
    "change": ("change", "变化"),
    "change_since": ("change since {start}", "较{start}变化"),
    "difference_vs": ("{scenario} − {baseline}", "{scenario} − {baseline}"),
    "map_title": ("{measure}, {quarter}", "{measure}, {quarter}"),
    "difference_map_title": ("Difference in {measure} at {quarter}: {scenario} − {baseline}",
                             "{quarter} {measure} 差值: {scenario} − {baseline}"),
    "province_by_shape": ("province by marker shape and edge; no boundary data",
                          "省份以标记形状和边框颜色区分; 无边界数据"),
    # flows
    "flow_title": ("{kind} moves between nodes, {period}", "{period} 节点间{kind}流动"),
    "firm": ("firm", "企业"),
    "talent": ("talent", "人才"),
    "firms": ("Firms", "企业"),
    "talents": ("Talent", "人才"),
    "flow_count": ("moves", "次迁移"),
    "flows_shown": ("{shown} of {total} flows ≥ {threshold:g} moves shown",
                    "显示 {total} 条流中 ≥ {threshold:g} 次的 {shown} 条"),
    "no_flows": ("no flow reaches the threshold", "没有达到阈值的流动"),
    # time series and comparisons
    "quarter": ("quarter", "季度"),
    "step": ("step (quarter)", "步 (季度)"),
    "median": ("median", "中位数"),
    "band": ("10–90% of replicates", "10–90% 重复运行区间"),
    "replicates": ("replicates", "重复次数"),
    "paired_difference": ("Paired difference against {baseline}", "相对 {baseline} 的配对差值"),
    "bands_title": ("Region metrics by scenario", "各情景的区域指标"),
    "metrics_title": ("Region metrics", "区域指标"),
    "response_title": ("{metric} in {quarter} against each swept parameter (dots: runs; line: "
                       "mean)", "{quarter} 的{metric}与各扫描参数 (点: 各次运行; 线: 均值)"),
    "shares_title": ("Share of {measure}, top {top} nodes", "{measure} 份额 (前 {top} 个节点)"),
    "share_of": ("share of {measure}", "{measure} 份额"),
    "final_title": ("Final metrics by scenario, {quarter}", "各情景最终指标, {quarter}"),
    "interval": ("median and 10–90% interval", "中位数与 10–90% 区间"),
    "baseline": ("baseline", "基准"),
    "scenario": ("scenario", "情景"),
    # distribution
    "rank": ("rank", "位序"),
    "rank_size_title": ("Rank–size of {measure}", "{measure} 位序–规模"),
    "lorenz_title": ("Lorenz curve of {measure}", "{measure} 洛伦兹曲线"),
    "cum_nodes": ("cumulative share of nodes", "节点累计份额"),
    "cum_measure": ("cumulative share of {measure}", "{measure} 累计份额"),
    "equality": ("equality", "完全均等"),
    "start_end": ("{quarter} (Gini across nodes, unweighted: {gini:.3f})",
                  "{quarter} (节点间基尼系数, 不加权: {gini:.3f})"),
    # sectors
    "lq_title": ("Specialisation (location quotient of {measure}), {quarter}",
                 "专业化程度 ({measure} 区位熵), {quarter}"),
    "lq": ("location quotient", "区位熵"),
    "sector": ("sector", "产业"),
    "node": ("node", "节点"),
    # report
    "report_title": ("cyflow planner's report", "cyflow 规划报告"),
    "report_run": ("One run", "单次运行"),
    "report_comparison": ("Scenario comparison", "情景比较"),
    "generated": ("Generated {when} from {folder}", "生成于 {when}, 数据来自 {folder}"),
    "scenarios_heading": ("Scenarios and their interventions", "情景与政策干预"),
    "no_interventions": ("No intervention: the region as it is.", "无政策干预: 区域现状。"),
    "no_description": ("(no description recorded)", "(未记录说明)"),
    "intervention_from": ("from {start}, reaching full strength over {ramp} quarters",
                          "自 {start} 起, {ramp} 个季度内达到全部力度"),
    "headline_heading": ("Headline measures", "主要指标"),
    "headline_note_reps": ("Median over {n} replicates with the 10–90% interval; at {quarter}.",
                           "{n} 次重复运行的中位数及 10–90% 区间; {quarter}。"),
    "headline_note_run": ("One run (no replicates, so no interval): start {start} and end {end}.",
                          "单次运行 (无重复, 故无区间): 起点 {start}, 终点 {end}。"),
    "measure": ("measure", "指标"),
    "start": ("start", "起点"),
    "end": ("end", "终点"),
    "maps_heading": ("Maps", "地图"),
    "figures_heading": ("Figures", "图表"),
    "differences_heading": ("Differences against the baseline", "与基准情景的差异"),
    "interval_90": ("10–90%", "10–90%"),
    "ci_95": ("95% CI of mean", "均值 95% 置信区间"),
    "clearly_nonzero": ("clearly non-zero", "明显非零"),
    "sign_robust": ("sign robust", "符号稳健"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    "no_differences": ("A single scenario: no difference to report.",
                       "仅一个情景: 无差异可报告。"),
    "caveats_heading": ("Caveats: what is estimated and what is a convention",
                        "注意事项: 哪些是估计值, 哪些是约定值"),
    "caveats_intro": (
        "The model is a thought experiment on real data, not a forecast. Its numbers depend on "
        "the estimates in the data and on parameters set by convention; read differences "
        "between scenarios, not levels.",
        "本模型是基于真实数据的思想实验, 并非预测。结果取决于数据中的估计值和按约定设定的参数; "
        "请关注情景之间的差异, 而非绝对水平。"),
    "estimated_heading": ("Estimated data", "估计数据"),
    "estimated_row": ("{column}: {count} of {total} {table} rows estimated",
                      "{column}: {table} {total} 行中 {count} 行为估计值"),
    "convention_heading": ("Parameters set by convention", "按约定设定的参数"),
    "parameter": ("parameter", "参数"),
    "default": ("value", "取值"),
    "meaning": ("meaning", "含义"),
    "source": ("source", "来源"),
    "caveats_unavailable": ("Not available: {reason}", "不可用: {reason}"),
}

METRICS: dict[str, tuple[str, str]] = {
    "two_core_share": ("two-core share", "双核份额"),
    "core_balance": ("core balance", "双核均衡度"),
    "primacy": ("primacy", "首位度"),
    "top_share": ("top-node share", "首位节点份额"),
    "gini": ("Gini of output per head (pop.-weighted)", "人均产出基尼系数 (人口加权)"),
    "theil": ("Theil index", "泰尔指数"),
    "theil_between": ("Theil between provinces", "省际泰尔指数"),
    "theil_within": ("Theil within provinces", "省内泰尔指数"),
    "cv": ("coefficient of variation", "变异系数"),
    "moran_i": ("Moran's I", "莫兰指数"),
    "moran_p": ("Moran's I p-value", "莫兰指数 p 值"),
    "krugman_cores": ("Krugman index of the cores", "双核克鲁格曼指数"),
    "depressions": ("digital depressions", "数字洼地数"),
    "noncore_flow_share": ("non-core flow share", "非核心流动份额"),
    "flow_centralization": ("flow centralisation", "流动集中度"),
    "axis_ratio": ("axis ratio", "主轴比"),
    "total_output": ("total digital output", "数字经济总产出"),
    "total_subsidy": ("total subsidy", "补贴总额"),
    "firm_movers": ("firm moves", "企业迁移数"),
    "talent_movers": ("talent moves", "人才迁移数"),
    "cross_province_firm_moves": ("cross-province firm moves", "跨省企业迁移数"),
    "cross_province_talent_moves": ("cross-province talent moves", "跨省人才迁移数"),
    "axis_premium": ("axis premium", "轴线增长溢价"),
    "clusters": ("clusters", "产业集群数"),
    "siphon": ("siphon", "虹吸效应"),
    "near_periphery_share": ("near-periphery share", "近邻外围份额"),
    "krugman_clusters": ("Krugman index of the clusters", "集群间克鲁格曼指数"),
    "noncore_growing": ("non-core nodes growing", "增长的非核心节点数"),
    "noncore_gaining": ("non-core nodes gaining share", "份额上升的非核心节点数"),
    "region_growth": ("region growth rate", "区域年增长率"),
    "total_firms": ("total firms", "企业总数"),
    "total_talent": ("total talent", "人才总数"),
    "firms_arrived": ("firms arrived", "迁入企业数"),
    "firms_left": ("firms left", "迁出企业数"),
    "firms_born": ("firms born", "新设企业数"),
    "firms_closed": ("firms closed", "关闭企业数"),
    "talent_arrived": ("talent arrived", "迁入人才数"),
    "talent_left": ("talent left", "迁出人才数"),
    "graduates": ("graduates", "毕业生数"),
    "retired": ("retired", "退休人数"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "output": ("digital output", "数字经济产出"),
    "output_{}": ("{} output", "{}产出"),
    "firms_{}": ("{} firms", "{}企业数"),
    "talent_{}": ("{} talent", "{}人才数"),
    "wage_{}": ("{} wage", "{}工资"),
    "tfp_{}": ("{} productivity", "{}生产率"),
    "rent": ("rent", "租金"),
    "subsidy": ("subsidy", "补贴"),
    "firm_inflow": ("firm inflow", "企业流入"),
    "firm_outflow": ("firm outflow", "企业流出"),
    "talent_inflow": ("talent inflow", "人才流入"),
    "talent_outflow": ("talent outflow", "人才流出"),
}

SECTORS: dict[str, tuple[str, str]] = {
    "soft": ("software-side", "软件类"),
    "hard": ("hardware-side", "硬件类"),
    "software": ("software", "软件"),
    "platforms": ("platforms", "平台"),
    "electronics": ("electronics", "电子信息"),
    "vehicles": ("vehicles", "汽车"),
    "computing": ("computing", "算力"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def text(key: str, lang: str = "en", **values: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``values``."""
    label = _pick(TEXT[key], lang)
    return label.format(**values) if values else label


def metric_label(name: str, lang: str = "en") -> str:
    """Readable name of a region metric (any column of region.parquet)."""
    return _pick(METRICS[name], lang) if name in METRICS else name.replace("_", " ")


def sector_label(sector: str, lang: str = "en") -> str:
    """Readable name of a sector (the suffix of ``output_<sector>``)."""
    return _pick(SECTORS[sector], lang) if sector in SECTORS else sector.replace("_", " ")


def column_label(name: str, lang: str = "en") -> str:
    """Readable name of a node-table column, including per-sector columns."""
    if name in COLUMNS:
        return _pick(COLUMNS[name], lang)
    for pattern, pair in COLUMNS.items():
        prefix = pattern.removesuffix("{}")
        if pattern.endswith("{}") and name.startswith(prefix) and len(name) > len(prefix):
            return _pick(pair, lang).format(sector_label(name[len(prefix):], lang))
    return name.replace("_", " ")


def node_names(cities, lang: str = "en") -> list[str]:
    """Node display names from the cities table (``name_zh`` in Chinese)."""
    return list(cities["name_zh" if lang == "zh" else "name_en"])
