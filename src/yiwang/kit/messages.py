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
    "overloaded": {
        "zh": "访问人数较多，系统正在全力处理，请 {seconds} 秒后重试。您已提交的内容不会丢失。",
        "en": "Many people are using the service right now; please try again in {seconds} "
        "seconds. Nothing you already submitted is lost.",
    },
    "sign_in_busy": {
        "zh": "登录和注册的人较多，请 {seconds} 秒后再试。",
        "en": "Many people are signing in or registering right now; please try again in "
        "{seconds} seconds.",
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
    # --- electronic licences ----------------------------------------------------------------
    "unknown_certificate": {"zh": "没有这份电子证照。", "en": "No such electronic licence."},
    "certificate_holder_missing": {
        "zh": "无法签发{type}：申请中缺少持证主体的名称或代码。",
        "en": "The {type} cannot be issued: the application lacks the holder's name or code.",
    },
    "revoke_reason_required": {
        "zh": "注销证照时请写明原因。",
        "en": "Give a reason for revoking the licence.",
    },
    "verify.title": {"zh": "电子证照核验", "en": "Verify an electronic licence"},
    "verify.status.valid": {"zh": "✓ 有效", "en": "✓ Valid"},
    "verify.status.revoked": {"zh": "✗ 已注销", "en": "✗ Revoked"},
    "verify.status.expired": {"zh": "✗ 已过期", "en": "✗ Expired"},
    "verify.status.invalid": {"zh": "✗ 无效（内容或签名被改动）", "en": "✗ Not valid (altered)"},
    "verify.explain.valid": {
        "zh": "这份证照由发证机关签发，内容与签名一致，目前有效。",
        "en": "This licence was issued by the authority shown; its content matches its "
        "signature and it is in force.",
    },
    "verify.explain.revoked": {
        "zh": "发证机关已注销这份证照，不能再作为有效证明使用。",
        "en": "The issuing authority has revoked this licence; it no longer proves anything.",
    },
    "verify.explain.expired": {
        "zh": "这份证照已超过有效期。",
        "en": "This licence is past its validity.",
    },
    "verify.explain.invalid": {
        "zh": "这份证照的内容或签名与发证时不一致，请勿采信，并向发证机关核实。",
        "en": "This licence's content or signature differs from what was issued; do not rely "
        "on it, and check with the issuing authority.",
    },
    "verify.type": {"zh": "证照类型", "en": "Licence"},
    "verify.identifier": {"zh": "证照标识", "en": "Identifier"},
    "verify.holder": {"zh": "持证主体", "en": "Holder"},
    "verify.holder_code": {"zh": "持证主体代码", "en": "Holder's code"},
    "verify.issuer": {"zh": "发证机关", "en": "Issued by"},
    "verify.issued_at": {"zh": "发证日期", "en": "Issued on"},
    "verify.valid_until": {"zh": "有效期至", "en": "Valid until"},
    "verify.long_term": {"zh": "长期", "en": "No expiry"},
    "verify.revoked_reason": {"zh": "注销原因", "en": "Reason for revocation"},
    "verify.signature": {
        "zh": "签名密钥：{key_id}（公钥见 /api/v1/certificates/keys）",
        "en": "Signing key: {key_id} (public keys at /api/v1/certificates/keys)",
    },
    # --- errors: 好差评 --------------------------------------------------------------------
    "rating_not_yet": {
        "zh": "办件办结后才能评价。",
        "en": "An application can be rated once it is finished.",
    },
    "invalid_satisfaction_code": {
        "zh": "评价等级应为1（非常满意）到5（非常不满意）。",
        "en": "The rating must be 1 (very satisfied) to 5 (very dissatisfied).",
    },
    "invalid_channel": {"zh": "不认识的评价渠道。", "en": "Unknown rating channel."},
    "rating_limit": {
        "zh": "每件事可评价一次、追评一次，已经评价过了。",
        "en": "Each application can be rated once and followed up once; both are used.",
    },
    "rectification_not_open": {
        "zh": "这条整改已经完成或已撤销。",
        "en": "This rectification is finished or set aside.",
    },
    "note_required": {"zh": "请记录回访情况。", "en": "Record what the call-back found."},
    "outcome_required": {
        "zh": "请写明整改结果（至少5个字）。",
        "en": "Say what was put right (at least 5 characters).",
    },
    "appeal_reason_required": {
        "zh": "请写明理由（至少5个字）。",
        "en": "Give the reason (at least 5 characters).",
    },
    "no_appeal_pending": {
        "zh": "这条整改没有待复核的申诉。",
        "en": "There is no appeal to decide on this case.",
    },
    # --- errors: the 12345 hotline ---------------------------------------------------------
    "unknown_kind": {
        "zh": "诉求类型应为咨询、求助、投诉、举报或建议之一。",
        "en": "The kind must be consultation, help, complaint, report or suggestion.",
    },
    "unknown_category": {"zh": "没有这个诉求分类。", "en": "No such category."},
    "complaint_text_too_short": {
        "zh": "请把问题说得具体一些（至少5个字）：什么事、在哪里、从什么时候开始。",
        "en": "Please say a little more (at least 5 characters): what, where and since when.",
    },
    "location_incomplete": {
        "zh": "位置坐标需要同时给出纬度和经度。",
        "en": "Coordinates need both latitude and longitude.",
    },
    "invalid_coordinates": {"zh": "坐标超出范围。", "en": "The coordinates are out of range."},
    "too_many_photos": {
        "zh": "每张工单最多附3张照片。",
        "en": "A ticket can have at most 3 photos.",
    },
    "photo_too_large": {
        "zh": "照片不能超过1MB，请压缩后再传。",
        "en": "A photo may be at most 1 MB; make it smaller and try again.",
    },
    "photo_not_an_image": {
        "zh": "只能上传JPEG、PNG或WebP格式的照片。",
        "en": "Only JPEG, PNG or WebP photos can be attached.",
    },
    "ticket_not_dispatchable": {
        "zh": "这张工单已答复或办结，不能再派单。",
        "en": "This ticket is answered or closed and cannot be dispatched again.",
    },
    "ticket_not_signable": {
        "zh": "这张工单不在待签收状态。",
        "en": "This ticket is not waiting to be signed for.",
    },
    "ticket_not_transferable": {
        "zh": "这张工单已答复或办结，不能申请退回。",
        "en": "This ticket is answered or closed; it cannot be handed back.",
    },
    "ticket_not_open": {
        "zh": "这张工单已答复或办结。",
        "en": "This ticket is already answered or closed.",
    },
    "ticket_not_replied": {
        "zh": "工单答复后才能回访。",
        "en": "A ticket can be followed up only after it is answered.",
    },
    "reply_too_short": {
        "zh": "答复请写明处理结果（至少5个字）。",
        "en": "Say what was done (at least 5 characters).",
    },
    # --- errors: the exchange, consent and prefill -----------------------------------------
    "unknown_source": {"zh": "没有这个数据资源：{code}", "en": "No such data source: {code}"},
    "consent_required": {
        "zh": "自动填表前需要您的授权：请确认同意平台向以下部门获取所列信息。",
        "en": "Your consent is needed before the form can be filled in for you: agree that the "
        "platform may obtain the listed information from these departments.",
    },
    "element_needed": {
        "zh": "需授权获取：{name}（{department}）",
        "en": "Consent needed to obtain: {name_en} ({department_en})",
    },
    "element_not_needed": {
        "zh": "授权只能包含本表单需要的信息，以下不需要：{elements}",
        "en": "A consent may only name information this form needs; not needed: {elements}",
    },
    "consent_elements_empty": {
        "zh": "请至少选择一项授权获取的信息。",
        "en": "Choose at least one item of information to share.",
    },
    "unknown_purpose": {
        "zh": "不支持的授权用途。目前只支持“自动填写申请表”（prefill）。",
        "en": "This purpose is not supported; the only purpose is filling in the application "
        "form (prefill).",
    },
    "consent_mismatch": {
        "zh": "这项授权不是为这个事项给出的。",
        "en": "This consent was not given for this service.",
    },
    "invalid_prefill_token": {
        "zh": "自动填表信息已过期或无效，请重新打开表单后再提交。",
        "en": "The prefill information has expired or is not valid; open the form again and "
        "submit it from there.",
    },
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
    "task_suspended": {
        "zh": "该办件已挂起（听证、检验检测或专家评审中），解挂后才能决定。",
        "en": "This case is suspended (hearing, inspection or expert review); resume it first.",
    },
    "task_not_suspended": {"zh": "该办件没有挂起。", "en": "This case is not suspended."},
    "notice.submitted.title": {
        "zh": "已受理：办件 {tracking_no}",
        "en": "Received: application {tracking_no}",
    },
    "notice.submitted.body": {
        "zh": "您的申请已提交并受理，各部门正在同时办理，承诺 {due} 前办结。",
        "en": "Your application is received; every department involved is working on it, "
        "promised by {due}.",
    },
    "notice.bad_rating.title": {
        "zh": "收到差评，请1个工作日内回访（办件 {tracking_no}）",
        "en": "A bad rating: call back within a working day (application {tracking_no})",
    },
    "notice.bad_rating.body": {
        "zh": "办件 {tracking_no} 收到评价等级 {code}。请按时回访、整改并记录结果。",
        "en": "Application {tracking_no} was rated {code}. Call back, put it right and record "
        "the outcome in time.",
    },
    "notice.rectified.title": {
        "zh": "您的差评已整改",
        "en": "Your bad rating led to a fix",
    },
    "notice.rectified.body": {
        "zh": "承办部门已就您的评价完成整改，可在办件页面查看整改结果。",
        "en": "The department has acted on your rating; see what was done on the application's "
        "page.",
    },
    "notice.rectification_overdue.title": {
        "zh": "差评整改超时督办",
        "en": "Overdue rectification escalated",
    },
    "notice.rectification_overdue.body": {
        "zh": "差评整改（{case}）已超过时限，请尽快处理。",
        "en": "Rectification {case} is past its deadline; deal with it now.",
    },
    "notice.ticket_received.title": {
        "zh": "您的诉求已受理（工单 {ticket_no}）",
        "en": "Your request was received (ticket {ticket_no})",
    },
    "notice.ticket_received.body": {
        "zh": "工单 {ticket_no} 已受理并派往承办部门，答复前可随时查看办理进度。",
        "en": "Ticket {ticket_no} was received and sent to the department that handles it; "
        "follow its progress at any time.",
    },
    "notice.ticket_linked.title": {
        "zh": "同一问题已有人反映（工单 {ticket_no}）",
        "en": "Someone has already reported this (ticket {ticket_no})",
    },
    "notice.ticket_linked.body": {
        "zh": "您反映的问题与工单 {other} 是同一问题，已合并办理，答复时会同时告知您。",
        "en": "Your report is about the same problem as ticket {other}; they are handled "
        "together and you will get the same answer.",
    },
    "notice.ticket_replied.title": {
        "zh": "您的诉求已答复（工单 {ticket_no}）",
        "en": "Your request was answered (ticket {ticket_no})",
    },
    "notice.ticket_replied.body": {
        "zh": "承办部门已答复工单 {ticket_no}。请告诉我们问题是否解决、您是否满意。",
        "en": "The department answered ticket {ticket_no}. Please tell us whether it is "
        "resolved and whether you are satisfied.",
    },
    "notice.ticket_assigned.title": {
        "zh": "新的12345工单待签收（{ticket_no}）",
        "en": "A new 12345 ticket to sign for ({ticket_no})",
    },
    "notice.ticket_assigned.body": {
        "zh": "工单 {ticket_no}（{category}）已派至本部门，请按时签收办理。",
        "en": "Ticket {ticket_no} ({category}) was sent to your department; sign for it in time.",
    },
    "notice.ticket_escalated.title": {
        "zh": "12345工单超时督办（{ticket_no}）",
        "en": "Overdue 12345 ticket escalated ({ticket_no})",
    },
    "notice.ticket_escalated.body": {
        "zh": "工单 {ticket_no} 未在时限内{late}，已升级督办。",
        "en": "Ticket {ticket_no} missed its {late} deadline and was escalated.",
    },
    "notice.branch_approved.title": {
        "zh": "{service} 已办结（办件 {tracking_no}）",
        "en": "{service_en} approved (application {tracking_no})",
    },
    "notice.branch_approved.body": {
        "zh": "“{service}”已经办结，其余部门仍在办理中，全部办结后会再通知您。",
        "en": "“{service_en}” is approved; the other departments are still at work, and you "
        "will hear when everything is done.",
    },
    "notice.returned.title": {
        "zh": "需要补正：办件 {tracking_no}",
        "en": "Corrections needed: application {tracking_no}",
    },
    "notice.returned.body": {
        "zh": "部门请您补充或更正部分信息，请打开办件查看要求。补正期间不计入办理时限。",
        "en": "A department asks you to correct some information; open the application to "
        "see what. The time limit stands still until you do.",
    },
    "notice.in_progress.title": {
        "zh": "继续办理：办件 {tracking_no}",
        "en": "Back in progress: application {tracking_no}",
    },
    "notice.in_progress.body": {
        "zh": "已收到您的补正，部门继续办理。",
        "en": "Your corrections were received; the departments are working on it again.",
    },
    "notice.approved.title": {
        "zh": "已办结：办件 {tracking_no}",
        "en": "Approved: application {tracking_no}",
    },
    "notice.approved.body": {
        "zh": "您的申请已全部办结，结果可在办件页面查看。",
        "en": "Your application is approved by every department; see the results on its page.",
    },
    "notice.rejected.title": {
        "zh": "不予办理：办件 {tracking_no}",
        "en": "Not approved: application {tracking_no}",
    },
    "notice.rejected.body": {
        "zh": "很抱歉，您的申请未获通过，理由见办件页面。如有异议可拨打 12345。",
        "en": "Sorry, your application was not approved; the reason is on its page. "
        "Call 12345 if you disagree.",
    },
    "notice.withdrawn.title": {
        "zh": "已撤销：办件 {tracking_no}",
        "en": "Withdrawn: application {tracking_no}",
    },
    "notice.withdrawn.body": {
        "zh": "您已撤销这份申请，各部门已停止办理。",
        "en": "You withdrew this application; every department has stopped working on it.",
    },
    "notice.task_due_soon.title": {
        "zh": "明天到期：{service}",
        "en": "Due tomorrow: {service}",
    },
    "notice.task_due_soon.body": {
        "zh": "您有一件办件将于 {due} 到期，请及时办理。",
        "en": "A case of yours falls due on {due}; please act on it in time.",
    },
    "notice.task_overdue.title": {
        "zh": "督办：{service} 已超期",
        "en": "Overdue (supervision): {service}",
    },
    "notice.task_overdue.body": {
        "zh": "一件办件已于 {due} 到期仍未办结，请督促承办人员。",
        "en": "A case was due on {due} and is still open; please follow it up.",
    },
    "not_a_colleague": {
        "zh": "只能交给本部门持有该岗位角色的其他工作人员。",
        "en": "Only a colleague of your department holding this step's role can take it.",
    },
    "task_delegated": {
        "zh": "该任务是委派给您的，请办理后交回委派人，而不是直接决定。",
        "en": "This task was delegated to you: give it back to the delegator instead of "
        "deciding it.",
    },
    "task_not_delegated": {"zh": "该任务不是委派任务。", "en": "This task was not delegated."},
    "already_signing": {
        "zh": "这位同事已经在会签这一环节。",
        "en": "This colleague is already signing this step.",
    },
    "cannot_take_back": {
        "zh": "只能在下一环节的人员办理之前撤回自己的审批。",
        "en": "An approval can be taken back only before the next officer acts on it.",
    },
    "notice.task_transferred.title": {"zh": "转办给您：{step}", "en": "Handed to you: {step}"},
    "notice.task_transferred.body": {
        "zh": "{from} 将一件办件转给您办理。",
        "en": "{from} has handed a case over to you.",
    },
    "notice.task_delegated.title": {"zh": "委派给您：{step}", "en": "Delegated to you: {step}"},
    "notice.task_delegated.body": {
        "zh": "{from} 请您协助办理一件办件，办完后请交回。",
        "en": "{from} asks you to handle a case and give it back.",
    },
    "notice.task_cosign.title": {"zh": "请您加签：{step}", "en": "Please co-sign: {step}"},
    "notice.task_cosign.body": {
        "zh": "{from} 请您共同审批一件办件。",
        "en": "{from} asks you to approve a case together.",
    },
    "notice.task_nudged.title": {"zh": "催办", "en": "Reminder from your supervisor"},
    "notice.task_nudged.body": {
        "zh": "{from} 催办：{comment}",
        "en": "{from} reminds you: {comment}",
    },
    "notice.task_supervised.title": {"zh": "督办", "en": "Under supervision"},
    "notice.task_supervised.body": {
        "zh": "{from} 对一件办件进行督办：{comment}",
        "en": "{from} has put a case under supervision: {comment}",
    },
    "case_not_active": {
        "zh": "这件办件已撤销、已中止或已办结，不能再办理。",
        "en": "This case was withdrawn, stopped or already decided; it cannot be acted on.",
    },
    "field_not_returned": {
        "zh": "补正只能修改部门要求补正的内容，这一项不在其中。",
        "en": "A correction may change only what the department asked about; this is not one "
        "of those.",
    },
    "not_returned": {
        "zh": "此办件没有被退回补正，无需补充材料。",
        "en": "This application was not returned for corrections.",
    },
    "not_withdrawable": {
        "zh": "已有部门作出决定或办件已经办结，不能撤销。",
        "en": "A department has already decided on this application, so it cannot be withdrawn.",
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
    # --- pages: service guides, bundles, applying, my applications, the workbench ----------
    "apply_already_sent": {
        "zh": "这份申请表已经提交过了，请到“我的办件”查看；如需另行申请，请重新打开申请页。",
        "en": "This form has already been sent; see My applications. To apply again, open the "
        "application page afresh.",
    },
    "choose_decision": {
        "zh": "请选择办理结果：通过、退回补正或不予许可。",
        "en": "Choose a decision: approve, return for corrections or reject.",
    },
    "nav.home": {"zh": "首页", "en": "Home"},
    "nav.breadcrumb": {"zh": "您在这里", "en": "You are here"},
    "nav.applications": {"zh": "我的办件", "en": "My applications"},
    "nav.work": {"zh": "办件箱", "en": "Inbox"},
    "home.bundles": {"zh": "一件事一次办", "en": "Life events, done at once"},
    "home.bundles_lead": {
        "zh": "一张表、一次提交，几个部门同时为您办理。",
        "en": "One form, sent once; several departments work on it at the same time.",
    },
    "home.bundle_services": {"zh": "一次办好 {count} 个事项", "en": "{count} services in one go"},
    "home.services": {"zh": "按部门办事", "en": "Services by department"},
    "kind.item.immediate": {"zh": "即办件", "en": "Same day"},
    "kind.item.promised": {"zh": "承诺件", "en": "Promised time"},
    "answer.yes": {"zh": "是", "en": "Yes"},
    "answer.no": {"zh": "否", "en": "No"},
    "answer.blank": {"zh": "（未填写）", "en": "(not given)"},
    "guide.caption": {"zh": "办事指南", "en": "Service guide"},
    "guide.lead": {
        "zh": "由{department}办理，承诺 {days} 个工作日内办结。",
        "en": "Handled by {department}, promised within {days} working days.",
    },
    "guide.lead_immediate": {
        "zh": "由{department}办理，材料齐全的当场办结。",
        "en": "Handled by {department}, done the same day when everything is in order.",
    },
    "guide.apply": {"zh": "在线申请", "en": "Apply online"},
    "guide.facts": {"zh": "基本信息", "en": "At a glance"},
    "guide.department": {"zh": "实施主体", "en": "Department"},
    "guide.item_type": {"zh": "事项类型", "en": "Type of service"},
    "guide.item_kind": {"zh": "办件类型", "en": "Kind"},
    "guide.legal_limit": {"zh": "法定办结时限", "en": "Time limit in law"},
    "guide.promised_limit": {"zh": "承诺办结时限", "en": "Our promise"},
    "guide.workdays": {"zh": "{days} 个工作日", "en": "{days} working days"},
    "guide.same_day": {"zh": "当日办结", "en": "Same day"},
    "guide.fee": {"zh": "收费标准", "en": "Fee"},
    "guide.free": {"zh": "不收费", "en": "Free"},
    "guide.fee_amount": {"zh": "{amount} 元", "en": "{amount} yuan"},
    "guide.fee_basis": {"zh": "（依据：{basis}）", "en": "(basis: {basis})"},
    "guide.online": {"zh": "网上办理", "en": "Online"},
    "guide.visits": {"zh": "到现场次数", "en": "Visits to an office"},
    "guide.visits_n": {"zh": "{n} 次", "en": "{n}"},
    "guide.visits_zero": {"zh": "0 次（零跑动）", "en": "None"},
    "guide.audience": {"zh": "服务对象", "en": "For"},
    "guide.result": {"zh": "办理结果", "en": "You receive"},
    "guide.conditions": {"zh": "受理条件", "en": "Who can apply"},
    "guide.process": {"zh": "办理流程", "en": "How it works"},
    "guide.steps": {"zh": "审批环节及时限", "en": "Steps and their time limits"},
    "guide.materials": {"zh": "申请材料", "en": "Documents"},
    "guide.no_materials": {"zh": "无需提交材料。", "en": "No documents are needed."},
    "guide.exempt": {"zh": "免提交", "en": "Not needed from you"},
    "guide.exempt_note": {
        "zh": "由平台通过数据共享或电子证照获取，您不用提交。",
        "en": "The platform obtains it through data sharing or e-licences; you need not send it.",
    },
    "guide.commitment": {"zh": "可告知承诺", "en": "A signed promise can replace it"},
    "guide.material_form.original": {"zh": "原件", "en": "Original"},
    "guide.material_form.copy": {"zh": "复印件", "en": "Copy"},
    "guide.material_form.electronic": {"zh": "电子材料", "en": "Electronic"},
    "guide.copies": {"zh": "{n} 份", "en": "{n} copies"},
    "guide.required": {"zh": "必需", "en": "Required"},
    "guide.optional": {"zh": "视情况提交", "en": "When it applies"},
    "guide.issuer": {"zh": "来源：{issuer}", "en": "From: {issuer}"},
    "guide.legal_basis": {"zh": "设定依据", "en": "Legal basis"},
    "guide.phones": {"zh": "咨询与监督", "en": "Questions and complaints"},
    "guide.consultation": {"zh": "咨询电话", "en": "Questions"},
    "guide.supervision": {"zh": "监督投诉电话", "en": "Complaints"},
    "guide.in_bundles": {
        "zh": "这个事项也可以和相关事项一起办：",
        "en": "You can also apply for this together with related services:",
    },
    "bundle.caption": {"zh": "一件事一次办", "en": "One life event, done at once"},
    "bundle.promised": {"zh": "全部办结", "en": "All done within"},
    "bundle.departments": {"zh": "参与部门", "en": "Departments"},
    "bundle.departments_n": {"zh": "{n} 个部门同时办理", "en": "{n} departments at once"},
    "bundle.apply": {"zh": "一次申请", "en": "Apply once"},
    "bundle.who": {"zh": "哪些部门办、先后顺序", "en": "Who does what, and in what order"},
    "bundle.stage_first": {"zh": "提交后同时开始", "en": "Starts at once"},
    "bundle.stage_then": {"zh": "随后开始", "en": "Starts next"},
    "bundle.service_days": {"zh": "承诺 {days} 个工作日", "en": "Promised in {days} working days"},
    "bundle.waits": {
        "zh": "{service}在{before}办结后开始",
        "en": "{service} starts once {before} is issued",
    },
    "bundle.burden": {"zh": "少填、少交、少跑", "en": "Less to fill in, send and visit"},
    "bundle.burden_lead": {
        "zh": "与逐个事项分别申请相比：",
        "en": "Compared with applying for each service on its own:",
    },
    "bundle.measure": {"zh": "项目", "en": "Measure"},
    "bundle.before": {"zh": "分别申请", "en": "One by one"},
    "bundle.after": {"zh": "一件事", "en": "Together"},
    "burden.fields": {"zh": "要填的信息", "en": "Answers to give"},
    "burden.materials": {"zh": "要交的材料", "en": "Documents to send"},
    "burden.visits": {"zh": "跑现场", "en": "Office visits"},
    "burden.promised_limit_days": {"zh": "承诺办结时间", "en": "Promised time"},
    "burden.unit.fields": {"zh": "{n} 项", "en": "{n}"},
    "burden.unit.materials": {"zh": "{n} 份", "en": "{n}"},
    "burden.unit.visits": {"zh": "{n} 次", "en": "{n}"},
    "burden.unit.promised_limit_days": {"zh": "{n} 个工作日", "en": "{n} working days"},
    "burden.saved.fields": {"zh": "少填 {n} 项", "en": "{n} fewer answers"},
    "burden.saved.materials": {"zh": "少交 {n} 份", "en": "{n} fewer documents"},
    "burden.saved.visits": {"zh": "少跑 {n} 次", "en": "{n} fewer visits"},
    "burden.saved.promised_limit_days": {
        "zh": "快 {n} 个工作日",
        "en": "{n} working days sooner",
    },
    "apply.title": {"zh": "申请：{name}", "en": "Apply: {name}"},
    "apply.title_errors": {"zh": "有误：", "en": "Error: "},
    "apply.progress": {"zh": "第 {step} 步，共 {steps} 步", "en": "Step {step} of {steps}"},
    "apply.step_form": {"zh": "填写申请表", "en": "Fill in the form"},
    "apply.step_check": {"zh": "核对并提交", "en": "Check and send"},
    "apply.lead": {
        "zh": "请按实际情况填写。标有“选填”的可以不填。提交前还可以核对修改。",
        "en": "Answer as things really are. You may leave out anything marked optional. You "
        "can check and change your answers before sending them.",
    },
    "apply.lead_bundle": {
        "zh": "一张表办好几件事：几个事项都要的信息只填一次。标有“选填”的可以不填，"
        "提交前还可以核对修改。",
        "en": "One form for several services: anything they share is asked once. You may leave "
        "out anything marked optional, and check your answers before sending them.",
    },
    "apply.continue": {"zh": "下一步：核对", "en": "Continue to check"},
    "apply.back_to_guide": {"zh": "返回办事指南", "en": "Back to the guide"},
    "apply.check_title": {"zh": "请核对您的申请", "en": "Check your answers"},
    "apply.change": {"zh": "修改", "en": "Change"},
    "apply.declaration_title": {"zh": "提交申请", "en": "Send your application"},
    "apply.declaration": {
        "zh": "提交即表示您承诺以上信息真实、准确。提交后会得到办件编号，各部门同时开始办理。",
        "en": "By sending this you confirm the answers are true and correct. You will get a "
        "tracking number, and the departments start at once.",
    },
    "apply.submit": {"zh": "确认提交", "en": "Accept and send"},
    "form.optional": {"zh": "（选填）", "en": "(optional)"},
    "form.choose": {"zh": "请选择", "en": "Choose"},
    "form.error_prefix": {"zh": "错误：", "en": "Error: "},
    "applications.title": {"zh": "我的办件", "en": "My applications"},
    "applications.none": {"zh": "您还没有办件。", "en": "You have no applications yet."},
    "applications.find": {"zh": "去办事", "en": "Find a service"},
    "applications.tracking_no": {"zh": "办件编号", "en": "Tracking number"},
    "applications.accepted_on": {"zh": "受理日期", "en": "Accepted on"},
    "applications.due": {"zh": "办结期限", "en": "Due"},
    "status.in_progress": {"zh": "办理中", "en": "In progress"},
    "status.returned": {"zh": "待您补正", "en": "Waiting for your corrections"},
    "status.approved": {"zh": "已办结", "en": "Approved"},
    "status.rejected": {"zh": "不予许可", "en": "Refused"},
    "status.withdrawn": {"zh": "已撤销", "en": "Withdrawn"},
    "branch.waiting": {"zh": "等待前序事项", "en": "Waiting"},
    "branch.active": {"zh": "办理中", "en": "In progress"},
    "branch.returned": {"zh": "待您补正", "en": "Waiting for your corrections"},
    "branch.approved": {"zh": "已办结", "en": "Approved"},
    "branch.rejected": {"zh": "不予许可", "en": "Refused"},
    "branch.stopped": {"zh": "已停止", "en": "Stopped"},
    "branch.withdrawn": {"zh": "已撤销", "en": "Withdrawn"},
    "branch.suspended": {"zh": "挂起", "en": "Suspended"},
    "step.done": {"zh": "已完成", "en": "done"},
    "step.current": {"zh": "正在办理", "en": "in progress"},
    "step.returned": {"zh": "退回补正", "en": "returned for corrections"},
    "step.todo": {"zh": "未开始", "en": "not started"},
    "step.rejected": {"zh": "不予许可", "en": "refused"},
    "step.stopped": {"zh": "已停止", "en": "stopped"},
    "step.withdrawn": {"zh": "已撤销", "en": "withdrawn"},
    "step.suspended": {"zh": "挂起", "en": "suspended"},
    "progress.steps_of": {"zh": "{service}的办理环节", "en": "Steps of {service}"},
    "progress.waiting_for": {
        "zh": "等待{waits}办结后开始",
        "en": "Starts once {waits} is issued",
    },
    "progress.paused_returned": {
        "zh": "补正期间暂停计时，还剩 {days} 个工作日",
        "en": "The clock is stopped while you correct it; {days} working days left",
    },
    "progress.paused_suspended": {
        "zh": "挂起期间（听证、检验检测或专家评审）不计时，还剩 {days} 个工作日",
        "en": "The clock is stopped during a hearing, inspection or expert review; "
        "{days} working days left",
    },
    "due.left": {
        "zh": "{date}前（还剩 {days} 个工作日）",
        "en": "By {date} ({days} working days left)",
    },
    "due.today": {"zh": "今天到期（{date}）", "en": "Due today ({date})"},
    "due.overdue_badge": {"zh": "已超期", "en": "Overdue"},
    "due.overdue": {
        "zh": "应于 {date} 办结，已超 {days} 个工作日",
        "en": "was due {date}, {days} working days late",
    },
    "next.active": {
        "zh": "{department}将在 {days} 个工作日内办结{service}（{date}前）。",
        "en": "{department} will decide on {service} within {days} working days (by {date}).",
    },
    "next.today": {
        "zh": "{department}将在当日办结{service}（{date}）。",
        "en": "{department} will decide on {service} the same day ({date}).",
    },
    "next.waiting": {
        "zh": "{service}在{waits}办结后自动开始，{days} 个工作日内办结。",
        "en": "{service} starts by itself once {waits} is issued, and is decided within "
        "{days} working days.",
    },
    "application.submitted_title": {"zh": "申请已提交", "en": "Application sent"},
    "application.tracking_no": {"zh": "您的办件编号", "en": "Your tracking number"},
    "application.next": {"zh": "接下来会怎样", "en": "What happens next"},
    "application.all_by": {
        "zh": "全部事项预计不晚于 {date} 办结。有需要补正的，我们会一次性告诉您。",
        "en": "Everything should be decided by {date}. If anything needs correcting, we will "
        "tell you everything at once.",
    },
    "application.follow": {
        "zh": "办理进度随时可以在这里查看：",
        "en": "You can follow its progress at any time in",
    },
    "application.status": {"zh": "办理状态", "en": "Status"},
    "application.due_by": {"zh": "预计 {date} 前全部办结", "en": "All decided by {date}"},
    "application.progress": {"zh": "各部门办理进度", "en": "Progress in each department"},
    "application.timeline": {"zh": "办理记录", "en": "What has happened"},
    "application.answers": {"zh": "我填写的内容", "en": "My answers"},
    "application.withdraw": {"zh": "撤销申请", "en": "Withdraw this application"},
    "application.notice.supplemented": {
        "zh": "补正材料已提交，相关部门将接着办理。",
        "en": "Your corrections are sent; the departments carry on.",
    },
    "application.notice.withdrawn": {
        "zh": "申请已撤销，各部门已停止办理。",
        "en": "The application is withdrawn; every department has stopped.",
    },
    "supplement.title": {"zh": "需要您补正", "en": "Corrections needed"},
    "supplement.submit": {"zh": "提交补正", "en": "Send corrections"},
    "withdraw.title": {"zh": "确定撤销这份申请吗？", "en": "Withdraw this application?"},
    "withdraw.lead": {
        "zh": "撤销后，“{name}”（办件编号 {no}）的所有部门都会停止办理，且不能恢复；"
        "以后需要时请重新申请。",
        "en": "Every department will stop work on “{name}” (tracking number {no}); this cannot "
        "be undone, and you would need to apply again.",
    },
    "withdraw.reason": {"zh": "撤销原因", "en": "Why are you withdrawing it?"},
    "withdraw.confirm": {"zh": "确认撤销", "en": "Yes, withdraw it"},
    "withdraw.cancel": {"zh": "不撤销，返回", "en": "No, go back"},
    "timeline.submitted": {
        "zh": "提交申请，已受理，办件编号 {no}",
        "en": "Application sent and accepted; tracking number {no}",
    },
    "timeline.task_approved": {"zh": "{service}：{step}通过", "en": "{service}: {step} passed"},
    "timeline.task_rejected": {
        "zh": "{service}：{step}，不予许可",
        "en": "{service}: refused at {step}",
    },
    "timeline.task_returned": {
        "zh": "{service}：{step}，退回补正",
        "en": "{service}: returned for corrections at {step}",
    },
    "timeline.branch_started": {"zh": "{service}开始办理", "en": "{service} has started"},
    "timeline.branches_stopped": {
        "zh": "因{because}不予许可，{services}停止办理",
        "en": "{services} stopped because {because} was refused",
    },
    "timeline.application_approved": {
        "zh": "全部事项已办结",
        "en": "Every service has been approved",
    },
    "timeline.application_rejected": {"zh": "申请未获许可", "en": "The application was refused"},
    "timeline.application_returned": {
        "zh": "等待您补正，暂停计时",
        "en": "Waiting for your corrections; the clock is stopped",
    },
    "timeline.application_in_progress": {
        "zh": "补正后继续办理",
        "en": "Work carries on after your corrections",
    },
    "timeline.application_withdrawn": {"zh": "申请已撤销", "en": "The application is withdrawn"},
    "timeline.supplemented": {"zh": "您已补正：{fields}", "en": "You corrected: {fields}"},
    "timeline.withdrawn": {"zh": "您撤销了申请", "en": "You withdrew the application"},
    "timeline.branch_suspended": {
        "zh": "{service}：{step}挂起，暂停计时",
        "en": "{service}: {step} suspended; the clock is stopped",
    },
    "timeline.branch_resumed": {
        "zh": "{service}：{step}解挂，继续计时",
        "en": "{service}: {step} resumed; the clock runs again",
    },
    "timeline.transferred": {
        "zh": "{service}：{step}转交同事办理",
        "en": "{service}: {step} handed over to a colleague",
    },
    "timeline.delegated": {
        "zh": "{service}：{step}委派同事协助办理",
        "en": "{service}: {step} passed to a colleague to help",
    },
    "timeline.given_back": {
        "zh": "{service}：{step}协助办理完毕，交回原经办人",
        "en": "{service}: {step} given back by the colleague who helped",
    },
    "timeline.taken_back": {
        "zh": "{service}：{step}撤回重新审查",
        "en": "{service}: {step} taken back for another look",
    },
    "timeline.signer_added": {
        "zh": "{service}：{step}增加审批人（加签）",
        "en": "{service}: another approver added to {step}",
    },
    "timeline.nudged": {"zh": "{service}：{step}已催办", "en": "{service}: {step} chased"},
    "timeline.supervised": {
        "zh": "{service}：{step}已督办",
        "en": "{service}: {step} under formal supervision",
    },
    "timeline.task_due_soon": {
        "zh": "{service}：{step}即将到期，已提醒经办人",
        "en": "{service}: {step} is nearly due; the officer was reminded",
    },
    "timeline.task_overdue": {
        "zh": "{service}：{step}已超期，已报告主管",
        "en": "{service}: {step} is overdue; the supervisor was told",
    },
    # Singular forms (English) of the messages above that carry a count of 1.
    "guide.workdays.one": {"zh": "{days} 个工作日", "en": "{days} working day"},
    "guide.lead.one": {
        "zh": "由{department}办理，承诺 {days} 个工作日内办结。",
        "en": "Handled by {department}, promised within {days} working day.",
    },
    "guide.copies.one": {"zh": "{n} 份", "en": "{n} copy"},
    "due.left.one": {
        "zh": "{date}前（还剩 {days} 个工作日）",
        "en": "By {date} ({days} working day left)",
    },
    "due.overdue.one": {
        "zh": "应于 {date} 办结，已超 {days} 个工作日",
        "en": "was due {date}, {days} working day late",
    },
    "bundle.service_days.one": {
        "zh": "承诺 {days} 个工作日",
        "en": "Promised in {days} working day",
    },
    "burden.unit.promised_limit_days.one": {"zh": "{n} 个工作日", "en": "{n} working day"},
    "burden.saved.promised_limit_days.one": {
        "zh": "快 {n} 个工作日",
        "en": "{n} working day sooner",
    },
    "burden.saved.fields.one": {"zh": "少填 {n} 项", "en": "{n} fewer answer"},
    "burden.saved.materials.one": {"zh": "少交 {n} 份", "en": "{n} fewer document"},
    "burden.saved.visits.one": {"zh": "少跑 {n} 次", "en": "{n} fewer visit"},
    "progress.paused_returned.one": {
        "zh": "补正期间暂停计时，还剩 {days} 个工作日",
        "en": "The clock is stopped while you correct it; {days} working day left",
    },
    "progress.paused_suspended.one": {
        "zh": "挂起期间（听证、检验检测或专家评审）不计时，还剩 {days} 个工作日",
        "en": "The clock is stopped during a hearing, inspection or expert review; "
        "{days} working day left",
    },
    "next.active.one": {
        "zh": "{department}将在 {days} 个工作日内办结{service}（{date}前）。",
        "en": "{department} will decide on {service} within {days} working day (by {date}).",
    },
    "next.waiting.one": {
        "zh": "{service}在{waits}办结后自动开始，{days} 个工作日内办结。",
        "en": "{service} starts by itself once {waits} is issued, and is decided within "
        "{days} working day.",
    },
    "timeline.other": {"zh": "办理状态有更新", "en": "The application was updated"},
    "timeline.comment": {"zh": "意见：{comment}", "en": "Comment: {comment}"},
    "timeline.corrections": {"zh": "需补正：{fields}", "en": "To correct: {fields}"},
    "work.title": {"zh": "办件箱", "en": "Inbox"},
    "work.caption": {
        "zh": "待办任务，按到期时间排列",
        "en": "Open tasks, soonest due first",
    },
    "work.empty": {"zh": "暂无待办任务。", "en": "Nothing to do right now."},
    "work.count": {"zh": "共 {n} 件待办，最先到期的在前。", "en": "{n} open, soonest due first."},
    "work.due": {"zh": "期限", "en": "Due"},
    "work.case": {"zh": "办件", "en": "Case"},
    "work.step": {"zh": "环节", "en": "Step"},
    "work.received": {"zh": "收到时间", "en": "Received"},
    "work.back": {"zh": "← 返回办件箱", "en": "← Back to the inbox"},
    "work.bundle": {"zh": "一件事", "en": "Bundle"},
    "work.step_due": {"zh": "本环节期限", "en": "This step is due"},
    "work.answers": {"zh": "申请表（本事项）", "en": "The form (this service)"},
    "work.provided_by": {"zh": "平台获取：{source}", "en": "Obtained by the platform: {source}"},
    "work.met_by_certificate": {
        "zh": "免提交：已关联电子证照《{name}》",
        "en": "Not needed: the electronic {name} is attached",
    },
    "work.met_by_shared_data": {
        "zh": "免提交：由平台通过数据共享获取",
        "en": "Not needed: the platform obtains it through data sharing",
    },
    "work.certificate_not_held": {
        "zh": "申请人尚无此电子证照，请核验纸质或扫描件",
        "en": "The applicant holds no such electronic licence yet; check the paper or scanned copy",
    },
    "work.decision": {"zh": "办理意见", "en": "Decision"},
    "work.comment": {"zh": "意见", "en": "Comment"},
    "work.comment_hint": {
        "zh": "不予许可须写明理由；退回补正须写明要改什么。申请人会看到这段文字。",
        "en": "Give the reason for a refusal, and say what to correct when returning. The "
        "applicant reads this.",
    },
    "work.corrections": {
        "zh": "需要补正的内容（退回时勾选）",
        "en": "Fields to correct (when returning)",
    },
    "work.shortcuts": {"zh": "快捷键：", "en": "Shortcuts:"},
    "work.action.approve": {"zh": "通过", "en": "Approve"},
    "work.action.return": {"zh": "退回补正", "en": "Return for corrections"},
    "work.action.reject": {"zh": "不予许可", "en": "Reject"},
    "work.task_status.open": {"zh": "待办", "en": "Open"},
    "work.task_status.done": {"zh": "已办理", "en": "Decided"},
    "work.task_status.cancelled": {"zh": "已取消", "en": "Cancelled"},
    "work.history": {"zh": "办理记录", "en": "History"},
    "work.clock_stopped": {"zh": "暂停计时", "en": "clock stopped"},
    "work.tasks": {"zh": "各环节任务", "en": "Tasks of every step"},
    "work.decided.approve": {"zh": "已通过：办件 {no}。", "en": "Approved: case {no}."},
    "work.decided.return": {
        "zh": "已退回补正：办件 {no}，计时暂停。",
        "en": "Returned for corrections: case {no}; its clock is stopped.",
    },
    "work.decided.reject": {"zh": "已不予许可：办件 {no}。", "en": "Rejected: case {no}."},
    "work.pass_on": {"zh": "流转", "en": "Pass on"},
    "work.pass_on.to": {"zh": "交给同事", "en": "Colleague"},
    "work.pass_on.choose": {"zh": "请选择一位同事", "en": "Choose a colleague"},
    "work.pass_on.colleague": {"zh": "{name}（{username}）", "en": "{name} ({username})"},
    "work.pass_on.hint": {
        "zh": "转办：交给同事办理，不再回到您这里。委派：请同事办理后交还，由您决定。"
        "加签：这位同事也须审批本环节。",
        "en": "Transfer: your colleague takes the task over for good. Delegate: they handle it "
        "and give it back for you to decide. Add a co-signer: they must approve this step too.",
    },
    "work.pass_on.comment": {"zh": "说明（可选）", "en": "Note (optional)"},
    "work.pass_on.none": {
        "zh": "本部门没有其他持有该岗位角色的同事，不能转办、委派或加签。",
        "en": "No other colleague of your department holds this step's role, so the task "
        "cannot be passed on.",
    },
    "work.pass_on.transfer": {"zh": "转办", "en": "Transfer"},
    "work.pass_on.delegate": {"zh": "委派", "en": "Delegate"},
    "work.pass_on.add_signer": {"zh": "加签", "en": "Add a co-signer"},
    "work.pass_on.delegated": {
        "zh": "{name} 将本任务委派给您：办理后请交还，由 {name} 作出决定。",
        "en": "{name} delegated this task to you: handle it, then give it back for {name} "
        "to decide.",
    },
    "work.pass_on.findings": {"zh": "办理情况", "en": "What you found"},
    "work.pass_on.give_back": {"zh": "交还", "en": "Give back"},
    "work.pass_on.take_back": {"zh": "撤回审批", "en": "Take back my approval"},
    "work.pass_on.take_back_hint": {
        "zh": "下一环节的人员办理之前，您可以撤回自己的审批，重新办理。",
        "en": "Until the next officer acts on it, you can take your approval back and decide "
        "again.",
    },
    "work.pass_on.done.transferred": {
        "zh": "已转办给 {name}：办件 {no}。",
        "en": "Transferred to {name}: case {no}.",
    },
    "work.pass_on.done.delegated": {
        "zh": "已委派给 {name}：办件 {no}，办理后将交还给您。",
        "en": "Delegated to {name}: case {no} comes back to you when they are done.",
    },
    "work.pass_on.done.signer_added": {
        "zh": "已请 {name} 加签：办件 {no} 还须 {name} 审批。",
        "en": "Co-signer added: case {no} now needs {name}'s approval too.",
    },
    "work.pass_on.done.given_back": {
        "zh": "已交还给 {name}：办件 {no}。",
        "en": "Given back to {name}: case {no}.",
    },
    "work.pass_on.done.taken_back": {
        "zh": "已撤回审批：办件 {no} 回到您的办件箱。",
        "en": "Approval taken back: case {no} is back in your inbox.",
    },
    # --- pages: consent, prefilled forms and where answers came from, my data, data quality --
    "nav.data_access": {"zh": "谁查看了我的数据", "en": "Who has seen my data"},
    "nav.data_sources": {"zh": "数据质量", "en": "Data quality"},
    "consent.title": {"zh": "授权获取您的信息", "en": "Let us fetch your details"},
    "consent.caption": {"zh": "开始填表前", "en": "Before you fill in the form"},
    "consent.lead": {
        "zh": "这份申请表要的一些信息，下列部门已经有了。经您同意，平台向这些部门获取，"
        "自动填进申请表，您只需核对。",
        "en": "Some of what this form asks for is already held by the departments below. With "
        "your consent the platform fetches it from them and fills in the form; you only check it.",
    },
    "consent.choose": {"zh": "要共享的信息", "en": "What to share"},
    "consent.choose_hint": {
        "zh": "已全部勾选；不想共享的可以取消勾选，那几项由您自己填写。",
        "en": "Everything is ticked; untick anything you would rather type in yourself.",
    },
    "consent.source": {"zh": "数据来源：{source}", "en": "Source: {source}"},
    "consent.sensitive": {"zh": "（敏感个人信息）", "en": "(sensitive personal information)"},
    "consent.purpose_title": {"zh": "用途", "en": "What it is for"},
    "consent.purpose": {
        "zh": "仅用于自动填写本次申请表，不作他用。",
        "en": "Only to fill in this application form for you, and for nothing else.",
    },
    "consent.duration_title": {"zh": "有效期", "en": "How long it lasts"},
    "consent.duration": {
        "zh": "{days} 天。期间再打开这份申请表会直接填好；您可以随时在“谁查看了我的数据”"
        "页面撤回授权。",
        "en": "{days} days. Opening this form again in that time fills it in straight away. You "
        "can withdraw your consent at any time on the “Who has seen my data” page.",
    },
    "consent.kept": {
        "zh": "平台不另存获取到的信息：只有您提交申请时表上的内容随申请保存。每次获取都有记录，"
        "您可以查看。",
        "en": "The platform keeps nothing it fetches: only what is on the form when you send it "
        "is kept, with your application. Every fetch is recorded for you to see.",
    },
    "consent.agree": {"zh": "同意并自动填写", "en": "Agree and fill in the form"},
    "consent.decline": {"zh": "不授权，自己填写", "en": "Don't agree; I'll fill it in myself"},
    "prefill.filled": {
        "zh": "已按您的授权自动填写 {n} 项，每项都注明了来源。请核对，不对的可以直接修改。",
        "en": "{n} answers are filled in from departments' records, each showing where it came "
        "from. Check them, and change anything that is wrong.",
    },
    "prefill.filled.one": {
        "zh": "已按您的授权自动填写 {n} 项，每项都注明了来源。请核对，不对的可以直接修改。",
        "en": "{n} answer is filled in from departments' records, showing where it came from. "
        "Check it, and change it if it is wrong.",
    },
    "prefill.sources_failed": {
        "zh": "暂时无法从{departments}获取信息，相关内容请您手动填写；其余信息已自动填好。",
        "en": "We could not get details from {departments} just now, so please fill those in "
        "yourself; everything else is filled in.",
    },
    "prefill.declined": {
        "zh": "您选择了自己填写，没有向其他部门获取信息。",
        "en": "You chose to fill in the form yourself; nothing was fetched from other departments.",
    },
    "prefill.ask_again": {"zh": "改为授权自动填写", "en": "Let us fill it in after all"},
    "origin.from": {"zh": "来自 {where}", "en": "From {where}"},
    "origin.account": {"zh": "您的实名认证信息", "en": "your verified account"},
    "origin.account_staff": {
        "zh": "申请人的实名认证信息",
        "en": "the applicant's verified account",
    },
    "origin.verified": {"zh": "✓ 已核验", "en": "✓ Verified"},
    "origin.changed": {"zh": "已修改（本人填写）", "en": "Changed (by you)"},
    "origin.changed_from": {
        "zh": "已修改（本人填写），原信息来自 {where}",
        "en": "Changed (by you); first filled in from {where}",
    },
    "origin.entered": {"zh": "本人填写", "en": "Entered by you"},
    "origin.entered_staff": {"zh": "申请人填写", "en": "Entered by the applicant"},
    "origin.changed_staff": {
        "zh": "申请人已修改，原信息来自 {where}",
        "en": "Changed by the applicant; first filled in from {where}",
    },
    "origin.fetched_at": {"zh": "获取于 {when}", "en": "fetched {when}"},
    "origin.label": {"zh": "来源：", "en": "Source: "},
    "missing.source_timeout": {
        "zh": "{department}暂时无法获取，请手动填写",
        "en": "{department} could not be reached just now; please fill this in",
    },
    "missing.source_unavailable": {
        "zh": "{department}暂时无法获取，请手动填写",
        "en": "{department} could not be reached just now; please fill this in",
    },
    "missing.source_circuit_open": {
        "zh": "{department}暂时无法获取，请手动填写",
        "en": "{department} could not be reached just now; please fill this in",
    },
    "missing.rejected": {
        "zh": "{department}提供的这项信息未通过校验，请手动填写",
        "en": "What {department} holds for this did not pass our checks; please fill it in",
    },
    "missing.no_value": {
        "zh": "{department}没有这项信息，请手动填写",
        "en": "{department} holds nothing for this; please fill it in",
    },
    "access.title": {"zh": "谁查看了我的数据", "en": "Who has seen my data"},
    "access.lead": {
        "zh": "平台向部门获取您的信息、工作人员或部门系统查看您的申请，每一次都记录在这里，"
        "最新的在前。",
        "en": "Every time the platform fetches your details from a department, or staff or a "
        "department's system look at your application, it is recorded here, newest first.",
    },
    "access.caption": {"zh": "查看记录，最新的在前", "en": "Looks at your data, newest first"},
    "access.when": {"zh": "时间", "en": "When"},
    "access.who": {"zh": "查看方", "en": "Who"},
    "access.what": {"zh": "查看的信息", "en": "Which details"},
    "access.why": {"zh": "用途", "en": "What for"},
    "access.system": {"zh": "部门系统", "en": "Department system"},
    "access.platform": {"zh": "平台自动获取", "en": "Fetched by the platform"},
    "access.purpose.prefill": {"zh": "自动填写申请表", "en": "Filling in your application form"},
    "access.purpose.prefill_for": {
        "zh": "自动填写申请表（{name}）",
        "en": "Filling in your application form ({name})",
    },
    "access.purpose.case_handling": {"zh": "办理申请 {no}", "en": "Handling application {no}"},
    "access.none": {
        "zh": "还没有人查看过您的数据。",
        "en": "Nobody has looked at your details yet.",
    },
    "access.older": {"zh": "更早的记录", "en": "Older entries"},
    "access.newest": {"zh": "回到最新记录", "en": "Back to the newest"},
    "me.data_access": {
        "zh": "谁查看了我的数据、我的授权",
        "en": "Who has seen my data, and my consents",
    },
    "consents.title": {"zh": "我的授权", "en": "My consents"},
    "consents.lead": {
        "zh": "撤回后，平台不再据此获取您的信息；已提交的申请不受影响。",
        "en": "Once withdrawn, nothing more is fetched under a consent; applications already "
        "sent are not affected.",
    },
    "consents.none": {"zh": "您还没有给出过授权。", "en": "You have not given any consent."},
    "consents.purpose": {
        "zh": "用于自动填写“{name}”申请表",
        "en": "To fill in the form for “{name}”",
    },
    "consents.elements": {"zh": "可获取的信息", "en": "Details it covers"},
    "consents.given": {"zh": "授权时间", "en": "Given"},
    "consents.expires": {"zh": "有效期至", "en": "Lasts until"},
    "consents.withdrawn_at": {"zh": "撤回时间", "en": "Withdrawn"},
    "consents.status": {"zh": "状态", "en": "Status"},
    "consents.status.active": {"zh": "有效", "en": "Active"},
    "consents.status.withdrawn": {"zh": "已撤回", "en": "Withdrawn"},
    "consents.status.expired": {"zh": "已过期", "en": "Expired"},
    "consents.withdraw": {"zh": "撤回授权", "en": "Withdraw consent"},
    "consents.withdrawn": {
        "zh": "授权已撤回，今后不会再据此获取您的信息；已提交的申请不受影响。",
        "en": "Consent withdrawn: nothing more will be fetched under it. Applications already "
        "sent are not affected.",
    },
    "sources.title": {"zh": "数据资源与数据质量", "en": "Data sources and data quality"},
    "sources.lead": {
        "zh": "平台可以向下列部门系统获取数据（政务数据资源目录）。点名称查看近 30 天的数据质量。",
        "en": "The department systems the platform may fetch data from (the government data "
        "catalogue). Choose one to see its data quality over the last 30 days.",
    },
    "sources.caption": {"zh": "数据资源目录", "en": "Data sources"},
    "sources.name": {"zh": "数据资源", "en": "Source"},
    "sources.provider": {"zh": "提供部门", "en": "Provided by"},
    "sources.sharing": {"zh": "共享类型", "en": "Sharing"},
    "sources.cycle": {"zh": "更新周期", "en": "Updated"},
    "sources.connector": {"zh": "接入方式", "en": "Connection"},
    "sources.elements": {"zh": "提供的数据项", "en": "Details it provides"},
    "sharing.unconditional": {"zh": "无条件共享", "en": "Shared without conditions"},
    "sharing.conditional": {
        "zh": "有条件共享（须本人授权）",
        "en": "Shared on conditions (the person's consent)",
    },
    "sharing.none": {"zh": "不予共享", "en": "Not shared"},
    "cycle.realtime": {"zh": "实时", "en": "Live"},
    "cycle.daily": {"zh": "每日", "en": "Daily"},
    "cycle.weekly": {"zh": "每周", "en": "Weekly"},
    "cycle.monthly": {"zh": "每月", "en": "Monthly"},
    "connector.json_rest": {"zh": "JSON 接口", "en": "JSON web service"},
    "connector.xml": {"zh": "XML 接口", "en": "XML web service"},
    "connector.csv": {"zh": "CSV 文件导出", "en": "CSV export file"},
    "quality.title": {"zh": "数据质量：{source}", "en": "Data quality: {source}"},
    "quality.back": {"zh": "← 返回数据资源列表", "en": "← Back to the data sources"},
    "quality.period": {
        "zh": "近 {days} 天（{since}起）",
        "en": "The last {days} days (since {since})",
    },
    "quality.totals": {"zh": "总体情况", "en": "In total"},
    "quality.reads": {"zh": "读取次数", "en": "Reads"},
    "quality.records_read": {"zh": "读取记录数", "en": "Records read"},
    "quality.values_read": {"zh": "读取数据项", "en": "Values read"},
    "quality.values_cleaned": {"zh": "经过清洗的数据项", "en": "Values cleaned"},
    "quality.values_rejected": {"zh": "拒收的数据项", "en": "Values rejected"},
    "quality.failed_reads": {"zh": "读取失败", "en": "Failed reads"},
    "quality.cleaned": {"zh": "清洗规则", "en": "Cleaning, by rule"},
    "quality.rejected": {"zh": "拒收原因", "en": "Rejections, by reason"},
    "quality.failed": {"zh": "读取失败原因", "en": "Failed reads, by cause"},
    "quality.rule": {"zh": "规则", "en": "Rule"},
    "quality.reason": {"zh": "原因", "en": "Reason"},
    "quality.count": {"zh": "次数", "en": "Count"},
    "quality.nothing": {"zh": "无", "en": "None"},
    "rule.whitespace": {"zh": "去除多余空格", "en": "Extra spaces removed"},
    "rule.fullwidth": {
        "zh": "全角数字字母转半角",
        "en": "Full-width digits and letters made half-width",
    },
    "rule.pinyin": {"zh": "去除拼音注音", "en": "Pinyin added to names removed"},
    "rule.traditional": {"zh": "繁体字转简体", "en": "Traditional characters made simplified"},
    "rule.name_separator": {"zh": "姓名间隔号统一", "en": "Name separators made standard"},
    "rule.brackets": {"zh": "半角括号转全角", "en": "Brackets made full-width"},
    "rule.case": {"zh": "字母转大写", "en": "Letters made upper case"},
    "rule.legacy_id": {
        "zh": "15 位老身份证号升为 18 位",
        "en": "Old 15-digit ID numbers upgraded to 18",
    },
    "rule.mobile_prefix": {
        "zh": "手机号去除 +86 等前缀",
        "en": "Country code (+86) removed from mobile numbers",
    },
    "rule.date_format": {"zh": "日期格式统一", "en": "Dates written the standard way"},
    "rule.unit": {"zh": "去除数量单位", "en": "Units removed from numbers"},
    "rule.number_format": {"zh": "数字格式统一", "en": "Numbers written the standard way"},
    "rule.code_map": {
        "zh": "部门代码转为标准代码",
        "en": "Department codes mapped to standard ones",
    },
    "rule.division_code": {
        "zh": "行政区划名称转为代码",
        "en": "Division names turned into division codes",
    },
    "rejection.unknown_code": {
        "zh": "代码无法对应到标准代码",
        "en": "A code with no standard equivalent",
    },
    "rejection.invalid_id_number": {"zh": "身份证号无效", "en": "ID number not valid"},
    "rejection.invalid_uscc": {
        "zh": "统一社会信用代码无效",
        "en": "Unified social credit code not valid",
    },
    "rejection.invalid_phone": {"zh": "手机号码无效", "en": "Mobile number not valid"},
    "rejection.invalid_date": {"zh": "日期无效", "en": "Date not valid"},
    "rejection.invalid_option": {"zh": "不在可选值范围内", "en": "Not one of the allowed values"},
    "rejection.invalid_region_code": {
        "zh": "行政区划代码无效",
        "en": "Division code not valid",
    },
    "rejection.too_long": {"zh": "内容过长", "en": "Too long"},
    "rejection.wrong_type": {"zh": "类型不符", "en": "Wrong kind of value"},
    "failure.timeout": {"zh": "超时未响应", "en": "Timed out"},
    "failure.unavailable": {"zh": "系统无法连接", "en": "System unreachable"},
    "failure.circuit_open": {
        "zh": "连续失败后暂停访问（熔断）",
        "en": "Paused after repeated failures (circuit open)",
    },
    # --- pages: 12345 我要反映, the dispatch centre and departments' tickets, 好差评 and 差评整改,
    # my licences ---------------------------------------------------------------------------
    "nav.hotline": {"zh": "12345 我要反映", "en": "12345 Report a problem"},
    "nav.hotline_inbox": {"zh": "12345 工单", "en": "12345 tickets"},
    "nav.hotline_queue": {"zh": "12345 派单", "en": "12345 dispatch"},
    "nav.rectifications": {"zh": "差评整改", "en": "Bad ratings"},
    "nav.appeals": {"zh": "差评申诉", "en": "Rating appeals"},
    "nav.licences": {"zh": "我的证照", "en": "My licences"},
    "home.hotline": {"zh": "12345 政务服务便民热线", "en": "12345 Government service hotline"},
    "home.hotline_text": {
        "zh": "路灯不亮、垃圾没清、噪声扰民、消费纠纷……在网上反映，派给负责的部门限时答复，"
        "办理进度随时可查。",
        "en": "A street light out, rubbish not collected, noise, a dispute with a shop: report it "
        "here and the department responsible answers within a set time; follow it as it goes.",
    },
    "hotline.public_only": {
        "zh": "这个页面供群众和企业反映问题。工作人员请在工作台处理工单。",
        "en": "This page is for the public to report problems; staff handle tickets on the "
        "workbench.",
    },
    "hotline.new.title": {"zh": "12345 我要反映", "en": "12345: report a problem"},
    "hotline.new.cta": {"zh": "我要反映", "en": "Report a problem"},
    "hotline.new.lead": {
        "zh": "您反映的问题会派给负责的部门办理：一般问题 7 个工作日内答复，水电气问题 24 小时内，"
        "危及生命财产安全的 2 小时内。",
        "en": "What you report goes to the department responsible: most problems are answered "
        "within 7 working days, water, power and gas within 24 hours, and anything that "
        "endangers life or property within 2 hours.",
    },
    "hotline.new.emergency": {
        "zh": "正在发生的火灾、事故、治安警情请直接拨打 119、120、110。",
        "en": "For a fire, an accident or a crime happening now, call 119, 120 or 110.",
    },
    "hotline.kind": {"zh": "诉求类型", "en": "What kind of request"},
    "hotline.kind_hint": {
        "zh": "拿不准就选“投诉”，派单员会帮您分类。",
        "en": "If unsure, choose Complaint; the dispatcher sorts it out.",
    },
    "hotline.kind_required": {"zh": "请选择诉求类型。", "en": "Choose what kind of request it is."},
    "hotline.text": {"zh": "您要反映的问题", "en": "The problem"},
    "hotline.text_hint": {
        "zh": "请写清楚：什么事、在哪里、从什么时候开始。例如：胜利西路88号门口的路灯坏了，"
        "已经三天晚上不亮。",
        "en": "Say what, where and since when. For example: the street light outside 88 "
        "Shengli Road West has been out for three nights.",
    },
    "hotline.text_too_long": {
        "zh": "内容过长，请控制在 {max} 字以内。",
        "en": "This is too long; keep it within {max} characters.",
    },
    "hotline.address": {"zh": "地点", "en": "Where"},
    "hotline.address_hint": {
        "zh": "街道、路名、门牌号或小区楼栋",
        "en": "Street, road, house number, or estate and building",
    },
    "hotline.location": {"zh": "位置坐标", "en": "Map position"},
    "hotline.location_hint": {
        "zh": "可不填。填了可以帮部门更快找到地点，也能发现别人反映过的同一问题。",
        "en": "You may leave this out. It helps the department find the place, and finds "
        "the same problem if someone has already reported it.",
    },
    "hotline.lat": {"zh": "纬度", "en": "Latitude"},
    "hotline.lon": {"zh": "经度", "en": "Longitude"},
    "hotline.coordinate_not_number": {
        "zh": "请填写数字，例如 30.638800。",
        "en": "Enter a number, such as 30.638800.",
    },
    "hotline.use_location": {"zh": "使用我的位置", "en": "Use my location"},
    "hotline.locating": {"zh": "正在获取位置……", "en": "Finding your location…"},
    "hotline.located": {
        "zh": "已填入您当前的位置。",
        "en": "Your present location is filled in.",
    },
    "hotline.locate_failed": {
        "zh": "没能获取位置，可以不填，或手动填写。",
        "en": "Your location could not be found; leave it out or type it in.",
    },
    "hotline.photos": {"zh": "照片", "en": "Photos"},
    "hotline.photos_hint": {
        "zh": "最多3张，每张不超过1MB（JPEG、PNG或WebP），能帮助部门更快找到问题。",
        "en": "Up to 3, each under 1 MB (JPEG, PNG or WebP); they help the department find the "
        "problem faster.",
    },
    "ticket.photos": {"zh": "现场照片", "en": "Photos"},
    "ticket.photo_alt": {"zh": "反映人上传的第{n}张照片", "en": "Photo {n} from the reporter"},
    "hotline.submit": {"zh": "提交", "en": "Send"},
    "hotline.privacy": {
        "zh": "您的姓名和电话只给承办部门用于联系您，不会公开。",
        "en": "Your name and phone number go only to the department, to contact you; they are "
        "never published.",
    },
    "hotline.filed.title": {"zh": "您的诉求已受理", "en": "Your request is received"},
    "hotline.filed.next": {
        "zh": "我们已把它派给负责的部门（需要人工分派的，派单员会尽快处理）。部门答复后会通知您，"
        "请告诉我们问题是否解决。随时可以在这里查看进度：",
        "en": "It goes to the department responsible (a dispatcher routes it if it needs a "
        "person to). You will be told when the department answers; then tell us whether it is "
        "resolved. Follow it any time in",
    },
    "hotline.mine.title": {"zh": "我的诉求", "en": "My requests"},
    "hotline.mine.none": {
        "zh": "您还没有反映过问题。",
        "en": "You have not reported anything yet.",
    },
    "ticket.heading": {"zh": "12345 工单", "en": "12345 ticket"},
    "ticket.title": {"zh": "12345 工单 {no}", "en": "12345 ticket {no}"},
    "ticket.no": {"zh": "工单号", "en": "Ticket number"},
    "ticket.status": {"zh": "状态", "en": "Status"},
    "ticket.status.dispatching": {"zh": "正在分派", "en": "Being routed"},
    "ticket.status.assigned": {"zh": "待签收", "en": "Sent to the department"},
    "ticket.status.in_progress": {"zh": "办理中", "en": "Being handled"},
    "ticket.status.replied": {"zh": "已答复", "en": "Answered"},
    "ticket.status.closed": {"zh": "已办结", "en": "Closed"},
    "ticket.status.linked": {"zh": "合并办理", "en": "Handled with an earlier report"},
    "ticket.emergency": {"zh": "紧急", "en": "Emergency"},
    "ticket.category": {"zh": "问题分类", "en": "Category"},
    "ticket.department": {"zh": "承办部门", "en": "Department"},
    "ticket.being_routed": {"zh": "正在分派", "en": "Being routed"},
    "ticket.received": {"zh": "受理时间", "en": "Received"},
    "ticket.answer_due": {"zh": "答复期限", "en": "Answer due"},
    "ticket.sign_due": {"zh": "签收期限", "en": "Sign for by"},
    "ticket.linked_to": {"zh": "合并到工单", "en": "Handled with ticket"},
    "ticket.coordinates": {"zh": "坐标：{lat}，{lon}", "en": "Position: {lat}, {lon}"},
    "ticket.no_place": {"zh": "未填写", "en": "Not given"},
    "ticket.progress": {"zh": "办理进度", "en": "Progress"},
    "ticket.steps": {"zh": "工单办理环节", "en": "The ticket's steps"},
    "ticket.step.received": {"zh": "受理", "en": "Received"},
    "ticket.step.dispatched": {"zh": "派单", "en": "Routed"},
    "ticket.step.signed": {"zh": "签收", "en": "Taken on"},
    "ticket.step.replied": {"zh": "答复", "en": "Answered"},
    "ticket.step.called_back": {"zh": "回访", "en": "Followed up"},
    "ticket.what": {"zh": "反映的问题", "en": "What was reported"},
    "ticket.reply": {"zh": "部门答复", "en": "The department's answer"},
    "ticket.timeline": {"zh": "办理记录", "en": "History"},
    "ticket.linked_notice": {
        "zh": "已有人反映同一问题，合并办理：工单号 {no}。答复时会同时告知您。",
        "en": "Someone has already reported the same problem; they are handled together: "
        "ticket {no}. You will get the same answer.",
    },
    "ticket.clock.left": {
        "zh": "{time} 前（还剩 {h} 小时 {m} 分）",
        "en": "By {time} ({h} h {m} min left)",
    },
    "ticket.clock.left_minutes": {
        "zh": "{time} 前（还剩 {m} 分钟）",
        "en": "By {time} ({m} min left)",
    },
    "ticket.clock.overdue_minutes": {
        "zh": "应于 {time} 前，已超时 {m} 分钟",
        "en": "was due by {time}, {m} min late",
    },
    "ticket.clock.overdue_badge": {"zh": "已超时", "en": "Overdue"},
    "ticket.clock.overdue": {
        "zh": "应于 {time} 前，已超时 {h} 小时 {m} 分",
        "en": "was due by {time}, {h} h {m} min late",
    },
    "ticket.resolved_yes": {"zh": "已解决", "en": "Resolved"},
    "ticket.resolved_no": {"zh": "未解决", "en": "Not resolved"},
    "ticket.satisfied_yes": {"zh": "满意", "en": "Satisfied"},
    "ticket.satisfied_no": {"zh": "不满意", "en": "Not satisfied"},
    "ticket.channel.web": {"zh": "网站", "en": "website"},
    "ticket.channel.mobile": {"zh": "手机", "en": "mobile"},
    "ticket.channel.api": {"zh": "接口", "en": "API"},
    "ticket.channel.phone": {"zh": "电话", "en": "phone"},
    "ticket.channel.open311": {"zh": "Open311 接口", "en": "Open311"},
    "ticket.routed_by.rule": {"zh": "按派单规则", "en": "by a rule"},
    "ticket.routed_by.model": {"zh": "按模型建议", "en": "by the model"},
    "ticket.routed_by.dispatcher": {"zh": "派单员派单", "en": "by a dispatcher"},
    "ticket.routed_by.reporter": {"zh": "按反映人所选", "en": "as the reporter chose"},
    "ticket.late.sign_for": {"zh": "签收", "en": "sign-for"},
    "ticket.late.answer": {"zh": "答复", "en": "answer"},
    "ticket.event.received": {"zh": "已受理（{channel}）", "en": "Received ({channel})"},
    "ticket.event.queued": {
        "zh": "等待派单员分派承办部门",
        "en": "Waiting for a dispatcher to choose the department",
    },
    "ticket.event.dispatched": {
        "zh": "已派至{department}（{category}）",
        "en": "Sent to {department} ({category})",
    },
    "ticket.event.dispatched_by": {
        "zh": "已派至{department}（{category}，{by}）",
        "en": "Sent to {department} ({category}, {by})",
    },
    "ticket.event.linked": {
        "zh": "与工单 {no} 是同一问题，合并办理",
        "en": "The same problem as ticket {no}; handled together",
    },
    "ticket.event.duplicate_linked": {
        "zh": "又有人反映同一问题（工单 {no}），合并办理",
        "en": "Someone else reported the same problem (ticket {no}); handled together",
    },
    "ticket.event.signed": {"zh": "{department}已签收", "en": "{department} took it on"},
    "ticket.event.transfer_requested": {
        "zh": "承办部门申请退回",
        "en": "The department asked to hand it back",
    },
    "ticket.event.transfer_refused": {
        "zh": "派单中心不同意退回，仍由{department}办理",
        "en": "The dispatch centre kept it with {department}",
    },
    "ticket.event.replied": {"zh": "{department}已答复", "en": "{department} answered"},
    "ticket.event.replied_with": {
        "zh": "已随工单 {no} 一并答复",
        "en": "Answered together with ticket {no}",
    },
    "ticket.event.called_back": {
        "zh": "回访：{resolved}，{satisfied}",
        "en": "Follow-up: {resolved}, {satisfied}",
    },
    "ticket.event.reopened": {
        "zh": "回访：{resolved}，{satisfied}。已退回承办部门重新办理",
        "en": "Follow-up: {resolved}, {satisfied}. Sent back to the department to handle again",
    },
    "ticket.event.escalated": {
        "zh": "未按时{late}，已升级督办",
        "en": "Missed its {late} deadline; escalated",
    },
    "ticket.event.other": {"zh": "工单有更新", "en": "The ticket was updated"},
    "hotline.callback.title": {"zh": "回访：问题解决了吗？", "en": "Follow-up: is it resolved?"},
    "hotline.callback.lead": {
        "zh": "部门已答复。请告诉我们结果；没有解决的，会退回部门重新办理。",
        "en": "The department has answered. Tell us how it went; if it is not resolved, it goes "
        "back to the department to handle again.",
    },
    "hotline.callback.resolved": {"zh": "解决了吗？", "en": "Is it resolved?"},
    "hotline.callback.resolved_hint": {
        "zh": "选“否”会退回部门重新办理。",
        "en": "Choosing No sends it back to the department.",
    },
    "hotline.callback.satisfied": {"zh": "满意吗？", "en": "Are you satisfied?"},
    "hotline.callback.yes": {"zh": "是", "en": "Yes"},
    "hotline.callback.no": {"zh": "否", "en": "No"},
    "hotline.callback.comment": {"zh": "还想说的", "en": "Anything else"},
    "hotline.callback.submit": {"zh": "提交回访", "en": "Send"},
    "hotline.callback.resolved_required": {
        "zh": "请选择问题是否解决。",
        "en": "Say whether it is resolved.",
    },
    "hotline.callback.satisfied_required": {
        "zh": "请选择是否满意。",
        "en": "Say whether you are satisfied.",
    },
    "hotline.callback.given": {"zh": "您的回访", "en": "Your follow-up"},
    "hotline.callback.reporter_said": {"zh": "反映人回访", "en": "The reporter's follow-up"},
    "hotline.queue.title": {"zh": "12345 派单", "en": "12345 dispatch"},
    "hotline.queue.lead": {
        "zh": "系统没把握的工单和部门的退回申请，紧急的在前。已按系统建议选好分类，核对后派单。",
        "en": "Tickets the system was not sure of, and departments' requests to hand one back; "
        "emergencies first. The suggested category is chosen already: check it and send.",
    },
    "hotline.queue.empty": {"zh": "没有待派的工单。", "en": "Nothing to route."},
    "hotline.queue.count": {"zh": "共 {n} 张待处理。", "en": "{n} to deal with."},
    "hotline.queue.count.one": {"zh": "共 1 张待处理。", "en": "1 to deal with."},
    "hotline.queue.suggested": {"zh": "系统建议：", "en": "Suggested:"},
    "hotline.queue.confidence": {"zh": "{percent}%", "en": "{percent}%"},
    "hotline.queue.transfer_badge": {"zh": "申请退回", "en": "Hand-back request"},
    "hotline.queue.transfer_from": {
        "zh": "{department}申请退回（现分类：{category}）",
        "en": "{department} asks to hand it back (now: {category})",
    },
    "hotline.dispatch.title": {"zh": "派单", "en": "Route"},
    "hotline.dispatch.category": {
        "zh": "问题分类（决定承办部门）",
        "en": "Category (decides the department)",
    },
    "hotline.dispatch.submit": {"zh": "派单", "en": "Send"},
    "hotline.dispatch.transfer": {"zh": "改派", "en": "Send elsewhere"},
    "hotline.dispatch.keep": {
        "zh": "不同意退回，仍由{department}办理",
        "en": "Refuse: keep it with {department}",
    },
    "hotline.dispatch.choose": {"zh": "请选择问题分类。", "en": "Choose a category."},
    "hotline.inbox.title": {"zh": "12345 工单", "en": "12345 tickets"},
    "hotline.inbox.caption": {
        "zh": "本部门的 12345 工单，紧急的和最先到期的在前",
        "en": "The department's 12345 tickets, emergencies and the soonest due first",
    },
    "hotline.inbox.count": {
        "zh": "共 {n} 张待办，紧急的和最先到期的在前。",
        "en": "{n} open, emergencies and the soonest due first.",
    },
    "hotline.inbox.count.one": {
        "zh": "共 1 张待办。",
        "en": "1 open.",
    },
    "hotline.inbox.empty": {"zh": "没有待办的工单。", "en": "No open tickets."},
    "hotline.inbox.replied": {"zh": "已答复，等待回访", "en": "Answered, awaiting follow-up"},
    "hotline.inbox.due": {"zh": "期限", "en": "Due"},
    "hotline.inbox.ticket": {"zh": "工单", "en": "Ticket"},
    "hotline.inbox.sign_by": {"zh": "签收：", "en": "Sign for: "},
    "hotline.inbox.answer_by": {"zh": "答复：", "en": "Answer: "},
    "hotline.inbox.awaiting_callback": {"zh": "等待回访", "en": "Awaiting follow-up"},
    "hotline.back": {"zh": "返回工单列表", "en": "Back to the tickets"},
    "hotline.handle": {"zh": "办理", "en": "Handle"},
    "hotline.sign": {"zh": "签收", "en": "Take it on"},
    "hotline.reply": {"zh": "答复", "en": "Answer"},
    "hotline.reply_hint": {
        "zh": "写明查看了什么、做了什么、结果如何；反映人会看到原文。",
        "en": "Say what was checked, what was done and the result; the reporter reads it "
        "as written.",
    },
    "hotline.reply_submit": {"zh": "提交答复", "en": "Send the answer"},
    "hotline.transfer.title": {"zh": "申请退回（不属本部门职责）", "en": "Hand it back (not ours)"},
    "hotline.transfer.lead": {
        "zh": "首接负责：派单中心改派之前，工单仍由本部门办理。",
        "en": "First contact answers: until the dispatch centre moves it, it stays ours.",
    },
    "hotline.transfer.reason": {"zh": "退回理由", "en": "Why it is not ours"},
    "hotline.transfer.reason_required": {
        "zh": "请写明退回理由。",
        "en": "Say why it is not ours.",
    },
    "hotline.transfer.submit": {"zh": "申请退回", "en": "Ask to hand it back"},
    "hotline.transfer.pending": {
        "zh": "已申请退回，等待派单中心处理；在此之前仍由本部门办理。",
        "en": "Hand-back requested; until the dispatch centre decides, it is still ours.",
    },
    "hotline.notice.signed": {"zh": "已签收工单 {no}。", "en": "Ticket {no} taken on."},
    "hotline.notice.replied": {"zh": "已答复工单 {no}。", "en": "Ticket {no} answered."},
    "hotline.notice.transfer_requested": {
        "zh": "已就工单 {no} 申请退回。",
        "en": "Hand-back of ticket {no} requested.",
    },
    "hotline.notice.dispatched": {"zh": "工单 {no} 已派单。", "en": "Ticket {no} routed."},
    "hotline.notice.kept": {
        "zh": "工单 {no} 不同意退回，仍由原部门办理。",
        "en": "Ticket {no} stays with its department.",
    },
    "application.notice.rated": {
        "zh": "感谢您的评价。",
        "en": "Thank you for your rating.",
    },
    "rating.title": {"zh": "好差评", "en": "Rate this service"},
    "rating.level": {"zh": "您对这次办事满意吗？", "en": "How satisfied are you?"},
    "rating.follow_up_level": {
        "zh": "追评：现在您满意吗？",
        "en": "Follow-up: how satisfied are you now?",
    },
    "rating.level_hint": {
        "zh": "选“不满意”或“非常不满意”，承办部门会在 1 个工作日内回访，15 个工作日内整改。",
        "en": "Choosing Dissatisfied or Very dissatisfied gets a call from the department within "
        "a working day and a fix within 15.",
    },
    "rating.level_required": {"zh": "请选择满意程度。", "en": "Choose how satisfied you are."},
    "rating.comment": {"zh": "评价内容", "en": "Comment"},
    "rating.comment_hint": {
        "zh": "哪里好，哪里需要改进",
        "en": "What went well, and what should change",
    },
    "rating.submit": {"zh": "提交评价", "en": "Send the rating"},
    "rating.submit_follow_up": {"zh": "提交追评", "en": "Send the follow-up"},
    "rating.given": {"zh": "您的评价：", "en": "Your rating:"},
    "rating.follow_up_given": {"zh": "您的追评：", "en": "Your follow-up:"},
    "rating.set_aside": {
        "zh": "这条评价经申诉复核已被撤销：{reason}",
        "en": "This rating was set aside on appeal: {reason}",
    },
    "rectification.by": {"zh": "{department}整改", "en": "{department} puts it right"},
    "rectification.status.open": {"zh": "待回访", "en": "To call back"},
    "rectification.status.called_back": {
        "zh": "已回访，整改中",
        "en": "Called back; being put right",
    },
    "rectification.status.rectified": {"zh": "已整改", "en": "Put right"},
    "rectification.status.set_aside": {"zh": "已撤销", "en": "Set aside"},
    "rectification.callback_due": {"zh": "回访期限", "en": "Call back by"},
    "rectification.rectify_due": {"zh": "整改期限", "en": "Put right by"},
    "rectification.called_back": {"zh": "已于 {time} 回访", "en": "called back {time}"},
    "rectification.outcome": {"zh": "整改结果", "en": "What was put right"},
    "rectify.title": {"zh": "差评整改", "en": "Bad ratings to put right"},
    "rectify.title_admin": {"zh": "差评申诉复核", "en": "Rating appeals"},
    "rectify.lead": {
        "zh": "本部门收到的差评：1 个工作日内回访，15 个工作日内整改，整改结果申请人可见。",
        "en": "The department's bad ratings: call the rater back within a working day, put it "
        "right within 15; the rater sees the outcome.",
    },
    "rectify.lead_admin": {
        "zh": "部门认为属于恶意差评的申诉。撤销后该评价不计入统计，理由会保留。",
        "en": "Departments' appeals against ratings they hold malicious. A rating set aside is "
        "not counted; the reason is kept.",
    },
    "rectify.none": {"zh": "本部门没有差评整改。", "en": "No bad ratings to put right."},
    "rectify.no_appeals": {"zh": "没有待复核的申诉。", "en": "No appeals to decide."},
    "rectify.closed": {"zh": "已完成", "en": "Done"},
    "rectify.case": {"zh": "办件 {no}", "en": "Application {no}"},
    "rectify.rated": {"zh": "评价：{level}（{date}）", "en": "Rated: {level} ({date})"},
    "rectify.rater_said": {"zh": "评价内容：{comment}", "en": "The rater wrote: {comment}"},
    "rectify.status": {"zh": "状态", "en": "Status"},
    "rectify.overdue": {"zh": "已超期", "en": "Overdue"},
    "rectify.called_back_at": {"zh": "已于 {time} 回访", "en": "called back {time}"},
    "rectify.rectified_at": {"zh": "已于 {time} 整改", "en": "put right {time}"},
    "rectify.note": {"zh": "回访情况", "en": "What the rater said"},
    "rectify.note_hint": {
        "zh": "电话回访了解到的情况（仅部门可见）",
        "en": "What you heard when you called (seen only by the department)",
    },
    "rectify.callback_submit": {"zh": "记录回访", "en": "Record the call-back"},
    "rectify.outcome_hint": {
        "zh": "做了哪些整改；申请人会在办件页面看到",
        "en": "What was put right; the rater sees it on the application's page",
    },
    "rectify.rectify_submit": {"zh": "完成整改", "en": "Mark as put right"},
    "rectify.appeal": {"zh": "申诉", "en": "Appeal"},
    "rectify.appeal_title": {"zh": "申诉（恶意差评）", "en": "Appeal (malicious rating)"},
    "rectify.appeal_reason": {"zh": "申诉理由", "en": "Why the rating is malicious"},
    "rectify.appeal_hint": {
        "zh": "由管理员复核；理由会保留。",
        "en": "An administrator decides; the reason is kept.",
    },
    "rectify.appeal_submit": {"zh": "提交申诉", "en": "Appeal"},
    "rectify.appeal_pending": {"zh": "申诉待复核", "en": "Appeal pending"},
    "rectify.appeal_decided.set_aside": {
        "zh": "申诉成立，差评已撤销",
        "en": "Upheld: rating set aside",
    },
    "rectify.appeal_decided.upheld": {"zh": "申诉不成立，差评维持", "en": "Refused: rating stands"},
    "rectify.decision_reason": {"zh": "复核理由", "en": "Reason for the decision"},
    "rectify.decision_required": {
        "zh": "请选择撤销或维持。",
        "en": "Choose to set the rating aside or to let it stand.",
    },
    "rectify.set_aside": {"zh": "撤销该差评", "en": "Set the rating aside"},
    "rectify.uphold": {"zh": "维持差评", "en": "Let the rating stand"},
    "rectify.notice.callback": {"zh": "已记录回访。", "en": "Call-back recorded."},
    "rectify.notice.rectify": {
        "zh": "已完成整改，申请人会看到整改结果。",
        "en": "Marked as put right; the rater sees the outcome.",
    },
    "rectify.notice.appeal": {
        "zh": "已提交申诉，等待管理员复核。",
        "en": "Appeal sent; an administrator decides.",
    },
    "rectify.notice.decision": {"zh": "已完成复核。", "en": "Decision recorded."},
    "licences.title": {"zh": "我的证照", "en": "My licences"},
    "licences.lead": {
        "zh": "部门审批后签发的电子证照。办理其他事项时会自动关联，不用再交纸质材料；"
        "别人扫码或打开核验页面即可查验真伪。",
        "en": "Electronic licences issued when departments approved your applications. Later "
        "applications use them instead of paper, and anyone can check them on their "
        "verification page.",
    },
    "licences.none": {"zh": "您还没有电子证照。", "en": "You have no electronic licences yet."},
    "licences.status.valid": {"zh": "有效", "en": "Valid"},
    "licences.status.revoked": {"zh": "已注销", "en": "Revoked"},
    "licences.status.expired": {"zh": "已过期", "en": "Expired"},
    "licences.pdf": {"zh": "下载PDF", "en": "Download PDF"},
    "licences.verify": {"zh": "核验页面", "en": "Verification page"},
    "licences.from_application": {"zh": "查看签发它的办件", "en": "The application that issued it"},
    "licences.issued": {"zh": "已签发的电子证照", "en": "Licences issued"},
    "licences.materials_title": {"zh": "免提交的材料", "en": "Papers you need not send"},
    "licences.material_met": {
        "zh": "免提交：已自动关联电子{type}",
        "en": "Not needed: your electronic {type} is attached,",
    },
    "licences.material_shared": {
        "zh": "由部门共享数据提供",
        "en": "Provided from the departments' shared data",
    },
    "licences.material_yours": {"zh": "由您提供", "en": "From you"},
    "licences.all_materials": {
        "zh": "全部材料（{n} 项，其中 {exempt} 项免提交）",
        "en": "All materials ({n}, of which {exempt} not needed from you)",
    },
    "timeline.licence": {"zh": "电子证照", "en": "electronic licence"},
    "timeline.certificate_issued": {
        "zh": "{service}：已签发电子{type}（{identifier}）",
        "en": "{service}: electronic {type} issued ({identifier})",
    },
    "timeline.licence_attached": {
        "zh": "{service}：已自动关联电子证照（{identifier}），{material}免提交",
        "en": "{service}: your electronic licence ({identifier}) stands in for {material}",
    },
}
