"""The one message catalogue: every string shown to users, in 中文 and English.

``t(key, lang)`` picks the language. The engine (``geo/``) never words a message for users: it
reports problem codes with parameters (``geo.validate.Problem``) and raises errors that carry a
``code`` and ``params`` (``geo.errors.GeoError``); :func:`problem_text`, :func:`fix_text` and
:func:`error_text` render them from the ``problem.*`` and ``fix.*`` keys of the same table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from geo import schema
from ui.i18n_data import DATA_STRINGS

LANGS = ("zh", "en")
LANG_LABELS = {"zh": "中文", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"zh": "红十字应急资源地图", "en": "Red Cross Emergency Resource Map"},
    "app_subtitle": {"zh": "江苏 · 无锡 / 镇江", "en": "Jiangsu · Wuxi / Zhenjiang"},
    "page_overview": {"zh": "总览", "en": "Overview"},
    "page_nearest": {"zh": "地图与最近资源", "en": "Map & nearest"},
    "sidebar_city": {"zh": "城市", "en": "City"},
    "sidebar_lang": {"zh": "语言", "en": "Language"},
    "city_both": {"zh": "无锡 + 镇江", "en": "Wuxi + Zhenjiang"},
    "city_wuxi": {"zh": "无锡", "en": "Wuxi"},
    "city_zhenjiang": {"zh": "镇江", "en": "Zhenjiang"},
    "demo_notice": {
        "zh": "演示数据：数量取自无锡、镇江红十字会报告，位置为真实公共场所，其余属性为示意。",
        "en": "Demo data: counts from the Wuxi and Zhenjiang Red Cross reports, positions at real "
              "public places, other attributes illustrative.",
    },
    "kind_aed": {"zh": "AED 除颤仪", "en": "AEDs"},
    "kind_relief_store": {"zh": "救灾物资储备点", "en": "Relief stores"},
    "kind_first_aid_station": {"zh": "景区救护站", "en": "Scenic first-aid stations"},
    "kind_rescue_team": {"zh": "红十字救援队", "en": "Rescue teams"},
    "kind_community_hub": {"zh": "博爱家园", "en": "Community hubs"},
    "kind_training_base": {"zh": "救护培训基地", "en": "Training bases"},
    "kpi_aed_per_100k": {"zh": "每10万人 AED", "en": "AEDs per 100k people"},
    "kpi_team_members": {"zh": "救援队员", "en": "Rescue-team members"},
    "kpi_population": {"zh": "常住人口 (2020)", "en": "Residents (2020 census)"},
    "districts": {"zh": "区县边界", "en": "District boundaries"},
    "legend": {"zh": "图例", "en": "Legend"},
    "by_district": {"zh": "分区县统计", "en": "By district"},
    "col_city": {"zh": "城市", "en": "City"},
    "col_district": {"zh": "区县", "en": "District"},
    "col_population": {"zh": "常住人口", "en": "Residents"},
    "basemap": {"zh": "底图", "en": "Basemap"},
    "basemap_none": {"zh": "无底图（仅边界，离线可用）", "en": "None (boundaries only, offline)"},
    "basemap_osm": {"zh": "OpenStreetMap", "en": "OpenStreetMap"},
    "basemap_amap": {"zh": "高德地图（GCJ-02）", "en": "Amap (GCJ-02)"},
    "basemap_tianditu": {"zh": "天地图", "en": "Tianditu"},
    "basemap_offline_note": {
        "zh": "未连接到地图瓦片服务器，已使用无底图模式。",
        "en": "No tile server answered; showing boundaries only.",
    },
    "assets_missing": {
        "zh": "地图脚本未安装（static/vendor 缺少文件）。请运行 make setup。",
        "en": "Map assets are not installed (files missing in static/vendor). Run make setup.",
    },
    "data_error": {"zh": "数据无法加载：", "en": "The data could not be loaded:"},
    "settings_error": {"zh": "配置有误，仪表盘无法启动：", "en": "A setting is wrong; the dashboard cannot start:"},
    "people_wan": {"zh": "{n:,.1f} 万", "en": "{n:,.1f} 10k"},
    "people_million": {"zh": "{n:,.2f} 百万", "en": "{n:,.2f} M"},
    "given_boundaries": {"zh": "给定边界", "en": "the given boundaries"},
    # nearest page
    "nearest_title": {"zh": "地图与最近资源", "en": "Map & nearest resources"},
    "nearest_help": {
        "zh": "点击地图、输入坐标或搜索地名，查看每类资源中最近的可用资源。",
        "en": "Click the map, type coordinates or search a place to see the nearest usable "
              "resource of each kind.",
    },
    "tab_click": {"zh": "点击地图", "en": "Click"},
    "tab_coords": {"zh": "输入坐标", "en": "Coordinates"},
    "tab_place": {"zh": "地名搜索", "en": "Place search"},
    "tab_batch": {"zh": "批量事件", "en": "Batch incidents"},
    "click_hint": {"zh": "在地图上点击任意位置。", "en": "Click anywhere on the map."},
    "lon": {"zh": "经度", "en": "Longitude"},
    "lat": {"zh": "纬度", "en": "Latitude"},
    "coord_system": {"zh": "坐标系", "en": "Coordinate system"},
    "crs_wgs84": {"zh": "WGS84（GPS）", "en": "WGS84 (GPS)"},
    "crs_gcj02": {"zh": "GCJ-02（高德/腾讯）", "en": "GCJ-02 (Amap/Tencent)"},
    "crs_bd09": {"zh": "BD-09（百度）", "en": "BD-09 (Baidu)"},
    "crs_cgcs2000": {"zh": "CGCS2000", "en": "CGCS2000"},
    "query": {"zh": "查询", "en": "Search"},
    "place_query": {"zh": "地名（中文、拼音或英文）", "en": "Place (Chinese, pinyin or English)"},
    "place_pick": {"zh": "选择地点", "en": "Pick a place"},
    "place_none": {"zh": "没有找到匹配的地点。", "en": "No matching place."},
    "available_now": {"zh": "仅显示当前可用", "en": "Available now"},
    "at_date": {"zh": "日期", "en": "Date"},
    "at_time": {"zh": "时间", "en": "Time"},
    "filters": {"zh": "图层筛选", "en": "Layer filters"},
    "f_kinds": {"zh": "资源类型", "en": "Kinds"},
    "f_districts": {"zh": "区县", "en": "Districts"},
    "f_statuses": {"zh": "状态", "en": "Status"},
    "f_only_24h": {"zh": "仅 24 小时开放", "en": "24 h only"},
    "f_specialties": {"zh": "救援队专业", "en": "Team specialty"},
    "k_per_kind": {"zh": "每类显示数量", "en": "Results per kind"},
    "max_distance_km": {"zh": "最大距离（公里，0 为不限）", "en": "Max distance (km, 0 = any)"},
    "origin": {"zh": "查询点", "en": "Query point"},
    "results_for": {"zh": "查询点 {lon:.5f}, {lat:.5f}（WGS84）", "en":
                    "Query point {lon:.5f}, {lat:.5f} (WGS84)"},
    "no_results": {"zh": "范围内没有符合条件的资源。", "en": "No qualifying resource in range."},
    "origin_outside": {
        "zh": "注意：查询点不在所选城市的任何区县内（可能在太湖、长江上或市外）。",
        "en": "Note: the query point is not inside any district of the selected city "
              "(on Taihu, the Yangtze, or outside the city).",
    },
    "kind_missing": {
        "zh": "没有可用的{kinds}：此时段未开放、不可用或超出范围。",
        "en": "No usable {kinds}: closed at this time, not usable, or out of range.",
    },
    "col_kind": {"zh": "类型", "en": "Kind"},
    "col_rank": {"zh": "名次", "en": "Rank"},
    "col_name": {"zh": "名称", "en": "Name"},
    "col_distance_m": {"zh": "距离（米）", "en": "Distance (m)"},
    "col_travel_min": {"zh": "预计用时（分钟）", "en": "Est. time (min)"},
    "col_mode": {"zh": "方式", "en": "Mode"},
    "col_incident": {"zh": "事件", "en": "Incident"},
    "col_row": {"zh": "行号", "en": "Row"},
    "col_column": {"zh": "列", "en": "Column"},
    "col_severity": {"zh": "级别", "en": "Severity"},
    "col_message": {"zh": "问题", "en": "Problem"},
    "col_fix": {"zh": "建议", "en": "Suggested fix"},
    "col_resource_id": {"zh": "资源编号", "en": "Resource ID"},
    "col_resource_lon": {"zh": "资源经度（WGS84）", "en": "Resource longitude (WGS84)"},
    "col_resource_lat": {"zh": "资源纬度（WGS84）", "en": "Resource latitude (WGS84)"},
    "col_incident_lon": {"zh": "事件经度（WGS84）", "en": "Incident longitude (WGS84)"},
    "col_incident_lat": {"zh": "事件纬度（WGS84）", "en": "Incident latitude (WGS84)"},
    "col_source_crs": {"zh": "文件中的坐标系", "en": "Coordinate system in file"},
    "col_method": {"zh": "估算方法", "en": "Method"},
    "method_name_straight_line": {"zh": "直线距离 × 绕行系数", "en": "Straight line × circuity"},
    "method_name_network": {"zh": "道路网络", "en": "Road network"},
    "dl_no_answer": {"zh": "范围内没有符合条件的资源", "en": "No qualifying resource in range"},
    "dl_file_suffix": {"zh": "（文件）", "en": " (file)"},
    "mode_walk": {"zh": "步行", "en": "Walk"},
    "mode_drive": {"zh": "驾车", "en": "Drive"},
    "method_straight_line": {
        "zh": "估算方法：直线距离 × 绕行系数 ÷ 速度（步行 {walk} km/h，驾车 {drive} km/h）。",
        "en": "Method: straight-line distance × circuity ÷ speed (walk {walk} km/h, drive "
              "{drive} km/h).",
    },
    "method_network": {"zh": "估算方法：道路网络最短路径。",
                       "en": "Method: shortest path on the road network."},
    "network_upload": {"zh": "道路网络（OSM XML 或 GraphML，可选）",
                       "en": "Road network (OSM XML or GraphML, optional)"},
    "network_loaded": {"zh": "已载入道路网络：{nodes} 个节点，{edges} 条边。",
                       "en": "Road network loaded: {nodes} nodes, {edges} edges."},
    "batch_upload": {"zh": "上传事件表（{types}；需有经度、纬度列或一列经纬度）",
                     "en": "Upload incidents ({types}; with longitude and latitude columns "
                           "or one lon,lat column)"},
    "batch_default_crs": {"zh": "未注明坐标系时按", "en": "CRS when the file does not say"},
    "batch_fix_swapped": {"zh": "自动交换颠倒的经纬度",
                          "en": "Swap reversed lon/lat automatically"},
    "batch_summary": {"zh": "共 {n:,} 行，可用 {ok:,} 行，问题 {bad:,} 个。",
                      "en": "{n:,} rows, {ok:,} usable, {bad:,} problem(s)."},
    "batch_problems": {"zh": "文件中的问题", "en": "Problems in the file"},
    "download_csv": {"zh": "下载结果 CSV", "en": "Download CSV"},
    "download_geojson": {"zh": "下载结果 GeoJSON", "en": "Download GeoJSON"},
    "template": {"zh": "下载模板", "en": "Download a template"},
    "input_error": {"zh": "输入有误：", "en": "Input problem:"},
    "coords_refused": {
        "zh": "坐标无效，之前的查询结果已清除。请改正下面指出的字段后重新查询。",
        "en": "Those coordinates were refused and the previous answer was cleared. Correct the "
              "field named below and search again.",
    },
    "place_refused": {
        "zh": "没有找到该地点，之前的查询结果已清除。",
        "en": "No such place; the previous answer was cleared.",
    },
    "batch_refused": {
        "zh": "文件中没有可用的行，未作答；下表列出了每个问题。之前的结果已清除。",
        "en": "The file has no usable rows, so nothing was answered; the table lists every "
              "problem. The previous answer was cleared.",
    },
    "coords_text": {
        "zh": "经纬度（如 120.30, 31.58 或 31.58 120.30，也可写度分秒、东经…北纬…）",
        "en": "Coordinates (e.g. 120.30, 31.58 or 31.58 120.30; degrees-minutes-seconds and "
              "E…/N… work too)",
    },
    "coords_order_note": {
        "zh": "已按纬度在前读取：经度 {lon}，纬度 {lat}（按中国的经纬度范围判断）。",
        "en": "Read latitude first: longitude {lon}, latitude {lat} (told apart by China's "
              "ranges).",
    },
    "coords_order": {"zh": "数字顺序", "en": "Order of the numbers"},
    "coords_auto": {"zh": "自动判断", "en": "Tell automatically"},
    "coords_first_lon": {"zh": "第一个数是经度", "en": "The first number is the longitude"},
    "coords_first_lat": {"zh": "第一个数是纬度", "en": "The first number is the latitude"},
    "read_how": {"zh": "读取方式（工作表、表头行、列）", "en": "How the file was read (sheet, "
                 "header row, columns)"},
    "read_summary_sheet": {
        "zh": "读取了工作表“{sheet}”，表头在第 {row} 行。",
        "en": "Read sheet '{sheet}', header on row {row}.",
    },
    "read_summary": {"zh": "表头在第 {row} 行。", "en": "Header on row {row}."},
    "read_sheet": {"zh": "工作表", "en": "Sheet"},
    "read_header_row": {"zh": "表头所在行", "en": "Header row"},
    "read_columns": {"zh": "各列的含义（已按表头猜测，可修改）",
                     "en": "What each column holds (guessed from the header; change it here)"},
    "role_incident": {"zh": "编号列", "en": "Id column"},
    "role_lon": {"zh": "经度列", "en": "Longitude column"},
    "role_lat": {"zh": "纬度列", "en": "Latitude column"},
    "role_pair": {"zh": "经纬度合一列", "en": "Combined lon,lat column"},
    "role_crs": {"zh": "坐标系列", "en": "CRS column"},
    "col_none": {"zh": "（无）", "en": "(none)"},
    "map_sample": {
        "zh": "地图上显示 {shown} / {n} 个事件（均匀抽样）；表格和下载包含全部 {n} 个事件。",
        "en": "The map shows {shown} of {n} incidents (an even sample); the table and the "
              "downloads hold all {n}.",
    },
    "place_suggest": {
        "zh": "没有找到“{query}”，之前的查询结果已清除。您是不是要找：{names}？",
        "en": "No place matches '{query}'; the previous answer was cleared. Did you mean: "
              "{names}?",
    },
    "place_matched_alias": {"zh": "别名“{how}”", "en": "also called '{how}'"},
    "place_matched_sound": {"zh": "同音“{how}”", "en": "sounds like '{how}'"},
    "place_matched_spelling": {"zh": "拼写相近“{how}”", "en": "spelled like '{how}'"},
    "dl_results_name": {"zh": "最近资源结果", "en": "nearest_results"},
    # coverage page
    "page_coverage": {"zh": "覆盖缺口", "en": "Coverage gaps"},
    "cov_title": {"zh": "覆盖缺口：谁在可用资源的步行/车程范围之外", "en": "Coverage gaps: who lives beyond reach of a usable resource"},
    "cov_help": {
        "zh": "按所选时刻和可用性规则计算：只有当时可用（状态正常、未过期、开放）的资源才算覆盖。人口为 100 米网格（演示），总数等于 2020 年人口普查。",
        "en": "Computed for the chosen hour and usability policy: only resources usable then (active, not expired, open) cover anyone. People come from a 100 m grid (demo) whose totals equal the 2020 census.",
    },
    "cov_kind": {"zh": "资源类型", "en": "Resource kind"},
    "cov_reach_by": {"zh": "覆盖范围按", "en": "Reach by"},
    "cov_reach_minutes": {"zh": "分钟", "en": "minutes"},
    "cov_reach_metres": {"zh": "米", "en": "metres"},
    "cov_minutes": {"zh": "分钟（AED 按步行，其余按驾车）", "en": "Minutes (walking for AEDs, driving otherwise)"},
    "cov_radius_m": {"zh": "半径（米，直线）", "en": "Radius (m, straight line)"},
    "cov_policy": {"zh": "可用性规则", "en": "Usability policy"},
    "policy_default": {"zh": "常规：正常、未过期、当时开放", "en": "Default: active, not expired, open then"},
    "policy_planner": {"zh": "规划：正常、未过期、当时开放", "en": "Planner: active, not expired, open at the hour"},
    "policy_planner_24h": {"zh": "规划（仅 24 小时设备）", "en": "Planner, 24 h devices only"},
    "policy_registry": {"zh": "登记在册（全部设备，不论状态）", "en": "Registry: every installed device"},
    "cov_all_hours": {"zh": "不考虑开放时间（24/7 假设）", "en": "Ignore opening hours (24/7 assumption)"},
    "cov_all_hours_help": {
        "zh": "只看状态和有效期，假设所有设备全天开放；这是常见报告的口径，会高估夜间覆盖。",
        "en": "Status and expiry only, as if every device were open around the clock: the usual reporting basis, which overstates coverage at night.",
    },
    "cov_weekday": {"zh": "星期", "en": "Day"},
    "cov_hour": {"zh": "时刻（点）", "en": "Hour"},
    "cov_hour_of_week": {"zh": "一周中的小时（周一 0 点 = 0）", "en": "Hour of the week (Monday 00:00 = 0)"},
    "weekday_0": {"zh": "周一", "en": "Monday"},
    "weekday_1": {"zh": "周二", "en": "Tuesday"},
    "weekday_2": {"zh": "周三", "en": "Wednesday"},
    "weekday_3": {"zh": "周四", "en": "Thursday"},
    "weekday_4": {"zh": "周五", "en": "Friday"},
    "weekday_5": {"zh": "周六", "en": "Saturday"},
    "weekday_6": {"zh": "周日", "en": "Sunday"},
    "cov_target": {"zh": "目标：每 10 万人可用数量", "en": "Target: usable per 100k people"},
    "cov_target_help": {
        "zh": "默认 100 台/10 万人。参考：深圳约 300 台/10 万人；浙江 2025 年目标 45 台/10 万人。",
        "en": "Default 100 per 100k. For reference: Shenzhen about 300 per 100k; Zhejiang's 2025 target 45 per 100k.",
    },
    "cov_share": {"zh": "覆盖人口比例", "en": "People covered"},
    "cov_uncovered": {"zh": "未覆盖人口", "en": "People not covered"},
    "cov_usable": {"zh": "当时可用数量", "en": "Usable at that time"},
    "cov_per_100k": {"zh": "每 10 万人可用数量（与目标之差）", "en": "Usable per 100k (vs target)"},
    "cov_reach_note": {"zh": "覆盖范围：直线 {radius:,.0f} 米以内（分钟按步行/驾车速度和绕行系数换算）。", "en": "Reach: within {radius:,.0f} m in a straight line (minutes are converted with the walking/driving speed and circuity)."},
    "cov_gaps": {"zh": "覆盖缺口（共 {n} 片，按人口排序）", "en": "Gap areas ({n} in all, by people)"},
    "cov_gaps_layer": {"zh": "覆盖缺口", "en": "Gap areas"},
    "cov_gap_tip": {"zh": "缺口 #{rank}：{people:,} 人 · {district}", "en": "Gap #{rank}: {people:,} people · {district}"},
    "cov_col_rank": {"zh": "排名", "en": "Rank"},
    "cov_col_people": {"zh": "未覆盖人口", "en": "People"},
    "cov_col_area_km2": {"zh": "面积（平方公里）", "en": "Area (km²)"},
    "cov_col_covered": {"zh": "已覆盖人口", "en": "Covered"},
    "cov_col_share": {"zh": "覆盖率（%）", "en": "Covered (%)"},
    "cov_col_resources": {"zh": "可用数量", "en": "Usable"},
    "cov_col_per_100k": {"zh": "每 10 万人", "en": "Per 100k"},
    "cov_col_vs_target": {"zh": "与目标之差", "en": "vs target"},
    "cov_profile": {"zh": "一周各小时的覆盖率", "en": "Coverage by hour of the week"},
    "cov_profile_note": {
        "zh": "虚线为 24/7 假设下的覆盖率 {full:.1f}%；按真实开放时间，一周平均 {mean:.1f}%，最低 {low:.1f}%。24/7 口径平均高估 {over:.1f} 个百分点。",
        "en": "Dashed: {full:.1f}% under the 24/7 assumption. With real opening hours the week averages {mean:.1f}% and falls to {low:.1f}%: the 24/7 figure overstates coverage by {over:.1f} points on average.",
    },
    "cov_places": {"zh": "其他资源对地点的覆盖", "en": "Places reached by the other kinds"},
    "cov_scenic_minutes": {"zh": "景区到救护站步行（分钟）", "en": "Scenic area to a first-aid station, walking (min)"},
    "cov_team_minutes": {"zh": "救援队到镇街驾车（分钟，含出动准备）", "en": "Rescue team to a town, driving (min, turnout included)"},
    "cov_store_km": {"zh": "储备点到镇街（公里，直线）", "en": "Relief store to a town (km, straight line)"},
    "cov_places_scenic": {"zh": "有救护站覆盖的景区", "en": "Scenic areas reached"},
    "cov_places_team": {"zh": "救援队可及时到达的镇街", "en": "Towns a team reaches in time"},
    "cov_places_store": {"zh": "储备点覆盖的镇街", "en": "Towns within reach of a store"},
    "cov_col_nearest": {"zh": "最近的可用资源", "en": "Nearest usable"},
    # siting page
    "page_siting": {"zh": "AED 选址", "en": "AED siting"},
    "site_title": {"zh": "AED 选址：新设备放在哪里覆盖的人最多", "en": "AED siting: where new devices cover the most people"},
    "site_help": {
        "zh": "现有可用 AED（规划口径：正常、未过期、当时开放）保留不动并先覆盖其周边人口；新选址覆盖尚未覆盖的人。最优解用 HiGHS 求解整数规划并给出可证明的差距，贪心法即时给出近似解。",
        "en": "Usable existing AEDs (planner's policy: active, not expired, open then) stay and cover their people first; new sites cover people not yet covered. 'Optimal' solves an integer programme on HiGHS and reports the proven gap; 'greedy' answers at once.",
    },
    "site_question": {"zh": "问题", "en": "Question"},
    "site_q_n_new": {"zh": "新增 N 台放在哪里", "en": "Where should N new AEDs go"},
    "site_q_target": {"zh": "达到目标覆盖率需要几台", "en": "How many reach a target share"},
    "site_n_new": {"zh": "新增数量", "en": "New AEDs"},
    "site_target": {"zh": "目标覆盖率（%）", "en": "Target share (%)"},
    "site_minutes_help": {"zh": "步行分钟数，按步行速度和绕行系数换算为直线距离。", "en": "Walking minutes, converted to a straight-line reach with the walking speed and circuity."},
    "site_method": {"zh": "方法", "en": "Method"},
    "site_method_optimal": {"zh": "最优（整数规划）", "en": "Optimal (integer programme)"},
    "site_method_greedy": {"zh": "贪心（即时）", "en": "Greedy (instant)"},
    "site_candidates": {"zh": "候选点", "en": "Candidates"},
    "site_source_places": {"zh": "公共场所（指南所列类型）", "en": "Public places (guidance venue types)"},
    "site_source_grid": {"zh": "人口网格（每 300 米取人口最多的一格）", "en": "Grid cells (the densest per 300 m block)"},
    "site_source_upload": {"zh": "上传文件", "en": "Uploaded file"},
    "site_only_24h": {"zh": "仅 24 小时可用", "en": "24 h only"},
    "site_at_night": {"zh": "按夜间（周三 3 点）计算现有设备", "en": "Count existing AEDs at night (Wed 03:00)"},
    "site_at_night_help": {"zh": "关闭则不考虑开放时间，只看状态和有效期。", "en": "Off: ignore opening hours, status and expiry only."},
    "site_time_limit": {"zh": "求解时限（秒）", "en": "Time limit (s)"},
    "site_upload": {"zh": "候选点文件（{types}；需有经度、纬度列或一列经纬度）", "en": "Candidate file ({types}; with longitude and latitude columns or one lon,lat column)"},
    "site_n_candidates": {"zh": "候选点 {n} 个。", "en": "{n} candidate sites."},
    "site_run": {"zh": "开始选址", "en": "Find sites"},
    "site_running": {"zh": "正在求解…", "en": "Solving…"},
    "site_progress": {"zh": "当前最好：新覆盖 {people:,.0f} 人；上界 {bound:,.0f}；差距 {gap:.2f}%；{s:.0f} 秒", "en": "Best so far: {people:,.0f} people; bound {bound:,.0f}; gap {gap:.2f}%; {s:.0f} s"},
    "site_done": {"zh": "完成", "en": "Done"},
    "site_failed": {"zh": "无法求解", "en": "Could not solve"},
    "site_press_run": {"zh": "设置问题后点击“开始选址”。输入改变后，旧结果会被清除。", "en": "Set the question and press 'Find sites'. Changing an input clears the old answer."},
    "site_before": {"zh": "选址前覆盖率", "en": "Covered before"},
    "site_after": {"zh": "选址后覆盖率", "en": "Covered after"},
    "site_new": {"zh": "新增 AED", "en": "New AEDs"},
    "site_gain": {"zh": "新覆盖人口", "en": "People newly covered"},
    "site_status_optimal": {"zh": "最优解状态：{status}；可证明差距 {gap:.2f}%；用时 {s:.1f} 秒（贪心解 {greedy:,.0f}，本解 {objective:,.0f}）。", "en": "Optimal: {status}; proven gap {gap:.2f}%; {s:.1f} s (greedy {greedy:,.0f}, this {objective:,.0f})."},
    "site_status_greedy": {"zh": "贪心解：用时 {s:.1f} 秒（未证明最优）。", "en": "Greedy: {s:.1f} s (not proven optimal)."},
    "site_existing": {"zh": "现有可用 AED", "en": "Usable existing AEDs"},
    "site_layer": {"zh": "新选址", "en": "Proposed sites"},
    "site_tip": {"zh": "新选址 #{n}：新覆盖 {gain:,} 人", "en": "Site #{n}: {gain:,} people newly covered"},
    "site_col_gain": {"zh": "新覆盖人口", "en": "People newly covered"},
    "site_col_cum_share": {"zh": "累计覆盖率（%）", "en": "Running share (%)"},
    "download_xlsx": {"zh": "下载 XLSX", "en": "Download XLSX"},
    "site_whatif": {"zh": "假设分析", "en": "What-if"},
    "site_whatif_help": {"zh": "点击地图空白处增加一台 AED；点击已有的点将其移除。覆盖率即时更新。", "en": "Click the map to add an AED; click a dot to remove it. The share updates at once."},
    "site_whatif_share": {"zh": "当前覆盖率", "en": "Share now"},
    "site_whatif_reset": {"zh": "重置", "en": "Reset"},
    "site_whatif_added": {"zh": "新增（假设）", "en": "Added (what-if)"},
    # popup fields
    "f_id": {"zh": "编号", "en": "ID"},
    "f_district": {"zh": "区县", "en": "District"},
    "f_address": {"zh": "地址", "en": "Address"},
    "f_status": {"zh": "状态", "en": "Status"},
    "f_hours": {"zh": "开放时间", "en": "Hours"},
    "f_updated_at": {"zh": "更新日期", "en": "Updated"},
    "f_venue_type": {"zh": "场所类型", "en": "Venue"},
    "f_placement": {"zh": "室内/室外", "en": "Indoor/outdoor"},
    "f_installed_date": {"zh": "安装日期", "en": "Installed"},
    "f_pads_expiry": {"zh": "电极片有效期", "en": "Pads expire"},
    "f_battery_expiry": {"zh": "电池有效期", "en": "Battery expires"},
    "f_last_check": {"zh": "最近巡检", "en": "Last check"},
    "f_guardian": {"zh": "管理人", "en": "Guardian"},
    "f_guardian_phone": {"zh": "联系电话", "en": "Phone"},
    "f_capacity_m3": {"zh": "库容 (m³)", "en": "Capacity (m³)"},
    "f_serves": {"zh": "服务景区", "en": "Serves"},
    "f_staff": {"zh": "人员", "en": "Staff"},
    "f_specialty": {"zh": "专业", "en": "Specialty"},
    "f_members": {"zh": "队员", "en": "Members"},
    "f_boats": {"zh": "船艇", "en": "Boats"},
    "f_vehicles": {"zh": "车辆", "en": "Vehicles"},
    "f_trainees_per_year": {"zh": "年培训人数", "en": "Trainees per year"},
    "f_source_crs": {"zh": "原始坐标系", "en": "Source CRS"},
    "stock_family_kit": {"zh": "家庭包", "en": "Family kits"},
    "stock_tent": {"zh": "帐篷", "en": "Tents"},
    "stock_quilt": {"zh": "棉被", "en": "Quilts"},
    "stock_life_jacket": {"zh": "救生衣", "en": "Life jackets"},
    "stock_water_case": {"zh": "饮用水（箱）", "en": "Drinking water (cases)"},
    "status_active": {"zh": "正常", "en": "Active"},
    "status_maintenance": {"zh": "维护中", "en": "In maintenance"},
    "status_inactive": {"zh": "停用", "en": "Inactive"},
    "specialty_water_rescue": {"zh": "水上救援", "en": "Water rescue"},
    "specialty_mountain": {"zh": "山地救援", "en": "Mountain rescue"},
    "specialty_medical": {"zh": "医疗救护", "en": "Medical"},
    "specialty_search_rescue": {"zh": "搜索救援", "en": "Search and rescue"},
    "venue_metro": {"zh": "地铁站", "en": "Metro station"},
    "venue_rail": {"zh": "火车站", "en": "Railway station"},
    "venue_airport": {"zh": "机场", "en": "Airport"},
    "venue_hospital": {"zh": "医院", "en": "Hospital"},
    "venue_mall": {"zh": "商场", "en": "Mall"},
    "venue_school": {"zh": "学校", "en": "School"},
    "venue_stadium": {"zh": "体育场馆", "en": "Stadium"},
    "venue_park": {"zh": "公园", "en": "Park"},
    "venue_scenic": {"zh": "景区", "en": "Scenic area"},
    "venue_gov_service": {"zh": "政务服务中心", "en": "Government service hall"},
    "venue_bus_stop": {"zh": "公交站急救箱", "en": "Bus-stop cabinet"},
    "venue_community": {"zh": "社区", "en": "Community"},
    "venue_office": {"zh": "办公楼", "en": "Office building"},
    "venue_hotel": {"zh": "酒店", "en": "Hotel"},
    "placement_indoor": {"zh": "室内", "en": "Indoor"},
    "placement_outdoor": {"zh": "室外", "en": "Outdoor"},
    # ---- problems geo/ reports (code -> message; params fill the braces)
    # flood extents (geo/flood.py)
    'problem.shapefile_incomplete': {
        "zh": '压缩包中的矢量图层缺少 {missing} 文件（须同时包含 .shp、.dbf 和 .prj）；其中的文件：{files}',
        "en": 'the shapefile in the zip lacks {missing} (it needs .shp, .dbf and .prj together); files in it: {files}',
    },
    'problem.extent_crs_assumed': {
        "zh": '范围图层没有注明坐标系；坐标看起来是经纬度，已按 WGS84 读取。如果是高德或腾讯地图上画的，请选择 GCJ-02',
        "en": 'the extent names no coordinate system; its coordinates look like lon/lat and were read as WGS84. If it was drawn on an Amap or Tencent map, choose GCJ-02',
    },
    'problem.extent_not_polygon': {
        "zh": '范围中只有 {geometry}，没有面：淹没范围须是多边形',
        "en": 'the extent holds only {geometry}, no polygon: a flood extent must be a polygon',
    },
    'problem.extent_parts_dropped': {
        "zh": '{n} 个要素中的线或点已忽略，只保留面',
        "en": 'lines or points in {n} feature(s) were ignored; only polygons were kept',
    },
    'problem.extent_repaired': {
        "zh": '{n} 个多边形自相交或无效，已自动修复，请在地图上核对范围',
        "en": '{n} polygon(s) crossed themselves or were invalid and were repaired; check the extent on the map',
    },
    'problem.extent_empty_parts': {
        "zh": '{n} 个空的或面积为零的部分已删除',
        "en": '{n} empty or zero-area part(s) were removed',
    },
    'problem.extent_no_area': {
        "zh": '范围中没有面积大于零的多边形',
        "en": 'the extent holds no polygon with an area',
    },
    'problem.extent_outside_area': {
        "zh": '范围完全在本市边界之外：请检查坐标系或文件是否选错',
        "en": "the extent lies entirely outside the city's boundaries: check the coordinate system or the file",
    },
    'problem.extent_partly_outside': {
        "zh": '范围有 {percent}% 在本市边界之外；边界外的部分不计人口',
        "en": "{percent}% of the extent lies outside the city's boundaries; no people are counted there",
    },
    # resource imports (geo/imports.py)
    'problem.missing_id_column': {
        "zh": '文件中找不到编号列（列名可以是 {aliases}）：每个资源需要一个固定不变的编号，再次导入同一文件时才能对应到同一条记录而不会重复添加。文件中的列：{found}。可在“读取方式”中指定列',
        "en": "no id column found (any of {aliases}): every resource needs a fixed id, so that importing the same file again updates the same records instead of adding them twice. Columns in the file: {found}. Pick the column under 'How the file was read'",
    },
    'problem.missing_resource_column': {
        "zh": '文件中找不到 {column} 列（列名可以是 {aliases}）；文件中的列：{found}。可在“读取方式”中指定列',
        "en": "no {column} column found (any of {aliases}); columns in the file: {found}. Pick the column under 'How the file was read'",
    },
    'problem.columns_derived': {
        "zh": '文件中没有 {derived} 列：已按各行的区县名称或坐标所在的区县边界推算',
        "en": "the file has no {derived} column: filled in from each row's district name or from the district its point lies in",
    },
    'problem.column_defaulted': {
        "zh": '文件中没有 {column} 列：所有行都按 {value} 导入',
        "en": 'the file has no {column} column: every row is imported as {value}',
    },
    'problem.not_a_point': {
        "zh": '该要素的几何类型是 {geometry}，不是点：每个资源须是一个点',
        "en": "this feature's geometry is {geometry}, not a point: each resource must be one point",
    },
    'problem.empty_layer': {
        "zh": '图层 “{layer}” 中没有任何要素（没有地标或点）',
        "en": "layer '{layer}' holds no features (no placemarks or points)",
    },
    'problem.unknown_layer': {
        "zh": '没有名为 “{layer}” 的图层；图层有：{available}',
        "en": "there is no layer named '{layer}'; the layers are: {available}",
    },
    'problem.layer_chosen': {
        "zh": '已读取图层 “{layer}”（含点要素）；其他图层：{others}。如需读取别的图层，请在“读取方式”中选择',
        "en": "read layer '{layer}' (it holds points); other layers: {others}. To read another one, pick it under 'How the file was read'",
    },
    'problem.bad_vector_file': {
        "zh": '无法读取该 {ext} 文件（{error_type}）：文件可能已损坏或不完整，请重新导出',
        "en": 'cannot read the {ext} file ({error_type}): it may be damaged or incomplete; export it again',
    },
    'problem.no_shapefile_in_zip': {
        "zh": '压缩包中没有矢量图层文件（.shp）；其中的文件：{files}',
        "en": 'the zip file holds no shapefile (.shp); files in it: {files}',
    },
    'problem.vector_no_crs': {
        "zh": '图层 “{layer}” 没有注明坐标系，且坐标不是经纬度：请连同坐标系文件（.prj）一起导出',
        "en": "layer '{layer}' names no coordinate system and its coordinates are not lon/lat: export it with its coordinate system (the .prj file)",
    },
    'problem.number_too_large': {
        "zh": '{value} 太大：数量须小于 {limit}',
        "en": '{value} is too large: a count must be below {limit}',
    },
    'problem.expiry_before_install': {
        "zh": '有效期 {value} 早于安装日期 {installed}：请检查这两个日期',
        "en": 'the expiry date {value} is before the installation date {installed}: check both dates',
    },
    'problem.admin_exists': {
        "zh": '只有第一个管理员可以不登录直接创建；其他用户须由管理员创建',
        "en": 'only the first administrator can be created without logging in; an administrator creates every other user',
    },
    'problem.bad_record': {
        "zh": '记录 {id} 有 {n} 个问题',
        "en": 'record {id} has {n} problem(s)',
    },
    'problem.bad_user_name': {
        "zh": '用户名须为 1 到 {max_chars} 个可打印字符',
        "en": 'a user name must be 1 to {max_chars} printable characters',
    },
    'problem.crs_needs_lonlat': {
        "zh": '坐标系为 {crs} 时须同时填写经度和纬度',
        "en": 'coordinates in {crs} need both longitude and latitude',
    },
    'problem.edit_conflict': {
        "zh": '记录 {id} 在你编辑期间已被 {changed_by} 修改（{changed_at}，版本 {expected_version} → {current_version}）。库中现为：{stored_text}；你的修改：{attempted_text}。请核对后重新保存',
        "en": 'record {id} was changed by {changed_by} while you were editing it ({changed_at}, version {expected_version} → {current_version}). Stored now: {stored_text}; yours: {attempted_text}. Check and save again',
    },
    'problem.id_exists': {
        "zh": '编号 {id} 已存在',
        "en": 'a record with id {id} exists already',
    },
    'problem.login_failed': {
        "zh": '用户名或密码错误',
        "en": 'wrong user name or password',
    },
    'problem.login_required': {
        "zh": '请先登录',
        "en": 'please log in first',
    },
    'problem.password_too_long': {
        "zh": '密码最长 {max_bytes} 字节（约 24 个汉字），现为 {n_bytes} 字节',
        "en": 'a password can have at most {max_bytes} bytes (about 24 Chinese characters); this one has {n_bytes}',
    },
    'problem.password_too_short': {
        "zh": '密码至少需要 {min_chars} 个字符',
        "en": 'a password needs at least {min_chars} characters',
    },
    'problem.permission_denied': {
        "zh": '用户 {user} 无权执行此操作',
        "en": 'user {user} may not do this (role {user_role}, needs {needed_role})',
    },
    'problem.record_retired': {
        "zh": '记录 {id} 已停用，不能再编辑',
        "en": 'record {id} is retired and cannot be edited',
    },
    'problem.store_changed': {
        "zh": '预览之后数据已被修改（版本 {expected} → {current}），请重新预览该文件后再导入',
        "en": 'the data changed after the preview (revision {expected} → {current}); preview the file again before importing',
    },
    'problem.store_schema_unknown': {
        "zh": '数据库结构版本 {revision} 比本程序新，请升级程序',
        "en": 'the database has schema revision {revision}, newer than this application; upgrade the application',
    },
    'problem.store_unavailable': {
        "zh": '无法打开数据库 {url}：{error}',
        "en": 'the database {url} cannot be opened: {error}',
    },
    'problem.too_many_attempts': {
        "zh": '登录失败次数过多，请 {minutes} 分钟后再试',
        "en": 'too many failed logins; try again in {minutes} min',
    },
    'problem.unknown_field': {
        "zh": '字段 {field} 不存在或不能在此修改',
        "en": 'field {field} does not exist or cannot be changed here',
    },
    'problem.unknown_record': {
        "zh": '找不到编号为 {id} 的记录',
        "en": 'no record with id {id}',
    },
    'problem.user_exists': {
        "zh": '用户 {name} 已存在',
        "en": 'user {name} exists already',
    },
    # ---- scripts/admin.py: creating users from the command line
    "admin_cli_created": {"zh": "已创建用户 {name}（角色：{role}）。",
                          "en": "Created user {name} (role: {role})."},
    "admin_cli_first_admin": {"zh": "数据库中还没有管理员：创建第一个管理员 {name}。",
                              "en": "The database has no admin yet: creating the first admin {name}."},
    "admin_cli_first_must_be_admin": {
        "zh": "数据库中还没有管理员：第一个用户必须是管理员（--role admin）。",
        "en": "The database has no admin yet: the first user must be an admin (--role admin).",
    },
    "admin_cli_admin_exists": {
        "zh": "已有管理员，未创建用户。请以管理员身份登录应用，在“数据管理”页的“用户”标签中添加；或加上 --by 管理员用户名，用该管理员的密码创建。",
        "en": "An admin exists already; no user was created. Log in to the app as an admin and add the user under Data › Users, or pass --by ADMIN_NAME and that admin's password.",
    },
    "admin_cli_by_unused": {"zh": "还没有管理员，不需要 --by {by}，已忽略。",
                            "en": "There is no admin yet, so --by {by} is not needed and was ignored."},
    "admin_cli_password": {"zh": "新用户 {name} 的密码", "en": "Password for the new user {name}"},
    "admin_cli_password_again": {"zh": "再次输入密码", "en": "Type the password again"},
    "admin_cli_by_password": {"zh": "管理员 {by} 的密码", "en": "Password of the admin {by}"},
    "admin_cli_mismatch": {"zh": "两次输入的密码不一致，请重试。",
                           "en": "The two passwords differ; try again."},
    "admin_cli_too_many_tries": {"zh": "尝试次数过多，未创建用户。",
                                 "en": "Too many tries; no user was created."},
    "admin_cli_no_terminal": {
        "zh": "无法提示输入密码（不在终端中运行）：请设置环境变量 {env}。未创建用户。",
        "en": "Cannot prompt for a password (not run in a terminal): set the environment variable {env}. No user was created.",
    },
    "admin_cli_cancelled": {"zh": "已取消，未创建用户。", "en": "Cancelled; no user was created."},
    "admin_cli_refused": {"zh": "未创建用户：", "en": "No user was created:"},
    'problem.bad_dms': {
        "zh": "'{value}' 的度分秒写法有误：分和秒应小于 60，且只有最后一项可带小数（例如 120°18′10.5″ 或 120°18.5′）",
        "en": "'{value}' is not valid degrees-minutes-seconds: minutes and seconds must be under 60 and only the last part may have decimals (e.g. 120°18′10.5″ or 120°18.5′)",
    },
    'problem.wrong_hemisphere': {
        "zh": "'{value}' 标明的不是{role_word}（经度写 E/W 或 东经/西经，纬度写 N/S 或 北纬/南纬）：请检查是否填错了列",
        "en": "'{value}' is marked as the other coordinate, not the {role_word} (longitude takes E/W or 东经/西经, latitude N/S or 北纬/南纬): check the column",
    },
    'problem.order_assumed': {
        "zh": "'{value}' 已按纬度在前读取：经度 {lon!r}、纬度 {lat!r}（只有这样才位于中国境内）；如不对，请写成“经度,纬度”或标注 东经/北纬",
        "en": "'{value}' was read latitude first: longitude {lon!r}, latitude {lat!r} (only that order lies in China); if that is wrong, write longitude first or label them E/N",
    },
    'problem.order_ambiguous': {
        "zh": "无法判断 '{value}' 中哪个数是经度：请按“经度,纬度”的顺序填写（例如 120.30,31.58），或分别标注 东经/北纬（E/N）",
        "en": "cannot tell which number in '{value}' is the longitude: write longitude first (e.g. 120.30,31.58) or label them E/N (东经/北纬)",
    },
    'problem.not_a_pair': {
        "zh": "'{value}' 不是一对经纬度：应写两个数，经度在前，例如 120.30,31.58；也可写度分秒或 东经120°18′ 北纬31°35′",
        "en": "'{value}' is not a longitude/latitude pair: write two numbers, longitude first, e.g. 120.30,31.58; degrees-minutes-seconds or E120°18′ N31°35′ work too",
    },
    "problem.bad_radius": {"zh": "覆盖半径 {value} 无效：应为大于 0 的米数", "en": "the radius {value} is not valid: expected metres > 0"},
    "problem.radius_or_minutes": {"zh": "请只给出一种覆盖范围：半径（米）或时间（分钟），二者选一", "en": "give the reach one way only: a radius in metres or a time in minutes, not both or neither"},
    "problem.minutes_below_turnout": {"zh": "{minutes} 分钟不足以出发：救援队集结需要 {turnout} 分钟", "en": "{minutes} minutes leave no time to travel: the team needs {turnout} minutes to turn out"},
    "problem.unknown_kind": {"zh": "未知的资源类型 {kind}：应为 {known} 之一", "en": "unknown resource kind {kind}: expected one of {known}"},
    "problem.empty_population": {"zh": "人口网格为空：没有可计算覆盖的格网单元", "en": "the population grid is empty: there are no cells to cover"},
    "problem.bad_population_frame": {"zh": "人口网格无法使用：需要带坐标系的图层，含人数列 pop，几何为格网中心点或格网方块", "en": "the population grid cannot be used: it must be a layer with a coordinate system, a pop column, and cell centre points or cell squares"},
    "problem.bad_population_values": {"zh": "人口网格中有 {n} 个人数无效（例如 {value}）：人数应为不小于 0 的数字", "en": "{n} population value(s) are not valid (e.g. {value}): people must be a number >= 0"},
    "problem.bad_resources_frame": {"zh": "资源表无法使用：需要带坐标系的点图层", "en": "the resource table cannot be used: it must be a point layer with a coordinate system"},
    "problem.bad_boundaries_frame": {"zh": "行政区划无法使用：需要带坐标系的图层，含 city 和 district 列", "en": "the district boundaries cannot be used: they must be a layer with a coordinate system and city, district columns"},
    "problem.bad_places_frame": {"zh": "地点表无法使用：需要带坐标系的点图层", "en": "the places cannot be used: they must be a point layer with a coordinate system"},
    "problem.bad_exclude_mask": {"zh": "排除标记的数量（{shape}）与资源数量（{n}）不一致", "en": "the exclusion flags ({shape}) do not match the number of resources ({n})"},
    "problem.not_a_grid": {"zh": "人口格网单元不在规则的 {cell_m} 米格网上（{crs}），无法合并出覆盖空白区域", "en": "the population cells are not on a regular {cell_m} m grid ({crs}), so gap areas cannot be drawn"},
    "problem.mixed_cell_sizes": {"zh": "人口格网单元大小不一（{sizes} 米），无法合并出覆盖空白区域", "en": "the population cells are not one size ({sizes} m), so gap areas cannot be drawn"},
    "problem.unknown_cell_size": {"zh": "无法确定人口格网单元的边长：请提供 cell_m 列", "en": "the size of the population cells is unknown: add a cell_m column"},
    "problem.siting_bad_method": {"zh": "求解方法 {method} 无效：应为 {expected}", "en": "method {method} is not valid: expected {expected}"},
    "problem.siting_bad_count": {"zh": "新增 AED 数量 {value} 无效：应为不小于 1 的整数", "en": "the number of new AEDs {value} is not valid: expected a whole number of at least 1"},
    "problem.siting_too_many": {"zh": "要新增 {n_new} 台 AED，但只有 {n_candidates} 个候选点位：请增加候选点位或减少数量", "en": "{n_new} new AEDs were asked for but there are only {n_candidates} candidate sites: add candidates or ask for fewer"},
    "problem.siting_bad_target": {"zh": "目标覆盖比例 {value} 无效：应在 0 到 1 之间（如 0.8 表示 80%）", "en": "the target share {value} is not valid: expected a share between 0 and 1 (0.8 for 80 %)"},
    "problem.siting_target_unreachable": {"zh": "无法达到目标覆盖比例 {target:.1%}：全部 {n_candidates} 个候选点位加上现有 AED 最多覆盖 {max_share:.1%} 的人口", "en": "the target share {target:.1%} cannot be reached: all {n_candidates} candidate sites together with the existing AEDs cover at most {max_share:.1%} of the people"},
    "problem.siting_not_geo": {"zh": "{what_zh}不是带坐标的地理表格", "en": "{what_en} is not a geographic table (GeoDataFrame)"},
    "problem.siting_no_crs": {"zh": "{what_zh}没有注明坐标系：请设置（经纬度用 EPSG:4326）", "en": "{what_en} names no coordinate system: set one (EPSG:4326 for lon/lat)"},
    "problem.siting_crs_mismatch": {"zh": "{what_zh}的坐标系 {crs} 与人口网格的 {expected} 不一致：请统一为同一坐标系（EPSG:4326）", "en": "{what_en} is in {crs} but the population grid is in {expected}: bring both to the same coordinate system (EPSG:4326)"},
    "problem.siting_candidates_outside": {"zh": "全部 {n} 个候选点位都在人口区域之外：请检查坐标及其坐标系", "en": "all {n} candidate sites lie outside the population area: check their coordinates and coordinate system"},
    "problem.siting_no_candidates": {"zh": "没有可选的候选点位", "en": "there are no candidate sites to choose from"},
    "problem.siting_no_24h_candidates": {"zh": "{n} 个候选点位中没有 24 小时开放的：“仅 24 小时”需要开放时间为 24 小时（或 open_24h 为 True）的候选点位", "en": "none of the {n} candidate sites is open around the clock: '24 h only' needs candidates whose hours read as 24 h (or open_24h = True)"},
    "problem.siting_existing_no_status": {"zh": "现有 AED 表缺少“status”（状态）列，无法判断哪些可用", "en": "the existing AED table has no 'status' column, so which AEDs are usable cannot be told"},
    "problem.siting_dropped_no_location": {"zh": "{n} 个候选点位没有位置，已略去：{ids}", "en": "{n} candidate site(s) without a location were left out: {ids}"},
    "problem.siting_dropped_not_24h": {"zh": "{n} 个候选点位不是 24 小时开放，已略去：{ids}", "en": "{n} candidate site(s) not open around the clock were left out: {ids}"},
    "problem.siting_dropped_outside": {"zh": "{n} 个候选点位在人口区域之外，已略去：{ids}", "en": "{n} candidate site(s) outside the population area were left out: {ids}"},
    "problem.whatif_unknown_site": {"zh": "当前没有编号为 {site_id} 的点位", "en": "no current site has the id {site_id}"},
    "problem.bad_places": {
        "zh": "地点表 {source} 有 {n} 个问题，涉及第 {row_list} 行",
        "en": "{source}: {n} problem(s) in rows {row_list}",
    },
    "problem.bad_grid_frame": {
        "zh": "人口网格需要坐标系、cell_m 列和格网中心点",
        "en": "the population grid needs a CRS, a cell_m column and cell-centre points",
    },
    "problem.network_file_missing": {"zh": "找不到道路网络文件 {name}", "en": "road network file {name} not found"},
    "problem.network_bad_type": {
        "zh": "道路网络文件 {name} 的类型不受支持：请上传 OSM XML（.osm、.xml）或 GraphML（.graphml）",
        "en": "road network file {name} is not supported: upload OSM XML (.osm, .xml) or GraphML (.graphml)",
    },
    "problem.network_unreadable": {
        "zh": "无法读取道路网络文件 {name}（{error}）：请确认它是完整的 OSM XML 或 GraphML 文件",
        "en": "cannot read the road network {name} ({error}): check that it is a complete OSM XML or GraphML file",
    },
    "problem.network_no_roads": {"zh": "道路网络 {name} 中没有道路", "en": "the road network {name} has no roads"},
    "problem.network_bad_crs": {"zh": "道路网络的坐标系 {crs} 无法识别", "en": "the road network's CRS {crs} cannot be read"},
    "problem.network_no_crs": {
        "zh": "道路网络没有注明坐标系，且节点坐标不是经纬度",
        "en": "the road network names no CRS and its node coordinates are not lon/lat",
    },
    "problem.network_bad_nodes": {"zh": "道路网络的每个节点都需要数值坐标 x、y", "en": "every road network node needs numeric x and y"},
    "problem.network_too_far": {
        "zh": "查询点距道路网络超过 {limit_m} 米（{first_m} 米）：请上传覆盖该处的道路网络，或取消上传改用直线距离",
        "en": "the query point is more than {limit_m} m from the road network ({first_m} m): upload a network that covers it, or remove it to use straight-line distances",
    },
    "problem.network_no_candidates": {
        "zh": "{n} 个候选资源都不在道路网络 {limit_m} 米范围内",
        "en": "none of the {n} candidate resources is within {limit_m} m of the road network",
    },
    "problem.table_has_errors": {
        "zh": "{what}：有 {n} 个问题",
        "en": "{what}: {n} problem(s)",
    },
    "problem.bad_argument": {
        "zh": "{name} 的值 {value} 无效：应为 {expected}",
        "en": "{name} = {value} is not valid: expected {expected}",
    },
    'problem.bad_encoding': {
        "zh": '无法把文件读成文本（既不是 UTF-8 也不是 GBK 编码）：请在 Excel 中另存为“CSV UTF-8”或 .xlsx',
        "en": "cannot read the file as text (it is neither UTF-8 nor GBK): save it from Excel as 'CSV UTF-8' or as .xlsx",
    },
    'problem.binary_file': {
        "zh": '这不是 CSV 表格（文件含有二进制数据）：请上传 .csv 或 .xlsx 文件',
        "en": 'this is not a CSV table (the file contains binary data): upload a .csv or .xlsx file',
    },
    'problem.bad_workbook': {
        "zh": '无法作为工作簿打开（{error_type}）：文件可能已损坏或带密码；请用 Excel 或 WPS 打开后另存为 .xlsx 或 .csv',
        "en": 'cannot open the file as a workbook ({error_type}): it may be damaged or password-protected; open it in Excel or WPS and save it again as .xlsx or .csv',
    },
    'problem.sheet_chosen': {
        "zh": '已读取工作表 “{sheet}”（它的表头有经纬度列）；其他有内容的工作表：{others}。如果数据在别的工作表，请在“读取方式”中选择',
        "en": "read sheet '{sheet}' (its header names the coordinates); other sheets with content: {others}. If the data is on another sheet, pick it under 'How the file was read'",
    },
    'problem.unknown_sheet': {
        "zh": '没有名为 “{sheet}” 的工作表；工作表有：{sheets}',
        "en": "there is no sheet named '{sheet}'; the sheets are: {sheets}",
    },
    'problem.header_row_found': {
        "zh": '表头在第 {row} 行（上方的标题行已跳过），列为：{found}。如果不对，请在“读取方式”中修改表头行',
        "en": "the header is on row {row} (title lines above it were skipped); columns: {found}. If that is wrong, change the header row under 'How the file was read'",
    },
    'problem.bad_header_row': {
        "zh": '第 {row} 行不能作为表头：表头须在前 {last} 行之内且不能是空行',
        "en": 'row {row} cannot be the header: it must be a non-blank row within the first {last} rows',
    },
    'problem.upload_too_large': {
        "zh": '文件有 {size_mb} MB，超过上限 {limit_mb} MB，未读取',
        "en": 'the file is {size_mb} MB, over the {limit_mb} MB limit; it was not read',
    },
    'problem.too_many_rows': {
        "zh": '文件有 {n} 行数据，超过一次最多 {limit} 行，未读取',
        "en": 'the file has {n} data rows, more than the {limit} one batch takes; it was not read',
    },
    'problem.broken_quote': {
        "zh": '第 {line} 行的引号没有闭合，这一行无法可靠读取，已跳过；后面的行照常读取',
        "en": 'the quote opened on line {line} never closes, so this line cannot be read reliably and was skipped; the lines after it were read',
    },
    'problem.cell_too_long': {
        "zh": '这一行有一个单元格长达 {n_chars} 个字符，超过表格单元格上限 {limit} 个字符，已跳过',
        "en": 'a cell in this row holds {n_chars} characters, more than the {limit} a spreadsheet cell can hold; the row was skipped',
    },
    'problem.bad_bytes': {
        "zh": '第 {line} 行有无法识别的字符（文件编码混杂），已跳过',
        "en": 'line {line} holds bytes that are not text in the file\'s encoding (mixed encodings); it was skipped',
    },
    'problem.unknown_column': {
        "zh": '文件中没有列 “{column}”；文件中的列：{found}',
        "en": "the file has no column '{column}'; columns found: {found}",
    },
    'problem.not_a_workbook': {
        "zh": '文件后缀是 {ext}，但内容不是工作簿；如果它是 CSV 表格，请把后缀改为 .csv',
        "en": 'the file is named {ext} but is not a workbook; if it is a CSV table, rename it to .csv',
    },
    'problem.unsupported_type': {
        "zh": '不支持的文件类型 {ext!r}：可以上传 {accepted}',
        "en": 'unsupported file type {ext!r}: upload one of {accepted}',
    },
    'problem.workbook_named_csv': {
        "zh": '文件名是 CSV，但实际是工作簿；已按工作簿读取',
        "en": 'the file is a workbook with a CSV name; read it as a workbook',
    },
    'problem.empty_file': {
        "zh": '文件中没有任何行（文件为空）',
        "en": 'the file has no rows (it is empty)',
    },
    'problem.header_only': {
        "zh": '文件中没有数据行（只有表头）',
        "en": 'the file has no rows (only a header)',
    },
    'problem.missing_column': {
        "zh": '找不到{role_word}列（列名可以是 {aliases}、“事发地{role_word}”或一列“经纬度”）；表头取自第 {header_row} 行，列为：{found}。可在“读取方式”中改表头行或指定列',
        "en": "no {role_word} column found (any of {aliases}, a header containing '{role_word}', or one 'lon,lat' column); the header was taken from row {header_row}: {found}. Change the header row or pick the column under 'How the file was read'",
    },
    'problem.too_many_cells': {
        "zh": '这一行有 {n_cells} 个或更多单元格，但表头只有 {n_header} 列：某个值可能含有未加引号的逗号（例如小数逗号 120,3）',
        "en": 'the row has {n_cells} or more cells but the header has {n_header}: a value probably holds an unquoted comma (e.g. a decimal comma 120,3)',
    },
    'problem.empty_cell': {
        "zh": '单元格为空：这里需要填写数字',
        "en": 'empty cell: a number is required',
    },
    'problem.not_a_number': {
        "zh": "'{value}' 不是数字",
        "en": "'{value}' is not a number",
    },
    'problem.not_finite': {
        "zh": '{value!r} 不是有限的数字',
        "en": '{value!r} is not a finite number',
    },
    'problem.two_numbers': {
        "zh": "'{value}' 里有两个数字：请把经度和纬度分别填在两列",
        "en": "'{value}' holds two numbers; put longitude and latitude in separate columns",
    },
    'problem.decimal_comma': {
        "zh": "'{value}' 中的小数逗号已按小数点读作 {number!r}",
        "en": "decimal comma in '{value}' read as {number!r}",
    },
    'problem.baidu_mercator': {
        "zh": "不支持 '{value}'（百度墨卡托坐标，单位为米）：请改为导出 BD-09 经纬度",
        "en": "'{value}' (Baidu Mercator, metres) is not supported: export BD-09 longitude/latitude instead",
    },
    'problem.unknown_crs': {
        "zh": "无法识别的坐标系 '{value}'；请使用 {accepted}",
        "en": "unknown coordinate system '{value}'; use {accepted}",
    },
    'problem.swapped_lonlat': {
        "zh": '经纬度似乎颠倒了：经度 {lon!r}、纬度 {lat!r}（交换后该点位于中国境内）',
        "en": 'longitude {lon!r} and latitude {lat!r} look swapped (swapped, the point is in China)',
    },
    'problem.swapped_fixed': {
        "zh": '经纬度颠倒了，已自动交换：经度 {lon!r}，纬度 {lat!r}',
        "en": 'longitude and latitude were swapped; read as lon={lon!r}, lat={lat!r}',
    },
    'problem.out_of_range': {
        "zh": '{role_word} {value!r} 超出范围 [-{limit:g}, {limit:g}]',
        "en": '{role_word} {value!r} is out of range [-{limit:g}, {limit:g}]',
    },
    'problem.outside_city': {
        "zh": '({lon:.5f}, {lat:.5f}) 在{place}范围之外：不在 {n_districts} 个区县中的任何一个内',
        "en": '({lon:.5f}, {lat:.5f}) is outside {place}: it is in none of the {n_districts} districts',
    },
    'problem.outside_china': {
        "zh": '({lon:.5f}, {lat:.5f}) 在中国境外',
        "en": '({lon:.5f}, {lat:.5f}) is outside China',
    },
    'problem.duplicate_incident': {
        "zh": "事件编号 '{incident}' 与第 {first_row} 行重复",
        "en": "incident '{incident}' is also on row {first_row}",
    },
    'problem.missing_columns': {
        "zh": '缺少列：{missing}；文件中的列：{found}',
        "en": 'missing column(s): {missing}; found: {found}',
    },
    'problem.empty_value': {
        "zh": '该项为空',
        "en": 'is empty',
    },
    'problem.duplicate_id': {
        "zh": '编号 {id!r} 被多行重复使用',
        "en": 'id {id!r} is used by more than one row',
    },
    'problem.not_one_of': {
        "zh": '{value!r} 不是可选值（{allowed}）之一',
        "en": '{value!r} is not one of {allowed}',
    },
    'problem.outside_china_range': {
        "zh": '{value} 超出中国的{role_word}范围（{lo}..{hi}）',
        "en": "{value} is outside China's {role_word}s ({lo}..{hi})",
    },
    'problem.bad_hours': {
        "zh": "无法识别开放时间 {value!r}：可写 24小时、08:00-17:30、08:00-12:00,14:00-18:00 或 周一至周五 08:00-17:30",
        "en": "cannot read the opening hours {value!r}: write 24h, 08:00-17:30, 08:00-12:00,14:00-18:00 or Mo-Fr 08:00-17:30",
    },
    'problem.not_a_date': {
        "zh": '{value!r} 不是日期（格式为 YYYY-MM-DD）',
        "en": '{value!r} is not a date (YYYY-MM-DD)',
    },
    'problem.not_whole_number': {
        "zh": '{value!r} 不是大于或等于 0 的整数',
        "en": '{value!r} is not a whole number >= 0',
    },
    'problem.unknown_venue': {
        "zh": '{value!r} 不是已知的场所类型',
        "en": '{value!r} is not a known venue type',
    },
    'problem.bad_placement': {
        "zh": '{value!r} 既不是 indoor（室内）也不是 outdoor（室外）',
        "en": '{value!r} is not indoor or outdoor',
    },
    'problem.unknown_district': {
        "zh": '{district!r} 不是 {city!r} 的区县',
        "en": '{district!r} is not a district of {city!r}',
    },
    'problem.outside_district': {
        "zh": '该点位于{area}，而不是{district}',
        "en": 'the point lies in {area}, not in {district}',
    },
    'problem.outside_all_districts': {
        "zh": '该点不在任何区县内（应在{district}）',
        "en": 'the point lies in no district, not in {district}',
    },
    'problem.below_minimum': {
        "zh": '{value!r} 小于最小值 {minimum:g}',
        "en": '{value!r} is below the minimum {minimum:g}',
    },
    'problem.bad_resources': {
        "zh": '资源表 {source} 有 {n} 个问题，涉及第 {row_list} 行',
        "en": '{source}: {n} problem(s) in rows {row_list}',
    },
    'problem.bad_population': {
        "zh": '人口网格表 {source} 有 {n} 个问题，涉及第 {row_list} 行',
        "en": 'population grid {source}: {n} problem(s) in rows {row_list}',
    },
    'problem.missing_file': {
        "zh": '缺少数据文件 {file}（文件夹 {folder}）',
        "en": 'data file {file} is missing (folder {folder})',
    },
    'problem.unreadable_file': {
        "zh": '无法读取数据文件 {file}：{error}',
        "en": 'data file {file} cannot be read: {error}',
    },
    'problem.bad_setting': {
        "zh": '设置 {name} 的值 {value!r} 不可用：应为 {expected}',
        "en": 'setting {name} has an impossible value {value!r}: expected {expected}',
    },
    # ---- suggested fixes (fix code -> text; same params as the problem)
    'fix.upload_table': {
        "zh": '上传表格文件：.csv、.tsv、.txt、.xlsx、.xls 或 .ods',
        "en": 'upload a table: .csv, .tsv, .txt, .xlsx, .xls or .ods',
    },
    'fix.split_file': {
        "zh": '把文件拆成几份分批上传，或只保留需要的列',
        "en": 'split the file and upload it in parts, or keep only the columns needed',
    },
    'fix.close_quote': {
        "zh": '在该行补上缺少的引号 "，或去掉多余的引号',
        "en": 'add the missing quote " on that line, or remove the stray one',
    },
    'fix.shorten_cell': {
        "zh": '缩短该单元格的内容',
        "en": 'shorten that cell',
    },
    'fix.pick_column': {
        "zh": '在“读取方式”中从列表里选择列',
        "en": "pick the column from the list under 'How the file was read'",
    },
    'fix.split_pair': {
        "zh": '经度和纬度分两列填写，或把列名改为“经纬度”',
        "en": "put longitude and latitude in two columns, or name the column 'lon,lat'",
    },
    'fix.write_pair': {
        "zh": '写成“经度,纬度”，例如 120.30,31.58',
        "en": 'write it as lon,lat, e.g. 120.30,31.58',
    },
    'fix.write_pair_labels': {
        "zh": '标明经纬度，例如“东经120.30 北纬31.58”',
        "en": 'label them, e.g. E120.30 N31.58',
    },
    'fix.check_dms': {
        "zh": '度分秒中的分和秒应小于 60，例如 120°18′10″',
        "en": 'minutes and seconds must be under 60, e.g. 120°18′10″',
    },
    'fix.save_csv_utf8_or_xlsx': {
        "zh": '另存为“CSV UTF-8”或 .xlsx',
        "en": 'save as CSV UTF-8 or .xlsx',
    },
    'fix.save_xlsx_or_csv': {
        "zh": '另存为 .xlsx 或 .csv',
        "en": 'save as .xlsx or .csv',
    },
    'fix.rename_csv': {
        "zh": '把文件后缀改为 .csv',
        "en": 'rename to .csv',
    },
    'fix.add_column': {
        "zh": '添加一列，列名为“{role}”或“{role_word}”',
        "en": "add a column named '{role}'",
    },
    'fix.quote_or_decimal_point': {
        "zh": '给该值加上引号，或改用小数点',
        "en": 'quote the value or use a decimal point',
    },
    'fix.use_known_crs': {
        "zh": '改用 WGS84、GCJ-02 或 BD-09',
        "en": 'use WGS84, GCJ-02 or BD-09',
    },
    'fix.swap_lonlat': {
        "zh": '交换经度和纬度',
        "en": 'swap lon and lat',
    },
    'fix.check_coords_crs': {
        "zh": '检查坐标及其坐标系',
        "en": 'check the coordinates and their CRS',
    },
    'fix.check_coords': {
        "zh": '检查坐标',
        "en": 'check the coordinates',
    },
    'fix.unique_id': {
        "zh": '给每个事件一个不同的编号',
        "en": 'give each incident its own id',
    },
    'severity.error': {
        "zh": '错误',
        "en": 'error',
    },
    'severity.warning': {
        "zh": '警告',
        "en": 'warning',
    },

}


def t(key: str, lang: str = "zh", **kwargs: Any) -> str:
    """Return the string ``key`` in ``lang`` (falls back to Chinese, then to the key itself)."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["zh"]
    return text.format(**kwargs) if kwargs else text


def value_label(field: str, value: object, lang: str) -> str:
    """Translate a coded value (status, specialty, venue type, placement) if the table has it."""
    prefix = {"venue_type": "venue"}.get(field, field)
    key = f"{prefix}_{value}"
    return t(key, lang) if key in STRINGS else str(value)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|<>~$])")


def md_text(value: object) -> str:
    """Data text made literal for Streamlit's Markdown (st.caption, st.warning, st.info ...).

    Sheet names, place names and typed text come from users and partners: a ``[link](...)``,
    an image ``![](http://...)`` (a request leaving the machine), ``**bold**``, a ``:red[...]``
    directive or ``$math$`` must show as the characters typed. Every Markdown character is
    backslash-escaped and line breaks become spaces.
    """
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def list_text(items: Sequence[str], lang: str) -> str:
    """Join items the way the language lists them (顿号 "、" in Chinese, ", " in English)."""
    return ("、" if lang == "zh" else ", ").join(str(i) for i in items)


def people_text(people: float, lang: str) -> str:
    """A head count for a KPI card: 万 in Chinese (1,067.3 万), millions in English (10.67 M)."""
    return t("people_wan", lang, n=people / 1e4) if lang == "zh" else t(
        "people_million", lang, n=people / 1e6)


_ROLE_WORDS: dict[str, dict[str, str]] = {
    "zh": {"lon": "经度", "lat": "纬度"},
    "en": {"lon": "longitude", "lat": "latitude"},
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _context(params: Any, lang: str) -> dict[str, Any]:
    """The params plus values whose wording depends on the language (role word, lists, place)."""
    ctx = dict(params) if isinstance(params, Mapping) else {}
    role = ctx.get("role")
    if role in _ROLE_WORDS[lang]:
        ctx["role_word"] = _ROLE_WORDS[lang][role]
    columns = ctx.get("columns")
    if isinstance(columns, (list, tuple)) and "found" not in ctx:
        if lang == "zh":
            ctx["found"] = "、".join(f"“{c}”" for c in columns) or "无"
        else:
            ctx["found"] = ", ".join(repr(c) for c in columns) or "none"
    for key in ("others", "sheets"):
        if isinstance(ctx.get(key), (list, tuple)):
            ctx[key] = list_text([f"“{v}”" if lang == "zh" else repr(v) for v in ctx[key]],
                                 lang)
    cities = ctx.get("cities")
    if isinstance(cities, (list, tuple)):
        key = "zh" if lang == "zh" else "en"
        names = [schema.CITIES.get(str(c).lower(), {}).get(key, str(c)) for c in cities]
        ctx["place"] = "/".join(names) if names else t("given_boundaries", lang)
    return ctx


def _render(key: str, params: Any, lang: str, fallback: Any) -> Any:
    entry = STRINGS.get(key)
    if entry is None:
        return fallback
    lang = _lang(lang)
    try:
        return entry[lang].format(**_context(params, lang))
    except (KeyError, IndexError, ValueError, TypeError, AttributeError):
        return fallback


def problem_text(code: str | None, params: Mapping[str, Any] | None, lang: str,
                 fallback: Any = "") -> Any:
    """A problem's message in ``lang`` ("zh" or "en"), or ``fallback`` for an unknown code.

    ``fallback`` is also returned when the params lack a value the template needs.
    """
    if not isinstance(code, str):
        return fallback
    if code in _SPEC_NAMED and isinstance(params, Mapping):
        params = _spec_named(params, lang)
    return _render(f"problem.{code}", params, lang, fallback)


#: Problems whose ``column``/``derived`` params are spec column names (not a file's header
#: text) and whose ``value`` is a code: shown with their labels in the UI language.
_SPEC_NAMED = frozenset({"column_defaulted", "columns_derived"})


def _spec_label(column: str, lang: str) -> str:
    for key in (f"f_{column}", f"col_{column}", column):
        if key in STRINGS:
            return t(key, lang)
    return column


def _spec_named(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    out = dict(params)
    column = out.get("column")
    if isinstance(column, str):
        value = out.get("value")
        if column == "kind" and isinstance(value, str):
            out["value"] = t(f"kind_{value}", lang)
        elif isinstance(value, str):
            out["value"] = value_label(column, value, lang)
        out["column"] = _spec_label(column, _lang(lang))
    derived = out.get("derived")
    if isinstance(derived, str):
        out["derived"] = list_text([_spec_label(c.strip(), _lang(lang))
                                    for c in derived.split(",")], _lang(lang))
    return out


def fix_text(fix_code: str | None, params: Mapping[str, Any] | None, lang: str,
             fallback: Any = None) -> Any:
    """A suggested fix in ``lang``, or ``fallback`` for an unknown or missing fix code."""
    if not isinstance(fix_code, str):
        return fallback
    return _render(f"fix.{fix_code}", params, lang, fallback)


def severity_text(severity: Any, lang: str) -> Any:
    """"error"/"warning" in ``lang`` (错误/警告 in Chinese); other values unchanged."""
    if not isinstance(severity, str):
        return severity
    return _render(f"severity.{severity}", {}, lang, severity)


def has_problem(code: str) -> bool:
    """True when the catalogue words problem ``code``."""
    return f"problem.{code}" in STRINGS


def has_fix(fix_code: str) -> bool:
    """True when the catalogue words fix ``fix_code``."""
    return f"fix.{fix_code}" in STRINGS


def error_text(exc: BaseException, lang: str, *, prefix: str | None = "input_error") -> str:
    """An engine error for the user: its code's message in ``lang``, else its developer text.

    Errors raised with a ``code`` (``geo.errors.GeoError``) are worded from the catalogue; an
    error without one shows its developer message, which still names the argument and value.
    ``prefix`` is the catalogue key of the words put before it ("输入有误："), or None.
    """
    code = getattr(exc, "code", None)
    text = problem_text(code, getattr(exc, "params", None), lang, None) if code else None
    if text is None:
        text = str(exc)
    return f"{t(prefix, lang)} {text}" if prefix else text


def _merge(extra: dict[str, dict[str, str]]) -> None:
    twice = sorted(STRINGS.keys() & extra.keys())
    if twice:
        msg = f"catalogue keys defined twice: {', '.join(twice)}"
        raise RuntimeError(msg)
    STRINGS.update(extra)


_merge(DATA_STRINGS)
