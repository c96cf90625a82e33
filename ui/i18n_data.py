"""Texts of the data page (import, edit, export, audit, users) and of logins, zh and en.

:mod:`ui.i18n` merges them into its catalogue (a key defined twice is an error there).
"""

from __future__ import annotations

DATA_STRINGS: dict[str, dict[str, str]] = {
    "page_data": {"zh": "数据管理", "en": "Data"},
    "data_help": {
        "zh": "导入合作方的表格或地图文件（先预览，再一次性提交），在表单或地图上编辑记录，"
              "导出当前数据。每次修改都记录在审计日志中。",
        "en": "Import a partner's spreadsheet or map file (preview first, then one commit), edit "
              "records in a form or on the map, export the current data. Every change is kept in "
              "the audit log.",
    },
    "data_section": {"zh": "功能", "en": "Section"},
    "tab_import": {"zh": "导入", "en": "Import"},
    "tab_edit": {"zh": "编辑", "en": "Edit"},
    "tab_export": {"zh": "导出", "en": "Export"},
    "tab_audit": {"zh": "审计日志", "en": "Audit log"},
    "tab_users": {"zh": "用户", "en": "Users"},
    # ---- logins
    "login_title": {"zh": "登录", "en": "Log in"},
    "login_name": {"zh": "用户名", "en": "User name"},
    "login_password": {"zh": "密码", "en": "Password"},
    "login_button": {"zh": "登录", "en": "Log in"},
    "logout_button": {"zh": "退出登录", "en": "Log out"},
    "logged_in_as": {"zh": "已登录：{name}（{role}）", "en": "Logged in as {name} ({role})"},
    "login_expired": {
        "zh": "登录已超过 {minutes} 分钟无操作，已自动退出，请重新登录。",
        "en": "You were logged out after {minutes} minutes without activity. Please log in again.",
    },
    "login_to_edit": {
        "zh": "导入和编辑数据需要编辑员或管理员账号登录。",
        "en": "Importing and editing need a login as an editor or admin.",
    },
    "login_to_view": {
        "zh": "本系统设置为登录后查看。",
        "en": "This dashboard is set to require a login for viewing.",
    },
    "role_cannot_edit": {
        "zh": "您的角色是“{role}”，只能查看和导出；导入和编辑需要编辑员或管理员。",
        "en": "Your role is {role}: you can view and export. Importing and editing need an "
              "editor or admin.",
    },
    "user_role_viewer": {"zh": "查看员", "en": "viewer"},
    "user_role_editor": {"zh": "编辑员", "en": "editor"},
    "user_role_admin": {"zh": "管理员", "en": "admin"},
    # ---- import
    "import_help": {
        "zh": "支持 CSV、TXT、XLSX、XLS、ODS、GeoJSON、GeoPackage、KML。表头可为中文或英文；"
              "高德、腾讯坐标选 GCJ-02，百度坐标选 BD-09。按编号导入：同一文件再导入不会产生重复；"
              "文件中没有的列（如开放时间）保留库中原值。",
        "en": "CSV, TXT, XLSX, XLS, ODS, GeoJSON, GeoPackage and KML. Headers in Chinese or "
              "English; Amap and Tencent coordinates are GCJ-02, Baidu's BD-09. Records are "
              "matched by id, so importing the same file again duplicates nothing; columns the "
              "file does not have (opening hours, say) keep their stored values.",
    },
    "import_file": {"zh": "选择文件", "en": "Choose a file"},
    "import_default_kind": {"zh": "资源类型", "en": "Resource type"},
    "import_kind_from_file": {"zh": "按文件中的“类型”列", "en": "From the file's type column"},
    "import_crs": {"zh": "坐标系（文件未注明时）",
                   "en": "Coordinate system (if the file does not say)"},
    "import_replace": {"zh": "文件为完整名录", "en": "The file is the complete registry"},
    "import_replace_help": {
        "zh": "勾选后，库中有而文件中没有的记录将被停用（退役）。",
        "en": "When ticked, records in the store that the file does not list are retired.",
    },
    "import_new": {"zh": "新增", "en": "New"},
    "import_changed": {"zh": "变更", "en": "Changed"},
    "import_unchanged": {"zh": "不变", "en": "Unchanged"},
    "import_rejected": {"zh": "拒收", "en": "Rejected"},
    "import_retire": {"zh": "将退役", "en": "To retire"},
    "import_read_rejected": {
        "zh": "读取文件时已有 {n} 行无法使用，原因见下表。",
        "en": "{n} rows could not be used while reading the file; see the reasons below.",
    },
    "import_preview": {"zh": "提交后将发生的变化", "en": "What committing will change"},
    "import_problems": {"zh": "问题与拒收原因", "en": "Problems and reasons for rejection"},
    "import_download_rejected": {"zh": "下载问题清单 CSV", "en": "Download the problems (CSV)"},
    "import_rejected_name": {"zh": "导入问题清单", "en": "import-problems"},
    "import_commit": {"zh": "提交导入", "en": "Commit the import"},
    "import_nothing": {
        "zh": "文件中没有需要写入的变化（全部不变或被拒收）。",
        "en": "Nothing in the file would change the store (every row is unchanged or rejected).",
    },
    "import_done": {
        "zh": "已提交：新增 {added} 条，变更 {changed} 条，退役 {retired} 条，拒收 {rejected} 行。"
              "数据版本 {revision}。",
        "en": "Committed: {added} new, {changed} changed, {retired} retired, {rejected} rows "
              "rejected. Data revision {revision}.",
    },
    "col_changes": {"zh": "变化", "en": "Changes"},
    "col_status": {"zh": "处理", "en": "Outcome"},
    # ---- edit
    "edit_mode": {"zh": "操作", "en": "Action"},
    "edit_mode_edit": {"zh": "修改已有记录", "en": "Edit a record"},
    "edit_mode_add": {"zh": "新增记录", "en": "Add a record"},
    "edit_search": {"zh": "按编号或名称查找", "en": "Find by id or name"},
    "edit_record": {"zh": "记录", "en": "Record"},
    "edit_pick": {"zh": "选择一条记录", "en": "Pick a record"},
    "edit_map_help": {
        "zh": "在地图上单击设置新位置，或拖动红色标记。",
        "en": "Click the map to set a new position, or drag the red marker.",
    },
    "pending_position": {"zh": "新位置（未保存）", "en": "New position (not saved)"},
    "edit_new_position": {
        "zh": "新位置：经度 {lon}，纬度 {lat}（{district}）",
        "en": "New position: longitude {lon}, latitude {lat} ({district})",
    },
    "edit_save_position": {"zh": "保存新位置", "en": "Save the new position"},
    "edit_save": {"zh": "保存修改", "en": "Save changes"},
    "edit_saved": {"zh": "已保存 {id}。", "en": "Saved {id}."},
    "edit_retired": {"zh": "已退役 {id}。", "en": "Retired {id}."},
    "edit_nothing_changed": {"zh": "没有修改任何内容。", "en": "Nothing was changed."},
    "edit_inspected_today": {"zh": "记录今日巡检", "en": "Record an inspection today"},
    "edit_delivery": {"zh": "调整库存", "en": "Adjust stock"},
    "edit_item": {"zh": "物资", "en": "Item"},
    "edit_delta": {"zh": "增减数量", "en": "Change"},
    "edit_delta_help": {
        "zh": "到货为正数，发放为负数；结果不会小于 0。",
        "en": "Positive for a delivery, negative for what went out; the result stays at least 0.",
    },
    "edit_apply_delta": {"zh": "更新库存", "en": "Update the stock"},
    "edit_retire": {"zh": "退役", "en": "Retire"},
    "edit_retire_help": {
        "zh": "退役后该记录不再出现在地图和分析中，历史仍保留；再次导入可恢复。",
        "en": "A retired record leaves the map and the analyses; its history stays, and "
              "importing it again brings it back.",
    },
    "edit_retire_confirm": {"zh": "确认退役", "en": "Retire it"},
    "edit_reload": {"zh": "载入最新值后重新编辑", "en": "Load the newest values and edit again"},
    "edit_history": {"zh": "修改历史", "en": "History"},
    "col_field": {"zh": "字段", "en": "Field"},
    "col_stored_now": {"zh": "库中现值（他人已修改）",
                       "en": "Stored now (changed by someone else)"},
    "col_yours": {"zh": "您的修改", "en": "Your change"},
    "add_click_map": {
        "zh": "在地图上单击放置新记录。",
        "en": "Click the map to place the new record.",
    },
    "add_needs_position": {
        "zh": "请先在地图上单击，给新记录一个位置。",
        "en": "Click the map first to give the new record a position.",
    },
    "add_save": {"zh": "新增", "en": "Add"},
    "add_done": {"zh": "已新增 {id}。", "en": "Added {id}."},
    "hours_help": {
        "zh": "例如 24/7、Mo-Fr 08:00-18:00、每天 09:00-17:00。",
        "en": "For example 24/7, Mo-Fr 08:00-18:00, or daily 09:00-17:00.",
    },
    "f_name_en": {"zh": "英文名称", "en": "English name"},
    # ---- export
    "export_help": {
        "zh": "导出当前数据（按侧栏城市和下方类型筛选）。CSV 中以 = + - @ 开头的文字已加撇号，"
              "不会被表格软件当作公式执行。",
        "en": "Export the current data (filtered by the sidebar city and the types below). In "
              "the CSV, text starting with = + - @ gets an apostrophe so spreadsheets do not run "
              "it as a formula.",
    },
    "export_count": {"zh": "共 {n} 条记录", "en": "{n} records"},
    "export_name": {"zh": "应急资源", "en": "emergency-resources"},
    # ---- audit
    "col_time": {"zh": "时间（北京时间）", "en": "Time (China)"},
    "col_user": {"zh": "用户", "en": "User"},
    "col_action": {"zh": "操作", "en": "Action"},
    "col_version": {"zh": "版本", "en": "Version"},
    "col_before": {"zh": "修改前", "en": "Before"},
    "col_after": {"zh": "修改后", "en": "After"},
    "audit_days": {"zh": "最近天数", "en": "Last days"},
    "audit_all": {"zh": "全部", "en": "All"},
    "audit_count": {"zh": "共 {n} 条", "en": "{n} entries"},
    "audit_name": {"zh": "审计日志", "en": "audit-log"},
    "action_seed": {"zh": "载入演示数据", "en": "demo loaded"},
    "action_add": {"zh": "新增", "en": "added"},
    "action_update": {"zh": "修改", "en": "updated"},
    "action_move": {"zh": "移动", "en": "moved"},
    "action_retire": {"zh": "退役", "en": "retired"},
    "action_import": {"zh": "导入", "en": "imported"},
    "action_status": {"zh": "状态变更", "en": "status changed"},
    "action_stock": {"zh": "库存调整", "en": "stock adjusted"},
    "action_create_user": {"zh": "创建用户", "en": "user created"},
    "action_set_role": {"zh": "角色变更", "en": "role changed"},
    # ---- users
    "col_role": {"zh": "角色", "en": "Role"},
    "col_created": {"zh": "创建时间", "en": "Created"},
    "col_last_login": {"zh": "上次登录", "en": "Last login"},
    "user_new": {"zh": "新建用户", "en": "New user"},
    "user_password_again": {"zh": "再次输入密码", "en": "Password again"},
    "user_password_mismatch": {"zh": "两次输入的密码不一致。", "en": "The passwords differ."},
    "user_create": {"zh": "创建", "en": "Create"},
    "user_created": {"zh": "已创建用户 {name}。", "en": "User {name} created."},
    "user_change_role": {"zh": "修改角色", "en": "Change a role"},
    "user_set_role": {"zh": "保存角色", "en": "Save the role"},
    "user_role_set": {"zh": "{name} 现在是{role}。", "en": "{name} is now {role}."},
    "problem.unknown_user": {"zh": "没有用户“{name}”。", "en": "There is no user {name!r}."},
    "problem.last_admin": {
        "zh": "“{name}”是唯一的管理员，不能改为其他角色；请先指定另一位管理员。",
        "en": "{name!r} is the only admin and keeps the role; make someone else admin first.",
    },
}
