"""Every string shown to users, in 中文 and English; ``t(key)`` picks the session's language."""

from __future__ import annotations

from typing import Any

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
    "batch_upload": {"zh": "上传事件文件（CSV 或 XLSX，需含经度/纬度列）",
                     "en": "Upload incidents (CSV or XLSX with lon/lat columns)"},
    "batch_default_crs": {"zh": "未注明坐标系时按", "en": "CRS when the file does not say"},
    "batch_fix_swapped": {"zh": "自动交换颠倒的经纬度",
                          "en": "Swap reversed lon/lat automatically"},
    "batch_summary": {"zh": "共 {n} 行，可用 {ok} 行，问题 {bad} 个。",
                      "en": "{n} rows, {ok} usable, {bad} problem(s)."},
    "batch_problems": {"zh": "文件中的问题", "en": "Problems in the file"},
    "download_csv": {"zh": "下载结果 CSV", "en": "Download CSV"},
    "download_geojson": {"zh": "下载结果 GeoJSON", "en": "Download GeoJSON"},
    "template": {"zh": "下载模板", "en": "Download a template"},
    "input_error": {"zh": "输入有误：", "en": "Input problem:"},
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
