"""Every message a person can read, in zh-CN and English, keyed by a stable code."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- errors: request shape -------------------------------------------------------------
    "bad_request": {"zh": "请求有误。", "en": "The request is not valid."},
    "malformed_json": {
        "zh": "请求内容不是有效的 JSON，请检查括号、引号和逗号。",
        "en": "The request body is not valid JSON; check its brackets, quotes and commas.",
    },
    "invalid_characters": {
        "zh": "提交的内容含有无法保存的字符（例如控制字符），请删除后重试。",
        "en": "The request contains characters that cannot be stored (such as control "
        "characters); remove them and try again.",
    },
    "validation_error": {
        "zh": "提交的信息有误，请按提示修改。",
        "en": "Some of the information is not valid; please correct it as shown.",
    },
    "field_required": {"zh": "此项必填。", "en": "This field is required."},
    "unknown_field": {"zh": "不认识的字段。", "en": "This field is not recognised."},
    "wrong_type": {"zh": "格式不正确。", "en": "Wrong format."},
    "type.text": {"zh": "格式不正确：应为文本。", "en": "Wrong format: expected text."},
    "type.integer": {
        "zh": "格式不正确：应为整数。",
        "en": "Wrong format: expected a whole number.",
    },
    "type.number": {"zh": "格式不正确：应为数字。", "en": "Wrong format: expected a number."},
    "type.boolean": {
        "zh": "格式不正确：应为是或否。",
        "en": "Wrong format: expected true or false.",
    },
    "type.list": {"zh": "格式不正确：应为列表。", "en": "Wrong format: expected a list."},
    "type.object": {"zh": "格式不正确：应为对象。", "en": "Wrong format: expected an object."},
    "too_long": {"zh": "内容过长。", "en": "This is too long."},
    "body_too_large": {
        "zh": "提交的内容过大（上限 {limit} 字节）。",
        "en": "The request is too large (limit {limit} bytes).",
    },
    "unsupported_media_type": {
        "zh": "不支持的内容类型，请以 JSON 提交。",
        "en": "Unsupported content type; send JSON.",
    },
    "not_found": {"zh": "没有找到这个页面或记录。", "en": "Nothing was found here."},
    "method_not_allowed": {"zh": "不支持此操作。", "en": "This method is not allowed here."},
    "internal_error": {
        "zh": "系统出了点问题，请稍后再试；您的数据没有丢失。",
        "en": "Something went wrong on our side; please try again later. Nothing was lost.",
    },
    "service_unavailable": {
        "zh": "服务暂时不可用，请稍后再试。",
        "en": "The service is temporarily unavailable; please try again later.",
    },
    # --- errors: identity ------------------------------------------------------------------
    "not_authenticated": {"zh": "请先登录。", "en": "Please sign in first."},
    "invalid_token": {
        "zh": "登录凭证无效，请重新登录。",
        "en": "Your sign-in is not valid; please sign in again.",
    },
    "token_expired": {
        "zh": "登录已过期，请重新登录。",
        "en": "Your sign-in has expired; please sign in again.",
    },
    "forbidden": {"zh": "您没有权限进行此操作。", "en": "You are not allowed to do this."},
    "csrf_failed": {
        "zh": "页面已过期，请刷新后重新提交。",
        "en": "This page has expired; please reload it and submit again.",
    },
    "invalid_credentials": {
        "zh": "账号或密码不正确。",
        "en": "The account or password is not correct.",
    },
    "too_many_attempts": {
        "zh": "尝试次数过多，请 {minutes} 分钟后再试。",
        "en": "Too many attempts; please try again in {minutes} minutes.",
    },
    "account_disabled": {"zh": "此账号已停用。", "en": "This account is disabled."},
    "invalid_name": {
        "zh": "请填写身份证上的姓名（2–30 个字，可含间隔号·）。",
        "en": "Enter your name as on your ID card (2–30 characters; · allowed).",
    },
    "invalid_id_number": {
        "zh": "公民身份号码不正确，请核对后重新填写（18 位，最后一位可能是 X）。",
        "en": "The resident ID number is not valid; check it (18 characters, the last may be X).",
    },
    "invalid_id_number.checksum": {
        "zh": "公民身份号码校验位不正确，请逐位核对。",
        "en": "The check character of the ID number is wrong; check each digit.",
    },
    "invalid_id_number.birth_date": {
        "zh": "公民身份号码中的出生日期不存在。",
        "en": "The birth date inside the ID number does not exist.",
    },
    "invalid_id_number.region": {
        "zh": "公民身份号码中的行政区划代码不存在。",
        "en": "The division code inside the ID number does not exist.",
    },
    "invalid_phone": {
        "zh": "请填写 11 位中国大陆手机号码。",
        "en": "Enter an 11-digit mainland China mobile number.",
    },
    "invalid_uscc": {
        "zh": "统一社会信用代码不正确（18 位，请核对校验位）。",
        "en": "The unified social credit code is not valid (18 characters; check the last one).",
    },
    "weak_password": {
        "zh": "密码太简单：至少 8 位，包含字母和数字或符号，且不能包含手机号或生日。",
        "en": "The password is too weak: at least 8 characters, letters plus digits or symbols, "
        "and not your phone number or birth date.",
    },
    "account_exists": {
        "zh": "该身份证号或手机号已经注册，请直接登录。",
        "en": "An account with this ID number or mobile number already exists; please sign in.",
    },
    "realname_mismatch": {
        "zh": "姓名与公民身份号码不一致，请按身份证填写。",
        "en": "The name and ID number do not match the population registry; "
        "enter them as on your ID card.",
    },
    "registry_unavailable": {
        "zh": "暂时无法连接公安人口库进行实名核验，请稍后再试。",
        "en": "The population registry cannot be reached for verification; try again later.",
    },
    "unknown_department": {"zh": "没有这个部门：{code}", "en": "No such department: {code}"},
    "unknown_role": {
        "zh": "部门 {department} 没有角色 {role}。",
        "en": "Department {department} has no role {role}.",
    },
    "unknown_service": {"zh": "没有这个事项：{code}", "en": "No such service: {code}"},
    "unknown_bundle": {"zh": "没有这个“一件事”：{code}", "en": "No such bundle: {code}"},
    "catalog_not_loaded": {
        "zh": "事项目录尚未加载，请管理员运行 yiwang catalog load。",
        "en": "The service catalogue is not loaded yet; an administrator must run "
        "yiwang catalog load.",
    },
    "invalid_region_code": {
        "zh": "行政区划代码不存在（6 位数字）。",
        "en": "No such division code (6 digits).",
    },
    "invalid_date": {
        "zh": "日期格式不正确，请按 2026-01-31 的格式填写。",
        "en": "Not a valid date; use the form 2026-01-31.",
    },
    "invalid_option": {"zh": "请从给出的选项中选择。", "en": "Choose one of the options given."},
    "service_or_bundle": {
        "zh": "请只选择一个事项（service）或一件事（bundle）。",
        "en": "Give exactly one of service or bundle.",
    },
    "wrong_audience": {
        "zh": "此事项不面向您的账号类型办理。",
        "en": "This service is not offered to your kind of account.",
    },
    "idempotency_conflict": {
        "zh": "同一个幂等键（Idempotency-Key）已用于另一份不同的申请。",
        "en": "This Idempotency-Key was already used for a different submission.",
    },
    "task_already_decided": {
        "zh": "该任务已经办理，不能重复决定。",
        "en": "This task has already been decided.",
    },
    "action_not_allowed": {
        "zh": "这一环节不能进行此操作：{action}",
        "en": "This step does not allow: {action}",
    },
    "reason_required": {
        "zh": "不予许可或退回补正时，请写明理由。",
        "en": "Give a reason when rejecting or returning an application.",
    },
    "not_returned": {
        "zh": "此办件没有被退回补正，无需补充材料。",
        "en": "This application was not returned for corrections.",
    },
    "not_withdrawable": {
        "zh": "此办件已经办结，不能撤销。",
        "en": "This application is already decided and cannot be withdrawn.",
    },
    "region_query_required": {
        "zh": "请输入要查询的行政区划名称或代码。",
        "en": "Enter a division name or code to look up.",
    },
    # --- pages -----------------------------------------------------------------------------
    "site.name": {"zh": "一网通办", "en": "One-Network Services"},
    "page.skip_to_content": {"zh": "跳到正文", "en": "Skip to content"},
    "nav.label": {"zh": "主导航", "en": "Main navigation"},
    "nav.hello": {"zh": "您好，{name}", "en": "Hello, {name}"},
    "nav.login": {"zh": "登录", "en": "Sign in"},
    "nav.logout": {"zh": "退出", "en": "Sign out"},
    "nav.register": {"zh": "实名注册", "en": "Register"},
    "nav.switch_language": {"zh": "English", "en": "中文"},
    "nav.elder_on": {"zh": "长辈版", "en": "Large text"},
    "nav.elder_off": {"zh": "标准版", "en": "Standard text"},
    "footer.hotline": {
        "zh": "政务服务便民热线 {hotline}",
        "en": "Government service hotline {hotline}",
    },
    "home.title": {"zh": "一网通办，一次办好", "en": "Every service, one place, done once"},
    "home.lead": {
        "zh": "一个账号办理全县各部门的事项；能共享的数据不用您再填，能共享的材料不用您再交。",
        "en": "One account for every department's services. Data the government already "
        "holds is not asked for again, and neither are papers it can check itself.",
    },
    "home.register_cta": {"zh": "实名注册", "en": "Register with your ID"},
    "home.my_account": {"zh": "进入我的办事", "en": "Go to my account"},
    "home.promises": {"zh": "我们的承诺", "en": "What we promise"},
    "home.promise.once": {"zh": "一次申请", "en": "Apply once"},
    "home.promise.once_text": {
        "zh": "一件事一张表，相关部门同时办理。",
        "en": "One form for one life event; every department involved works on it at once.",
    },
    "home.promise.data": {"zh": "数据多跑路", "en": "Data travels, not you"},
    "home.promise.data_text": {
        "zh": "经您同意，从相关部门调取已有信息，谁查看过您的数据都有记录。",
        "en": "With your consent we fetch what departments already hold, and every look "
        "at your data is recorded for you to see.",
    },
    "home.promise.parallel": {"zh": "限时办结", "en": "Clear deadlines"},
    "home.promise.parallel_text": {
        "zh": "每个环节按工作日计时，进度随时可查。",
        "en": "Every step has a deadline in working days, and you can follow it.",
    },
    "home.departments": {"zh": "本县办事部门", "en": "The county's departments"},
    "login.title": {"zh": "登录", "en": "Sign in"},
    "login.username": {"zh": "账号", "en": "Account"},
    "login.username_hint": {
        "zh": "手机号、身份证号或用户名",
        "en": "Mobile number, ID number or user name",
    },
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登录", "en": "Sign in"},
    "login.no_account": {"zh": "还没有账号？", "en": "No account yet?"},
    "register.title": {"zh": "实名注册", "en": "Register with your real name"},
    "register.lead": {
        "zh": "请按居民身份证填写。我们会向公安人口库核验姓名与身份证号是否一致，"
        "核验通过即可办事。",
        "en": "Fill this in as on your resident ID card. We check your name and ID number "
        "with the population registry; once they match you can use every service.",
    },
    "register.name": {"zh": "姓名", "en": "Full name"},
    "register.name_hint": {"zh": "与身份证一致", "en": "As on your ID card"},
    "register.id_number": {"zh": "公民身份号码", "en": "Resident ID number"},
    "register.id_number_hint": {
        "zh": "18 位；老式 15 位号码也可以，系统会自动升位",
        "en": "18 characters; an old 15-digit number is upgraded for you",
    },
    "register.phone": {"zh": "手机号码", "en": "Mobile number"},
    "register.password": {"zh": "设置密码", "en": "Choose a password"},
    "register.password_hint": {
        "zh": "至少 8 位，包含字母和数字或符号",
        "en": "At least 8 characters, with letters and digits or symbols",
    },
    "register.submit": {"zh": "核验并注册", "en": "Verify and register"},
    "register.privacy": {
        "zh": "您的身份证号只用于实名核验和办事，页面上只显示部分号码。",
        "en": "Your ID number is used only to verify you and for your applications; "
        "pages only ever show part of it.",
    },
    "form.fix_these": {"zh": "请修改以下内容", "en": "Please correct the following"},
    "me.title": {"zh": "我的账号", "en": "My account"},
    "me.welcome": {
        "zh": "注册成功，已通过实名核验。",
        "en": "You are registered and your real name is verified.",
    },
    "me.name": {"zh": "姓名", "en": "Name"},
    "me.kind": {"zh": "账号类型", "en": "Account type"},
    "me.uscc": {"zh": "统一社会信用代码", "en": "Unified social credit code"},
    "me.department": {"zh": "所在部门", "en": "Department"},
    "me.roles": {"zh": "岗位角色", "en": "Roles"},
    "me.realname": {"zh": "实名核验", "en": "Real-name verification"},
    "me.realname_yes": {"zh": "已于 {date} 通过", "en": "Verified on {date}"},
    "me.realname_no": {"zh": "未核验", "en": "Not verified"},
    "kind.citizen": {"zh": "个人", "en": "Citizen"},
    "kind.enterprise": {"zh": "法人（企业）", "en": "Enterprise"},
    "kind.staff": {"zh": "工作人员", "en": "Staff"},
    "kind.admin": {"zh": "管理员", "en": "Administrator"},
    "error.title": {"zh": "出了点问题", "en": "Something is not right"},
    "error.home": {"zh": "返回首页", "en": "Back to the home page"},
}
