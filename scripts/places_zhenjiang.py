"""Real public places in Zhenjiang (镇江) carrying Red Cross resources, WGS84, placed from public knowledge."""

from __future__ import annotations

from typing import Any

#: Coordinates are WGS84 (GPS/OSM/Wikipedia style), not Amap GCJ-02.
SOURCE_CRS = "wgs84"

#: Public places with AEDs. ``n_aed`` is illustrative (the Zhenjiang report gives no count) and sums
#: to 160. Railway-station anchors follow the Wikipedia coordinates of 镇江站, 镇江南站, 丹阳站, 丹徒站.
AED_SITES: list[dict[str, Any]] = [
    # --- rail ---
    {"name": "镇江站", "name_en": "Zhenjiang Railway Station", "venue_type": "rail",
     "district": "润州区", "address": "润州区中山西路", "lon": 119.42694, "lat": 32.19917,
     "n_aed": 10, "placement": "indoor"},
    {"name": "镇江南站", "name_en": "Zhenjiang South Railway Station", "venue_type": "rail",
     "district": "丹徒区", "address": "丹徒区谷阳镇檀山路东侧", "lon": 119.41860, "lat": 32.15435,
     "n_aed": 8, "placement": "indoor"},
    {"name": "丹徒站", "name_en": "Dantu Railway Station", "venue_type": "rail",
     "district": "丹徒区", "address": "丹徒区辛丰镇东街村", "lon": 119.51584, "lat": 32.11797,
     "n_aed": 3, "placement": "indoor"},
    {"name": "丹阳站", "name_en": "Danyang Railway Station", "venue_type": "rail",
     "district": "丹阳市", "address": "丹阳市云阳街道", "lon": 119.58750, "lat": 32.00333,
     "n_aed": 6, "placement": "indoor"},
    {"name": "丹阳北站", "name_en": "Danyang North Railway Station", "venue_type": "rail",
     "district": "丹阳市", "address": "丹阳市开发区", "lon": 119.62850, "lat": 32.03850,
     "n_aed": 5, "placement": "indoor"},
    {"name": "句容站", "name_en": "Jurong Railway Station", "venue_type": "rail",
     "district": "句容市", "address": "句容市华阳南路东侧", "lon": 119.17100, "lat": 31.92200,
     "n_aed": 5, "placement": "indoor"},
    {"name": "镇江汽车客运站", "name_en": "Zhenjiang Bus Station", "venue_type": "bus_stop",
     "district": "润州区", "address": "润州区中山西路(镇江站北广场)", "lon": 119.42850, "lat": 32.20200,
     "n_aed": 3, "placement": "indoor"},
    # --- hospitals ---
    {"name": "江苏大学附属医院", "name_en": "Affiliated Hospital of Jiangsu University",
     "venue_type": "hospital", "district": "京口区", "address": "京口区解放路438号",
     "lon": 119.45900, "lat": 32.19000, "n_aed": 8, "placement": "indoor"},
    {"name": "镇江市第一人民医院", "name_en": "Zhenjiang First People's Hospital",
     "venue_type": "hospital", "district": "京口区", "address": "京口区电力路8号",
     "lon": 119.46250, "lat": 32.20550, "n_aed": 8, "placement": "indoor"},
    {"name": "丹阳市人民医院", "name_en": "Danyang People's Hospital", "venue_type": "hospital",
     "district": "丹阳市", "address": "丹阳市新民西路2号", "lon": 119.57300, "lat": 32.00400,
     "n_aed": 5, "placement": "indoor"},
    {"name": "句容市人民医院", "name_en": "Jurong People's Hospital", "venue_type": "hospital",
     "district": "句容市", "address": "句容市华阳街道", "lon": 119.16500, "lat": 31.94800,
     "n_aed": 5, "placement": "indoor"},
    {"name": "扬中市人民医院", "name_en": "Yangzhong People's Hospital", "venue_type": "hospital",
     "district": "扬中市", "address": "扬中市三茅街道", "lon": 119.81000, "lat": 32.23800,
     "n_aed": 5, "placement": "indoor"},
    # --- malls ---
    {"name": "镇江苏宁广场", "name_en": "Zhenjiang Suning Plaza", "venue_type": "mall",
     "district": "京口区", "address": "京口区中山东路(大市口)", "lon": 119.45450, "lat": 32.20400,
     "n_aed": 5, "placement": "indoor"},
    {"name": "镇江八佰伴", "name_en": "Zhenjiang Yaohan Department Store", "venue_type": "mall",
     "district": "京口区", "address": "京口区中山东路", "lon": 119.45800, "lat": 32.20450,
     "n_aed": 4, "placement": "indoor"},
    # --- schools ---
    {"name": "江苏大学", "name_en": "Jiangsu University", "venue_type": "school",
     "district": "京口区", "address": "京口区学府路301号", "lon": 119.51300, "lat": 32.20000,
     "n_aed": 10, "placement": "indoor"},
    {"name": "江苏科技大学(梦溪校区)", "name_en": "Jiangsu University of Science and Technology (Mengxi)",
     "venue_type": "school", "district": "京口区", "address": "京口区梦溪路2号",
     "lon": 119.47150, "lat": 32.19850, "n_aed": 6, "placement": "indoor"},
    # --- scenic areas and parks ---
    {"name": "金山风景区", "name_en": "Jinshan Scenic Area", "venue_type": "scenic",
     "district": "润州区", "address": "润州区金山路62号", "lon": 119.42100, "lat": 32.21700,
     "n_aed": 6, "placement": "outdoor"},
    {"name": "西津渡历史文化街区", "name_en": "Xijindu Historic Street", "venue_type": "scenic",
     "district": "润州区", "address": "润州区长江路西津渡街", "lon": 119.43700, "lat": 32.21450,
     "n_aed": 5, "placement": "outdoor"},
    {"name": "北固山风景区", "name_en": "Beigushan Scenic Area", "venue_type": "scenic",
     "district": "京口区", "address": "京口区东吴路3号", "lon": 119.47900, "lat": 32.21700,
     "n_aed": 4, "placement": "outdoor"},
    {"name": "焦山风景区", "name_en": "Jiaoshan Scenic Area", "venue_type": "scenic",
     "district": "京口区", "address": "京口区东吴路焦山渡口", "lon": 119.52900, "lat": 32.22050,
     "n_aed": 4, "placement": "outdoor"},
    {"name": "南山风景区", "name_en": "Nanshan Scenic Area", "venue_type": "scenic",
     "district": "润州区", "address": "润州区南山路", "lon": 119.44000, "lat": 32.17350,
     "n_aed": 3, "placement": "outdoor"},
    {"name": "茅山风景区", "name_en": "Maoshan Scenic Area", "venue_type": "scenic",
     "district": "句容市", "address": "句容市茅山镇", "lon": 119.31000, "lat": 31.79000,
     "n_aed": 5, "placement": "outdoor"},
    {"name": "宝华山国家森林公园", "name_en": "Baohuashan National Forest Park", "venue_type": "scenic",
     "district": "句容市", "address": "句容市宝华镇", "lon": 119.09200, "lat": 32.12200,
     "n_aed": 3, "placement": "outdoor"},
    {"name": "伯先公园", "name_en": "Boxian Park", "venue_type": "park",
     "district": "润州区", "address": "润州区伯先路", "lon": 119.44650, "lat": 32.20600,
     "n_aed": 2, "placement": "outdoor"},
    # --- government service halls and stadium ---
    {"name": "镇江市政务服务中心", "name_en": "Zhenjiang Government Service Center",
     "venue_type": "gov_service", "district": "润州区", "address": "润州区南徐大道",
     "lon": 119.42100, "lat": 32.18400, "n_aed": 4, "placement": "indoor"},
    {"name": "丹阳市政务服务中心", "name_en": "Danyang Government Service Center",
     "venue_type": "gov_service", "district": "丹阳市", "address": "丹阳市云阳街道",
     "lon": 119.59500, "lat": 31.99500, "n_aed": 3, "placement": "indoor"},
    {"name": "句容市政务服务中心", "name_en": "Jurong Government Service Center",
     "venue_type": "gov_service", "district": "句容市", "address": "句容市华阳街道",
     "lon": 119.17200, "lat": 31.94500, "n_aed": 3, "placement": "indoor"},
    {"name": "扬中市政务服务中心", "name_en": "Yangzhong Government Service Center",
     "venue_type": "gov_service", "district": "扬中市", "address": "扬中市三茅街道",
     "lon": 119.81600, "lat": 32.23300, "n_aed": 3, "placement": "indoor"},
    {"name": "丹徒区政务服务中心", "name_en": "Dantu Government Service Center",
     "venue_type": "gov_service", "district": "丹徒区", "address": "丹徒区谷阳大道",
     "lon": 119.43800, "lat": 32.13000, "n_aed": 3, "placement": "indoor"},
    {"name": "镇江体育会展中心", "name_en": "Zhenjiang Sports and Exhibition Center",
     "venue_type": "stadium", "district": "润州区", "address": "润州区南徐大道",
     "lon": 119.40800, "lat": 32.18200, "n_aed": 5, "placement": "indoor"},
]

#: Red Cross first-aid stations at the main gates of the seven scenic areas named in the report.
FIRST_AID_STATIONS: list[dict[str, Any]] = [
    {"name": "金山景区红十字救护站", "name_en": "Jinshan Red Cross First-Aid Station",
     "serves": "金山风景区", "district": "润州区", "address": "润州区金山路62号(景区大门)",
     "lon": 119.42100, "lat": 32.21700, "hours": "07:30-17:30", "staff": 4},
    {"name": "焦山景区红十字救护站", "name_en": "Jiaoshan Red Cross First-Aid Station",
     "serves": "焦山风景区", "district": "京口区", "address": "京口区东吴路焦山渡口(景区大门)",
     "lon": 119.52900, "lat": 32.22050, "hours": "07:30-17:30", "staff": 3},
    {"name": "北固山景区红十字救护站", "name_en": "Beigushan Red Cross First-Aid Station",
     "serves": "北固山风景区", "district": "京口区", "address": "京口区东吴路3号(景区大门)",
     "lon": 119.47900, "lat": 32.21700, "hours": "07:30-17:30", "staff": 3},
    {"name": "西津渡红十字救护站", "name_en": "Xijindu Red Cross First-Aid Station",
     "serves": "西津渡历史文化街区", "district": "润州区", "address": "润州区长江路西津渡街口",
     "lon": 119.43700, "lat": 32.21450, "hours": "08:00-22:00", "staff": 3},
    {"name": "南山景区红十字救护站", "name_en": "Nanshan Red Cross First-Aid Station",
     "serves": "南山风景区", "district": "润州区", "address": "润州区南山路(北大门)",
     "lon": 119.44000, "lat": 32.17350, "hours": "07:30-17:30", "staff": 2},
    {"name": "茅山景区红十字救护站", "name_en": "Maoshan Red Cross First-Aid Station",
     "serves": "茅山风景区", "district": "句容市", "address": "句容市茅山镇(景区西大门)",
     "lon": 119.31000, "lat": 31.79000, "hours": "07:30-17:00", "staff": 4},
    {"name": "宝华山景区红十字救护站", "name_en": "Baohuashan Red Cross First-Aid Station",
     "serves": "宝华山国家森林公园", "district": "句容市", "address": "句容市宝华镇(景区大门)",
     "lon": 119.09200, "lat": 32.12200, "hours": "08:00-17:00", "staff": 2},
]

#: The city water-rescue team named in the report plus district teams (sizes are illustrative).
RESCUE_TEAMS: list[dict[str, Any]] = [
    {"name": "镇江市红十字应急救援队", "name_en": "Zhenjiang Red Cross Emergency Rescue Team",
     "specialty": "water_rescue", "district": "润州区", "address": "润州区长江路(长江镇江段训练水域)",
     "lon": 119.44900, "lat": 32.21000, "members": 60, "boats": 4, "vehicles": 3},
    {"name": "京口区红十字搜救队", "name_en": "Jingkou Red Cross Search and Rescue Team",
     "specialty": "search_rescue", "district": "京口区", "address": "京口区学府路",
     "lon": 119.49500, "lat": 32.19500, "members": 30, "boats": 0, "vehicles": 2},
    {"name": "丹徒区红十字应急救护队", "name_en": "Dantu Red Cross Medical Response Team",
     "specialty": "medical", "district": "丹徒区", "address": "丹徒区谷阳大道",
     "lon": 119.44200, "lat": 32.12700, "members": 25, "boats": 0, "vehicles": 2},
    {"name": "丹阳市红十字应急救援队", "name_en": "Danyang Red Cross Emergency Rescue Team",
     "specialty": "search_rescue", "district": "丹阳市", "address": "丹阳市云阳街道",
     "lon": 119.57900, "lat": 31.99700, "members": 40, "boats": 1, "vehicles": 3},
    {"name": "句容市红十字山地救援队", "name_en": "Jurong Red Cross Mountain Rescue Team",
     "specialty": "mountain", "district": "句容市", "address": "句容市华阳街道",
     "lon": 119.16000, "lat": 31.95200, "members": 35, "boats": 0, "vehicles": 2},
    {"name": "扬中市红十字水上救援队", "name_en": "Yangzhong Red Cross Water Rescue Team",
     "specialty": "water_rescue", "district": "扬中市", "address": "扬中市三茅街道",
     "lon": 119.80500, "lat": 32.24200, "members": 30, "boats": 3, "vehicles": 2},
]

#: The four relief stores in the report (stocks illustrative; a flood in Jurong and Dantu drew
#: 200 family kits from city stock).
RELIEF_STORES: list[dict[str, Any]] = [
    {"name": "镇江市红十字备灾救灾仓库", "name_en": "Zhenjiang Red Cross Relief Store",
     "district": "京口区", "address": "京口区丁卯桥路", "lon": 119.49200, "lat": 32.17500,
     "capacity_m3": 1800,
     "stock": {"family_kit": 600, "tent": 80, "quilt": 1200, "life_jacket": 300, "water_case": 500}},
    {"name": "丹徒区红十字备灾仓库", "name_en": "Dantu Red Cross Relief Store",
     "district": "丹徒区", "address": "丹徒区谷阳大道", "lon": 119.44500, "lat": 32.13200,
     "capacity_m3": 600,
     "stock": {"family_kit": 250, "tent": 30, "quilt": 400, "life_jacket": 150, "water_case": 200}},
    {"name": "句容市红十字备灾仓库", "name_en": "Jurong Red Cross Relief Store",
     "district": "句容市", "address": "句容市华阳街道", "lon": 119.17500, "lat": 31.95000,
     "capacity_m3": 700,
     "stock": {"family_kit": 300, "tent": 40, "quilt": 500, "life_jacket": 120, "water_case": 250}},
    {"name": "丹阳市红十字备灾仓库", "name_en": "Danyang Red Cross Relief Store",
     "district": "丹阳市", "address": "丹阳市云阳街道", "lon": 119.58200, "lat": 32.01000,
     "capacity_m3": 700,
     "stock": {"family_kit": 300, "tent": 40, "quilt": 500, "life_jacket": 100, "water_case": 250}},
]

#: Six community hubs (the report's count), one per district or county-level city.
COMMUNITY_HUBS: list[dict[str, Any]] = [
    {"name": "正东路街道红十字博爱家园", "name_en": "Zhengdonglu Red Cross Community Hub",
     "district": "京口区", "address": "京口区正东路街道", "lon": 119.46800, "lat": 32.20500},
    {"name": "宝塔路街道红十字博爱家园", "name_en": "Baotalu Red Cross Community Hub",
     "district": "润州区", "address": "润州区宝塔路街道", "lon": 119.44000, "lat": 32.19800},
    {"name": "高资街道红十字博爱家园", "name_en": "Gaozi Red Cross Community Hub",
     "district": "丹徒区", "address": "丹徒区高资街道", "lon": 119.30000, "lat": 32.15500},
    {"name": "云阳街道红十字博爱家园", "name_en": "Yunyang Red Cross Community Hub",
     "district": "丹阳市", "address": "丹阳市云阳街道", "lon": 119.59000, "lat": 32.00800},
    {"name": "三茅街道红十字博爱家园", "name_en": "Sanmao Red Cross Community Hub",
     "district": "扬中市", "address": "扬中市三茅街道", "lon": 119.82000, "lat": 32.24000},
    {"name": "华阳街道红十字博爱家园", "name_en": "Huayang Red Cross Community Hub",
     "district": "句容市", "address": "句容市华阳街道", "lon": 119.16800, "lat": 31.94200},
]

#: Two first-aid training bases (illustrative).
TRAINING_BASES: list[dict[str, Any]] = [
    {"name": "镇江市红十字应急救护培训基地", "name_en": "Zhenjiang Red Cross First-Aid Training Base",
     "district": "京口区", "address": "京口区学府路", "lon": 119.50500, "lat": 32.19800,
     "trainees_per_year": 6000},
    {"name": "丹阳市红十字救护培训中心", "name_en": "Danyang Red Cross First-Aid Training Center",
     "district": "丹阳市", "address": "丹阳市云阳街道", "lon": 119.58500, "lat": 31.99800,
     "trainees_per_year": 2500},
]
