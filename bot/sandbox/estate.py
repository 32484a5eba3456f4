"""The demo estate as data: who lives where, who works which trade, which chats exist.

The order of ``PEOPLE`` and ``GROUPS`` is part of the contract: the emulator hands out user and
group ids in creation order, so creating them in this order again gives the same ids — which
is what lets a ``--data`` sandbox find its people again if the chat history was lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["resident", "technician", "dispatcher", "manager"]


@dataclass(frozen=True, slots=True)
class Household:
    building: str
    room: str
    name: str
    phone: str
    fee_plan: str = "monthly"
    monthly_fee: str = "268.00"  # yuan a month (the roster's ``monthly_fee``)
    in_arrears: bool = False  # paid nothing since the 1st of last month (history.py)


@dataclass(frozen=True, slots=True)
class Persona:
    """Someone the trainer can act as."""

    key: str  # stable id for the web view and the tour
    name: str
    role: Role
    language_code: str  # what their Telegram app reports
    phone: str
    trades: tuple[str, ...] = ()
    unit: str = ""  # "3-1202" for residents
    bound: bool = True  # False: not linked yet (the tour binds her by sharing her contact)
    title: str = ""  # one line under the name in the chat list


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    title: str
    members: tuple[str, ...]  # persona keys; the first adds the bot and binds the group
    trades: tuple[str, ...] = ()
    purpose: str = ""  # dispatch | managers | emergency (staff chats without a trade)
    about: str = field(default="")


HOUSEHOLDS: tuple[Household, ...] = (
    Household("1", "0101", "张伟", "13900000101"),
    Household("1", "0202", "刘洋", "13900000202", in_arrears=True),
    Household("1", "0301", "陈静", "13900000301", "quarterly", "245.50"),
    Household("1", "0502", "杨帆", "13900000502", "semiannual", "312.00"),
    Household("3", "0801", "陳大文", "13800000003", "monthly", "286.40"),
    # 王芳, the tour's resident, owes since last month: the next 1st's overdue notice is hers.
    Household("3", "1202", "王芳", "13800000001", "monthly", "286.40", in_arrears=True),
    Household("3", "1203", "Li Lei", "13800000002", "quarterly", "286.40"),
    Household("3", "1501", "周杰", "13900001501", "monthly", "352.80"),
    Household("5", "0101", "赵敏", "13800000004"),
    Household("5", "0302", "吴磊", "13900000302", in_arrears=True),
    Household("5", "0603", "郑爽", "13900000603", "semiannual", "268.00"),
    Household("5", "1101", "孙丽", "13900001101", "monthly", "198.60"),
)

PEOPLE: tuple[Persona, ...] = (
    Persona("wang", "王芳", "resident", "zh-hans", "13800000001", unit="3-1202",
            title="Resident · 3-1202 · 简体中文"),
    Persona("chan", "陳大文", "resident", "zh-hant", "13800000003", unit="3-0801",
            title="Resident · 3-0801 · 繁體中文"),
    Persona("li", "Li Lei", "resident", "en", "13800000002", unit="3-1203",
            title="Resident · 3-1203 · English"),
    Persona("zhao_min", "赵敏", "resident", "zh-hans", "13800000004", unit="5-0101",
            bound=False, title="Resident · 5-0101 · links by sharing her phone"),
    Persona("zhang", "张师傅", "technician", "zh-hans", "13700000001", ("plumbing",),
            title="Technician · plumbing"),
    Persona("zhao", "赵师傅", "technician", "zh-hans", "13700000002", ("plumbing",),
            title="Technician · plumbing"),
    Persona("chen", "陈师傅", "technician", "zh-hans", "13700000003", ("electrical",),
            title="Technician · electrical"),
    Persona("sun", "孙师傅", "technician", "zh-hans", "13700000004", ("gas", "hvac"),
            title="Technician · gas, HVAC"),
    Persona("zhou", "周师傅", "technician", "zh-hans", "13700000005", ("lift", "security"),
            title="Technician · lift, security"),
    Persona("liu", "刘调度", "dispatcher", "zh-hans", "13600000001", title="Dispatcher"),
    Persona("huang", "黄经理", "manager", "zh-hans", "13600000002", title="CS manager"),
)

GROUPS: tuple[Group, ...] = (
    Group("plumbing", "水管接单群", ("liu", "zhang", "zhao"), ("plumbing",),
          about="Plumbing job board"),
    Group("electrical", "电工接单群", ("liu", "chen"), ("electrical",),
          about="Electrical job board"),
    Group("gas_hvac", "燃气空调接单群", ("liu", "sun"), ("gas", "hvac"),
          about="Gas & HVAC job board"),
    Group("lift_security", "电梯安防接单群", ("liu", "zhou"), ("lift", "security"),
          about="Lift & security job board"),
    Group("dispatch", "调度台", ("liu", "huang"), purpose="dispatch", about="Dispatch desk"),
    Group("managers", "管理群", ("huang", "liu"), purpose="managers", about="Managers"),
    Group("emergency", "值班群", ("liu", "huang", "zhang", "chen", "sun", "zhou"),
          purpose="emergency", about="On-duty (emergencies)"),
)


def persona(key: str) -> Persona:
    return next(p for p in PEOPLE if p.key == key)


def group(key: str) -> Group:
    return next(g for g in GROUPS if g.key == key)
