"""The shapes of service items (政务服务事项, GB/T 39046-2020 guide fields), bundles (一件事)
and standard data elements (数据元), as their YAML definitions must be written."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from yiwang.catalog.definitions import Text

CODE = r"^[a-z][a-z0-9-]{1,63}$"
SOURCE = r"^[a-z][a-z0-9_]{1,47}$"
FIELD = r"^[a-z][a-z0-9_]{0,47}$"
ELEMENT = r"^[a-z]+(\.[a-z_]+)+$"

# 事项类型 (item type) codes and their names.
ITEM_TYPES: dict[str, Text] = {
    "01": Text(zh="行政许可", en="Administrative licensing"),
    "02": Text(zh="行政处罚", en="Administrative penalty"),
    "03": Text(zh="行政强制", en="Administrative enforcement"),
    "04": Text(zh="行政征收", en="Administrative levy"),
    "05": Text(zh="行政给付", en="Administrative payment"),
    "06": Text(zh="行政检查", en="Administrative inspection"),
    "07": Text(zh="行政确认", en="Administrative confirmation"),
    "08": Text(zh="行政奖励", en="Administrative reward"),
    "09": Text(zh="行政裁决", en="Administrative ruling"),
    "10": Text(zh="其他行政权力", en="Other administrative power"),
    "20": Text(zh="公共服务", en="Public service"),
}

ElementType = Literal[
    "text",
    "address",
    "id_number",
    "uscc",
    "mobile",
    "region_code",
    "date",
    "integer",
    "money",
    "decimal",
    "boolean",
    "enum",
]
Action = Literal["approve", "reject", "return"]


class Strict(BaseModel):
    """Definitions refuse keys they do not know: a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Strict):
    """One allowed value of an enumerated data element."""

    value: str = Field(min_length=1, max_length=32)
    name: Text


class DataElement(Strict):
    """数据元: a standard data element every form field and data source refers to."""

    code: str = Field(pattern=ELEMENT)
    name: Text
    type: ElementType
    max_length: int | None = Field(default=None, ge=1, le=2000)
    options: list[Option] | None = None
    # 1 公开 public · 2 内部 internal · 3 敏感 sensitive · 4 高度敏感 highly sensitive
    sensitivity: int = Field(ge=1, le=4)
    authority: str | None = None  # the department whose register is authoritative for it

    @model_validator(mode="after")
    def _options_for_enums(self) -> DataElement:
        if (self.type == "enum") != bool(self.options):
            raise ValueError("an enum element needs options, and only an enum element has them")
        return self


class FormField(Strict):
    """A field of a service's form, backed by a data element."""

    name: str = Field(pattern=FIELD)
    element: str = Field(pattern=ELEMENT)
    label: Text | None = None  # defaults to the data element's name
    hint: Text | None = None
    required: bool = True


class Form(Strict):
    """A service's application form (申请表)."""

    fields: list[FormField] = Field(min_length=1)


class Material(Strict):
    """申请材料: a document the applicant provides, unless the platform obtains it itself."""

    code: str = Field(pattern=CODE)
    name: Text
    issuer: Text  # 来源渠道 / 出具单位
    form: Literal["original", "copy", "electronic"]
    copies: int = Field(default=1, ge=0, le=20)
    required: bool = True
    # 免提交: obtained by the platform instead, e.g. "certificate:business_licence" or a data
    # element such as "person.household"; None means the applicant provides it.
    provided_by: str | None = None
    commitment: bool = False  # 告知承诺: a signed promise may stand in for it


class Fee(Strict):
    """收费: amount in yuan and its legal basis; 0 for free services."""

    amount: Decimal = Field(ge=0)
    basis: Text


class Result(Strict):
    """办理结果: what the applicant receives; a certificate type where it is an e-licence."""

    name: Text
    certificate_type: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{1,47}$")


class Phones(Strict):
    """咨询电话 and 监督投诉电话."""

    consultation: str
    supervision: str = "12345"


class Step(Strict):
    """One step of a department's workflow: who acts, within how many working days, how."""

    code: str = Field(pattern=FIELD)
    name: Text
    role: str = Field(pattern=FIELD)
    limit_days: int = Field(ge=0, le=365)
    actions: list[Action] = Field(min_length=1)
    sign: Literal["any", "all"] = "any"  # 或签 (any one officer) / 会签 (every officer)
    next: str | None = Field(default=None, pattern=FIELD)  # after approval; None ends the branch


class Workflow(Strict):
    """A department's workflow for one service: its steps, starting with the first."""

    steps: list[Step] = Field(min_length=1)

    @cached_property
    def by_code(self) -> dict[str, Step]:
        """The steps by their codes (every decision looks its step up)."""
        return {step.code: step for step in self.steps}


class ServiceItem(Strict):
    """政务服务事项: a service guide (办事指南) with its form and workflow."""

    code: str = Field(pattern=CODE)
    version: int = Field(ge=1)
    name: Text
    department: str
    item_type_code: str = Field(pattern=r"^(0[1-9]|1[0-9]|20)$")
    item_kind: Literal["immediate", "promised"]  # 即办件 / 承诺件
    legal_limit_days: int = Field(ge=0, le=365)  # 法定办结时限 (working days)
    promised_limit_days: int = Field(ge=0, le=365)  # 承诺办结时限 (working days)
    online: bool  # 是否网办
    visits: int = Field(ge=0, le=10)  # 到办事现场次数
    audience: list[Literal["citizen", "enterprise"]] = Field(min_length=1)
    fee: Fee
    conditions: Text  # 受理条件
    process: list[Text] = Field(min_length=1)  # 办理流程
    legal_basis: list[Text] = Field(min_length=1)  # 设定依据
    materials: list[Material] = []
    result: Result
    phones: Phones
    form: Form
    workflow: Workflow

    @model_validator(mode="after")
    def _limits(self) -> ServiceItem:
        if self.promised_limit_days > self.legal_limit_days:
            raise ValueError("promised_limit_days may not exceed legal_limit_days")
        if self.item_kind == "immediate" and self.promised_limit_days != 0:
            raise ValueError("an immediate item (即办件) is promised within 0 working days")
        names = [f.name for f in self.form.fields]
        if len(names) != len(set(names)):
            raise ValueError("form field names must be unique")
        codes = [s.code for s in self.workflow.steps]
        if len(codes) != len(set(codes)):
            raise ValueError("workflow step codes must be unique")
        return self


class Bundle(Strict):
    """一件事: several services of several departments, applied for with one form."""

    code: str = Field(pattern=CODE)
    version: int = Field(ge=1)
    name: Text
    description: Text
    audience: list[Literal["citizen", "enterprise"]] = Field(min_length=1)
    services: list[str] = Field(min_length=2)
    # Where the law needs one result before another: {service: [services it waits for]}.
    after: dict[str, list[str]] = {}
    visits: int = Field(ge=0, le=10)  # visits for the whole bundle (usually 0 or 1)

    @model_validator(mode="after")
    def _after_within(self) -> Bundle:
        for service, predecessors in self.after.items():
            for code in (service, *predecessors):
                if code not in self.services:
                    raise ValueError(f"after: {code} is not one of the bundle's services")
        return self


class SourceField(Strict):
    """One field of a department system's records, mapped onto a standard data element."""

    element: str = Field(pattern=ELEMENT)
    # Where the value is: a JMESPath into a JSON record, a child tag of an XML record, or a CSV
    # column. "{other}" stands for the role the key's holder does not play (see DataSource.roles),
    # and "=role" takes the role itself as the value.
    path: str = Field(min_length=1, max_length=200)
    # The system's own codes for an enumerated element, e.g. {M: "1", F: "2"}.
    values: dict[str, str] | None = None
    # Cleaning beyond what the element's type implies, e.g. [person_name].
    clean: list[str] = []


class DataSource(Strict):
    """数据资源 (a data source of the 政务数据资源目录): a department system and what it shares."""

    code: str = Field(pattern=SOURCE)
    name: Text
    provider: str  # the department that keeps the system
    description: Text | None = None
    sharing: Literal["unconditional", "conditional", "none"]  # 无条件 / 有条件 / 不予共享
    update_cycle: Literal["realtime", "daily", "weekly", "monthly"]
    connector: str = Field(pattern=SOURCE)  # a kind in exchange.connectors.CONNECTORS
    # Relative to YIWANG_EXCHANGE_BASE_URL (the demo systems by default) unless absolute;
    # YIWANG_SOURCE_ENDPOINTS overrides it per source in production.
    endpoint: str = Field(min_length=1, max_length=500)
    # Whose records: the applicant's identifiers the system is asked by, in order of preference.
    keys: list[Literal["person.id_number", "enterprise.uscc"]] = Field(min_length=1)
    query: str = Field(min_length=1, max_length=64)  # query parameter, or CSV key column
    # Ask again by the 15-digit number a person born in the 1900s carried before 1999.
    legacy_key: bool = False
    records: str | None = None  # where the records are in an answer; None: the answer is one
    encoding: str = "utf-8"
    # Records naming several people: role -> path of that role's ID number (出生医学证明: the
    # mother and the father); the key's holder is the role whose number matches.
    roles: dict[str, str] | None = None
    fields: list[SourceField] = Field(min_length=1)

    @property
    def elements(self) -> list[str]:
        """The data elements this source serves."""
        return [f.element for f in self.fields]


class CertificateItem(Strict):
    """One data item of a licence (照面信息), from a data element of the approved form."""

    element: str = Field(pattern=ELEMENT)
    name: Text


class CertificateHolder(Strict):
    """Whose licence it is: the name's element, and the first of the code elements the form has."""

    name: str = Field(pattern=ELEMENT)
    code: list[str] = Field(min_length=1)


class CertificateType(Strict):
    """电子证照类型: a licence a service issues on approval (GB/T 36903, identifier GB/T 36904)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,47}$")
    type_code: str = Field(pattern=r"^[0-9A-Z]{18}[0-9]{3}$")  # 证照类型代码
    name: Text
    issuer: str  # the department that issues and signs it
    holder: CertificateHolder
    assigns: str | None = None  # an element the issuing creates, e.g. a new credit code
    validity_years: int | None = Field(default=None, ge=1, le=100)  # None: long-term (长期)
    items: list[CertificateItem] = Field(min_length=1)
