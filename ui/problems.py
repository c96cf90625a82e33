"""Validation problems in the user's language: zh/en templates keyed by geo's problem codes.

``geo.validate.Problem`` carries English ``message``/``fix`` text plus a stable ``code``,
``fix_code`` and the ``params`` the message names. The templates here rebuild both texts in
Chinese or English (the English ones reproduce geo's messages). An unknown code, or params a
template cannot be filled from, gives the caller's fallback (the English text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo import schema

#: Problem messages by code: {"zh": ..., "en": ...}, str.format-ed with the problem's params
#: (plus the derived ``role_word``, ``found`` and, in Chinese, ``place``; see _context).
MESSAGES: dict[str, dict[str, str]] = {
    # whole file (geo.incidents)
    "bad_encoding": {
        "zh": "无法把文件读成文本（既不是 UTF-8 也不是 GBK 编码）：请在 Excel 中另存为"
              "“CSV UTF-8”或 .xlsx",
        "en": "cannot read the file as text (it is neither UTF-8 nor GBK): save it from Excel "
              "as 'CSV UTF-8' or as .xlsx",
    },
    "binary_file": {
        "zh": "这不是 CSV 表格（文件含有二进制数据）：请上传 .csv 或 .xlsx 文件",
        "en": "this is not a CSV table (the file contains binary data): upload a .csv or "
              ".xlsx file",
    },
    "bad_csv": {
        "zh": "无法读取该 CSV 表格：{error}",
        "en": "this is not a readable CSV table: {error}",
    },
    "bad_xlsx": {
        "zh": "无法作为 Excel .xlsx 工作簿打开（{error_type}）：请重新另存为 .xlsx 或 .csv",
        "en": "cannot open the file as an Excel .xlsx workbook ({error_type}): save it again "
              "as .xlsx or .csv",
    },
    "other_sheets_ignored": {
        "zh": "已读取工作表 {sheet!r}，忽略了其他工作表：{others}",
        "en": "read sheet {sheet!r}; other sheets ignored: {others}",
    },
    "xls_unsupported": {
        "zh": "不支持旧版 Excel .xls 文件：请用 Excel 或 WPS 打开，另存为 .xlsx 或“CSV UTF-8”",
        "en": "old Excel .xls files are not supported: open it in Excel or WPS and save it as "
              ".xlsx or as CSV UTF-8",
    },
    "not_a_workbook": {
        "zh": "文件后缀是 {ext}，但内容不是 Excel 工作簿；如果它是 CSV 表格，请把后缀改为 .csv",
        "en": "the file is named {ext} but is not an Excel workbook; if it is a CSV table, "
              "rename it to .csv",
    },
    "unsupported_type": {
        "zh": "不支持的文件类型 {ext!r}：请上传 .csv 或 .xlsx 文件",
        "en": "unsupported file type {ext!r}: upload a .csv or .xlsx file",
    },
    "workbook_named_csv": {
        "zh": "文件名是 CSV，但实际是 Excel 工作簿；已按 .xlsx 读取",
        "en": "the file is an Excel workbook with a CSV name; read it as .xlsx",
    },
    "empty_file": {
        "zh": "文件中没有任何行（文件为空）",
        "en": "the file has no rows (it is empty)",
    },
    "header_only": {
        "zh": "文件中没有数据行（只有表头）",
        "en": "the file has no rows (only a header)",
    },
    "missing_column": {
        "zh": "缺少{role_word}列“{role}”（列名可以是 {aliases} 中任意一个）；文件中的列：{found}",
        "en": "missing the {role_word} column '{role}' (any of {aliases}); columns found: "
              "{found}",
    },
    # one row (geo.incidents)
    "too_many_cells": {
        "zh": "这一行有 {n_cells} 个或更多单元格，但表头只有 {n_header} 列：某个值可能含有"
              "未加引号的逗号（例如小数逗号 120,3）",
        "en": "the row has {n_cells} or more cells but the header has {n_header}: a value "
              "probably holds an unquoted comma (e.g. a decimal comma 120,3)",
    },
    "empty_cell": {
        "zh": "单元格为空：这里需要填写数字",
        "en": "empty cell: a number is required",
    },
    "not_a_number": {
        "zh": "'{value}' 不是数字",
        "en": "'{value}' is not a number",
    },
    "not_finite": {
        "zh": "{value!r} 不是有限的数字",
        "en": "{value!r} is not a finite number",
    },
    "two_numbers": {
        "zh": "'{value}' 里有两个数字：请把经度和纬度分别填在两列",
        "en": "'{value}' holds two numbers; put longitude and latitude in separate columns",
    },
    "decimal_comma": {
        "zh": "'{value}' 中的小数逗号已按小数点读作 {number!r}",
        "en": "decimal comma in '{value}' read as {number!r}",
    },
    "baidu_mercator": {
        "zh": "不支持 '{value}'（百度墨卡托坐标，单位为米）：请改为导出 BD-09 经纬度",
        "en": "'{value}' (Baidu Mercator, metres) is not supported: export BD-09 "
              "longitude/latitude instead",
    },
    "unknown_crs": {
        "zh": "无法识别的坐标系 '{value}'；请使用 {accepted}",
        "en": "unknown coordinate system '{value}'; use {accepted}",
    },
    "swapped_lonlat": {
        "zh": "经纬度似乎颠倒了：经度 {lon!r}、纬度 {lat!r}（交换后该点位于中国境内）",
        "en": "longitude {lon!r} and latitude {lat!r} look swapped (swapped, the point is in "
              "China)",
    },
    "swapped_fixed": {
        "zh": "经纬度颠倒了，已自动交换：经度 {lon!r}，纬度 {lat!r}",
        "en": "longitude and latitude were swapped; read as lon={lon!r}, lat={lat!r}",
    },
    "out_of_range": {
        "zh": "{role_word} {value!r} 超出范围 [-{limit:g}, {limit:g}]",
        "en": "{role_word} {value!r} is out of range [-{limit:g}, {limit:g}]",
    },
    "outside_city": {
        "zh": "({lon:.5f}, {lat:.5f}) 在{place}范围之外：不在 {n_districts} 个区县中的任何一个内",
        "en": "({lon:.5f}, {lat:.5f}) is outside {place}: it is in none of the {n_districts} "
              "districts",
    },
    "outside_china": {
        "zh": "({lon:.5f}, {lat:.5f}) 在中国境外",
        "en": "({lon:.5f}, {lat:.5f}) is outside China",
    },
    "duplicate_incident": {
        "zh": "事件编号 '{incident}' 与第 {first_row} 行重复",
        "en": "incident '{incident}' is also on row {first_row}",
    },
    # resource tables (geo.validate)
    "missing_columns": {
        "zh": "缺少列：{missing}；文件中的列：{found}",
        "en": "missing column(s): {missing}; found: {found}",
    },
    "empty_value": {"zh": "该项为空", "en": "is empty"},
    "duplicate_id": {
        "zh": "编号 {id!r} 被多行重复使用",
        "en": "id {id!r} is used by more than one row",
    },
    "not_one_of": {
        "zh": "{value!r} 不是可选值（{allowed}）之一",
        "en": "{value!r} is not one of {allowed}",
    },
    "outside_china_range": {
        "zh": "{value} 超出中国的{role_word}范围（{lo}..{hi}）",
        "en": "{value} is outside China's {role_word}s ({lo}..{hi})",
    },
    "bad_hours": {
        "zh": "{value!r} 不是“24h”或“HH:MM-HH:MM”格式的开放时间",
        "en": "{value!r} is not '24h' or 'HH:MM-HH:MM'",
    },
    "not_a_date": {
        "zh": "{value!r} 不是日期（格式为 YYYY-MM-DD）",
        "en": "{value!r} is not a date (YYYY-MM-DD)",
    },
    "not_whole_number": {
        "zh": "{value!r} 不是大于或等于 0 的整数",
        "en": "{value!r} is not a whole number >= 0",
    },
    "unknown_venue": {
        "zh": "{value!r} 不是已知的场所类型",
        "en": "{value!r} is not a known venue type",
    },
    "bad_placement": {
        "zh": "{value!r} 既不是 indoor（室内）也不是 outdoor（室外）",
        "en": "{value!r} is not indoor or outdoor",
    },
    "unknown_district": {
        "zh": "{district!r} 不是 {city!r} 的区县",
        "en": "{district!r} is not a district of {city!r}",
    },
    "outside_district": {
        "zh": "该点位于{area}，而不是{district}",
        "en": "the point lies in {area}, not in {district}",
    },
    "outside_all_districts": {
        "zh": "该点不在任何区县内（应在{district}）",
        "en": "the point lies in no district, not in {district}",
    },
}

#: Suggested fixes by fix code, formatted with the same params as the message.
FIXES: dict[str, dict[str, str]] = {
    "save_csv_utf8_or_xlsx": {"zh": "另存为“CSV UTF-8”或 .xlsx",
                              "en": "save as CSV UTF-8 or .xlsx"},
    "upload_csv_or_xlsx": {"zh": "上传 .csv 或 .xlsx 文件", "en": "upload a .csv or .xlsx file"},
    "save_xlsx_or_csv": {"zh": "另存为 .xlsx 或 .csv", "en": "save as .xlsx or .csv"},
    "rename_csv": {"zh": "把文件后缀改为 .csv", "en": "rename to .csv"},
    "add_column": {"zh": "添加一列，列名为“{role}”或“{role_word}”",
                   "en": "add a column named '{role}'"},
    "quote_or_decimal_point": {"zh": "给该值加上引号，或改用小数点",
                               "en": "quote the value or use a decimal point"},
    "use_known_crs": {"zh": "改用 WGS84、GCJ-02 或 BD-09", "en": "use WGS84, GCJ-02 or BD-09"},
    "swap_lonlat": {"zh": "交换经度和纬度", "en": "swap lon and lat"},
    "check_coords_crs": {"zh": "检查坐标及其坐标系", "en": "check the coordinates and their CRS"},
    "check_coords": {"zh": "检查坐标", "en": "check the coordinates"},
    "unique_id": {"zh": "给每个事件一个不同的编号", "en": "give each incident its own id"},
}

SEVERITIES: dict[str, dict[str, str]] = {
    "error": {"zh": "错误", "en": "error"},
    "warning": {"zh": "警告", "en": "warning"},
}

_ROLE_WORDS: dict[str, dict[str, str]] = {
    "zh": {"lon": "经度", "lat": "纬度"},
    "en": {"lon": "longitude", "lat": "latitude"},
}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "zh"


def _context(params: Any, lang: str) -> dict[str, Any]:
    """The params plus values whose wording depends on the language."""
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
    cities = ctx.get("cities")
    if lang == "zh" and isinstance(cities, (list, tuple)):
        names = [schema.CITIES.get(str(c).lower(), {}).get("zh", str(c)) for c in cities]
        ctx["place"] = "/".join(names) if names else "给定边界"
    return ctx


def _render(table: dict[str, dict[str, str]], code: Any, params: Any, lang: str,
            fallback: Any) -> Any:
    entry = table.get(code) if isinstance(code, str) else None
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

    ``fallback`` is normally the problem's English ``message``; it is also returned when the
    params lack a value the template needs.
    """
    return _render(MESSAGES, code, params, lang, fallback)


def fix_text(fix_code: str | None, params: Mapping[str, Any] | None, lang: str,
             fallback: Any = None) -> Any:
    """A suggested fix in ``lang``, or ``fallback`` (the English ``fix``) for an unknown code."""
    return _render(FIXES, fix_code, params, lang, fallback)


def severity_text(severity: Any, lang: str) -> Any:
    """"error"/"warning" in ``lang`` (错误/警告 in Chinese); other values unchanged."""
    entry = SEVERITIES.get(severity) if isinstance(severity, str) else None
    return entry[_lang(lang)] if entry else severity
