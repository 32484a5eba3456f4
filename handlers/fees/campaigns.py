"""Notice campaigns: finance prepares, a manager approves, the desk sends (001 1.1.5) —
here the preparing and the deciding; the sending is ``handlers.fees.sending``.

On each date of the ladder (at the ladder's ``prepare_hour``) the scheduler prepares that
notice for each plan: the coming period's bills are generated, and every household of the
plan that owes on the period gets a notice row — one ``INSERT … SELECT`` for the estate, the
amounts summed by the database. A preview goes to the managers' chat (households, total, per
building, a sample in each language) with Approve / Hold; nothing goes out unapproved unless
the ladder turns on ``auto_approve``. A Hold takes back what is not sent yet.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import exists, func, insert, literal, update
from sqlalchemy import select as sql_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from dialogs import fees as texts
from dialogs.menu import LANGUAGE_NAMES
from handlers.delivery import bulk
from handlers.fees import ledger
from handlers.fees.ladder import NoticeDate, notices_between
from handlers.fees.money import from_fen, yuan
from handlers.fees.tasks import post_due_tasks, raise_follow_ups
from handlers.fees.views import notice_view, period_text
from handlers.office import Office
from handlers.office.calendar import at_hour
from handlers.office.caller import Caller
from handlers.office.due_items import chats
from handlers.office.people import person_by_id_name
from handlers.office.permissions import OUT_OF_DATE
from handlers.office.unit_of_work import OUTBOX, UnitOfWork
from locales import LANGUAGES, Text, _, render
from storage.fees import FeeCampaign, FeeNotice, owed_through_sql
from storage.models import Household, Person, StaffChat
from storage.types import UtcDateTime

log = logging.getLogger(__name__)

NOTICE_TABLE = FeeNotice.__table__  # type: ignore[attr-defined]
CAMPAIGN_TABLE = FeeCampaign.__table__  # type: ignore[attr-defined]
BUILDINGS_SHOWN: Final = 12
PREVIEW_CHATS: Final = ("managers", "dispatch")


# -- preparing ----------------------------------------------------------------------------
def due_dates(office: Office, now: datetime) -> list[NoticeDate]:
    """Notices of the ladder whose preparation moment has come (and, after downtime, that are
    at most ``catch_up_days`` late and not yet followed by a later notice of their plan)."""
    ladder = ledger.ladder_of(office)
    today = ledger.office_day(office, now)
    found = notices_between(ladder, today - timedelta(days=ladder.sending.catch_up_days),
                            today)
    ready = [n for n in found
             if at_hour(n.on, ladder.sending.prepare_hour, office.timezone) <= now]
    latest: dict[str, date] = {}
    for notice in ready:
        latest[notice.plan] = max(latest.get(notice.plan, notice.on), notice.on)
    return [n for n in ready if n.on == latest[n.plan]]


def run_calendar(office: Office) -> Counter[str]:
    """The fee desk's day: bill the paid work of closed months (it goes on the next payment
    notice), prepare every notice whose date has come, put households still unpaid after a
    final notice on the follow-up list, post follow-up steps whose day has come. Each part is
    keyed, so running it twice does nothing twice."""
    done: Counter[str] = Counter()
    now = office.clock.now()
    today = ledger.office_day(office, now)
    with UnitOfWork(office) as uow:
        billed = ledger.bill_paid_work(uow, ledger.ladder_of(office), today)
        uow.commit()
    if billed:
        done["paid_work_billed"] += billed
    for notice in due_dates(office, now):
        try:
            with UnitOfWork(office) as uow:
                if _campaign_of(uow, notice) is not None:
                    continue
                campaign = prepare(uow, notice)
                uow.commit()
        except IntegrityError:  # another process prepared it at the same moment
            continue
        if campaign.households:
            done[f"{notice.kind}:prepared"] += 1
    with UnitOfWork(office) as uow:
        follow_ups = raise_follow_ups(uow, today)
        posted = post_due_tasks(uow, today)
        uow.commit()
    if follow_ups:
        done["follow_up:raised"] += follow_ups
    if posted:
        done["follow_up:due"] += posted
    return done


def _campaign_of(uow: UnitOfWork, notice: NoticeDate) -> FeeCampaign | None:
    return uow.session.exec(select(FeeCampaign).where(
        FeeCampaign.kind == notice.kind, FeeCampaign.plan == notice.plan,
        FeeCampaign.notice_date == notice.on)).first()


def prepare(uow: UnitOfWork, notice: NoticeDate) -> FeeCampaign:
    """Prepare one notice of the ladder for its plan: bills, notice rows, the preview."""
    ladder = ledger.ladder_of(uow.office)
    rule = ladder.plans[notice.plan]
    if notice.kind in ("payment", "overdue"):
        ledger.generate_bills(uow, notice.plan, notice.period, rule.months)
    campaign = FeeCampaign(kind=notice.kind, plan=notice.plan, notice_date=notice.on,
                           period_start=notice.period.start, period_end=notice.period.end,
                           pay_by=notice.pay_by, prepared_at=uow.now)
    uow.session.add(campaign)
    uow.session.flush()
    assert campaign.id is not None
    # A later notice of the plan replaces the earlier ones that have not gone out yet.
    c = CAMPAIGN_TABLE.c
    earlier = sql_select(c.id).where(c.plan == notice.plan, c.id != campaign.id)
    uow.session.connection().execute(
        update(NOTICE_TABLE).where(NOTICE_TABLE.c.state.in_(("pending", "paused")),
                                   NOTICE_TABLE.c.campaign_id.in_(earlier))
        .values(state="superseded", due_at=None, outcome=f"replaced by campaign {campaign.id}"))
    _insert_notices(uow, campaign, _overdue_campaign(uow, campaign))
    _count(uow, campaign)
    uow.log("fee_campaign_prepared", campaign_id=campaign.id, kind=campaign.kind,
            plan=campaign.plan, notice_date=campaign.notice_date.isoformat(),
            households=campaign.households, total=yuan(from_fen(campaign.total_fen)))
    if not campaign.households:
        campaign.status, campaign.finished_at = "done", uow.now
        return campaign
    if ladder.sending.auto_approve:
        _decide(uow, campaign, "approve", None)
    _post_preview(uow, campaign)
    return campaign


def _overdue_campaign(uow: UnitOfWork, campaign: FeeCampaign) -> FeeCampaign | None:
    """The overdue notice a final notice follows (only its households get the final one)."""
    if campaign.kind != "final":
        return None
    return uow.session.exec(select(FeeCampaign).where(
        FeeCampaign.kind == "overdue", FeeCampaign.plan == campaign.plan,
        FeeCampaign.period_start == campaign.period_start)
        .order_by(col(FeeCampaign.id).desc()).limit(1)).first()


def _insert_notices(uow: UnitOfWork, campaign: FeeCampaign,
                    after: FeeCampaign | None) -> None:
    """One notice row per household of the plan that owes on the period, in one statement
    (``owed_through_sql`` keeps to the plan's households already)."""
    owed = owed_through_sql(campaign.period_start, campaign.plan).subquery("owed")
    chosen = sql_select(literal(campaign.id), owed.c.household_id, owed.c.owed,
                        literal("pending"), literal(uow.now, UtcDateTime()))
    if after is not None:
        n = NOTICE_TABLE.c
        chosen = chosen.where(exists().where(n.campaign_id == after.id,
                                             n.household_id == owed.c.household_id))
    uow.session.connection().execute(insert(NOTICE_TABLE).from_select(
        ["campaign_id", "household_id", "amount_fen", "state", "created_at"], chosen))


def _count(uow: UnitOfWork, campaign: FeeCampaign) -> None:
    n, h = NOTICE_TABLE.c, ledger.HOUSEHOLD_TABLE.c
    rows = uow.session.connection().execute(
        sql_select(h.building, func.count(), func.sum(n.amount_fen))
        .select_from(NOTICE_TABLE.join(ledger.HOUSEHOLD_TABLE, h.id == n.household_id))
        .where(n.campaign_id == campaign.id).group_by(h.building).order_by(h.building)).all()
    campaign.by_building = [[str(b), int(c), int(t or 0)] for b, c, t in rows]
    campaign.households = sum(int(c) for _, c, _ in rows)
    campaign.total_fen = sum(int(t or 0) for _, _, t in rows)
    uow.session.add(campaign)


# -- the preview --------------------------------------------------------------------------
def preview(uow: UnitOfWork, campaign: FeeCampaign) -> Text:
    """The campaign as the managers' chat shows it, with one notice in every language."""
    assert campaign.id is not None
    ladder = ledger.ladder_of(uow.office)
    samples: list[tuple[str, str]] = []
    first = uow.session.exec(select(FeeNotice).where(FeeNotice.campaign_id == campaign.id)
                             .order_by(col(FeeNotice.id)).limit(1)).first()
    household = uow.session.get(Household, first.household_id) if first else None
    if household is not None and household.id is not None:
        view = notice_view(campaign, ledger.statement_of(uow, household.id), household, ladder,
                           ledger.office_day(uow.office, uow.now))  # as if it went now
        text = texts.notice_text(view)
        samples = [(LANGUAGE_NAMES[language], render(text, language)) for language in LANGUAGES]
    status = campaign.status
    if status == "approved" and campaign.decided_by is None:
        status = "auto"
    shown = campaign.by_building[:BUILDINGS_SHOWN]
    return texts.preview_text(texts.PreviewView(
        campaign_id=campaign.id, kind=campaign.kind, plan=campaign.plan,
        notice_date=campaign.notice_date.isoformat(),
        period=period_text(campaign.period_start, campaign.period_end),
        pay_by=campaign.pay_by.isoformat(), households=campaign.households,
        total=yuan(from_fen(campaign.total_fen)),
        by_building=tuple((b, n, yuan(from_fen(t))) for b, n, t in shown),
        more_buildings=len(campaign.by_building) - len(shown), samples=tuple(samples),
        status=status if status in ("prepared", "approved", "held", "auto") else "approved",
        decided_by=person_by_id_name(uow.session, campaign.decided_by) or ""))


def _preview_ref(campaign_id: int | None) -> str:
    return f"feecamp:{campaign_id}"


def _post_preview(uow: UnitOfWork, campaign: FeeCampaign) -> None:
    keyboard = texts.preview_keyboard(campaign.id or 0, campaign.status)
    bulk.post_preview(uow, _preview_ref(campaign.id), preview(uow, campaign),
                      lambda chat_id: keyboard, chats(uow, *PREVIEW_CHATS))


def pace(uow: UnitOfWork) -> bulk.Pace:
    sending = ledger.ladder_of(uow.office).sending
    return bulk.Pace(sending.day_start, sending.day_end, sending.queue_window)


# -- approving ----------------------------------------------------------------------------
def _decide(uow: UnitOfWork, campaign: FeeCampaign, choice: str, person: Person | None) -> bool:
    """Approve (its notices become due from the next daytime moment) or hold (the notices
    still waiting in the outbox are taken back too); False if the campaign was decided
    meanwhile."""
    decided = bulk.decide(uow, CAMPAIGN_TABLE, campaign.id, choice,
                          person.id if person else None, NOTICE_TABLE, "campaign_id",
                          bulk.next_day(uow, pace(uow)))
    uow.session.refresh(campaign)
    if decided and choice == "hold":
        _take_back(uow, campaign)
    return decided


def _take_back(uow: UnitOfWork, campaign: FeeCampaign) -> None:
    """Cancel the campaign's notices written to the outbox but not sent yet; a notice none of
    whose messages left is pending again (not sent today), to go once if approved again — its
    outcome says it was held back, for a message the sender had in hand may have gone out all
    the same (``sending.send_notice`` asks). One of which a message already left stays sent: its
    delivery check tells what became of it."""
    n, o = NOTICE_TABLE.c, OUTBOX.c
    refs = {ledger.notice_ref(notice_id): notice_id for notice_id in uow.session.connection()
            .execute(sql_select(n.id).where(n.campaign_id == campaign.id, n.state == "sent"))
            .scalars()}
    if not refs:
        return
    taken = {ref for ref, _ in bulk.take_back(uow, refs)}
    left = set(uow.session.connection().execute(sql_select(o.ref).where(
        o.ref.in_(taken), o.op == "send", o.status != "cancelled")).scalars())
    back = [refs[ref] for ref in taken - left]
    if back:
        uow.session.connection().execute(
            update(NOTICE_TABLE).where(n.id.in_(back), n.state == "sent")
            .values(state="pending", due_at=None, sent_at=None, sent_on=None,
                    outcome=bulk.HELD_BACK))


def decide(caller: Caller, board: StaffChat, campaign_id: int, choice: str) -> None:
    """A manager approves or holds a campaign from the managers' chat."""
    campaign = caller.session.get(FeeCampaign, campaign_id)
    if campaign is None:
        caller.refuse(OUT_OF_DATE)
        return
    decided = _("This batch of notices was already decided.")
    if not bulk.may_decide(caller, campaign.status, choice,
                           not_a_manager=_("Only a manager can approve or hold fee notices."),
                           decided=decided):
        return
    if not _decide(caller.uow, campaign, choice, caller.person):
        caller.refuse(decided)
        return
    if choice == "approve":
        caller.toast(_("Approved: the notices go out in daytime hours."))
    else:
        caller.toast(_("Held: nothing more goes out until it is approved."))
    caller.log(f"fee_campaign_{bulk.DECIDED[choice]}", campaign_id=campaign.id)
    keyboard = texts.preview_keyboard(campaign.id or 0, campaign.status)
    bulk.show_decision(caller, _preview_ref(campaign.id), preview(caller.uow, campaign),
                       lambda chat_id: keyboard)


def decide_from_cli(office: Office, campaign_id: int, choice: str,
                    households: Sequence[tuple[str, str]] = ()) -> FeeCampaign:
    """``frontline fees campaign approve|hold|exclude``: the same decisions from a terminal
    (an approval there is the office's own, recorded without a person)."""
    with UnitOfWork(office) as uow:
        campaign = uow.session.get(FeeCampaign, campaign_id)
        if campaign is None:
            raise ValueError(f"no campaign {campaign_id}")
        if choice == "exclude":
            for building, room in households:
                household = ledger.household_at(uow.session, building, room)
                if household is None:
                    raise ValueError(f"no household {building}-{room} on the roster")
                uow.session.connection().execute(
                    update(NOTICE_TABLE).where(NOTICE_TABLE.c.campaign_id == campaign.id,
                                               NOTICE_TABLE.c.household_id == household.id,
                                               NOTICE_TABLE.c.state == "pending")
                    .values(state="excluded", due_at=None, outcome="excluded by the office"))
            uow.log("fee_campaign_excluded", campaign_id=campaign.id,
                    households=[f"{b}-{r}" for b, r in households])
        elif choice in bulk.DECISIONS:
            if not _decide(uow, campaign, choice, None):
                raise ValueError(f"campaign {campaign_id} is {campaign.status}")
            uow.log(f"fee_campaign_{bulk.DECIDED[choice]}", campaign_id=campaign.id, via="cli")
        else:
            raise ValueError(f"unknown decision {choice!r}")
        uow.commit()
        return campaign


def outcome_counts(uow: UnitOfWork, campaign_id: int) -> dict[str, int]:
    n = NOTICE_TABLE.c
    rows = uow.session.connection().execute(
        sql_select(n.state, func.count()).where(n.campaign_id == campaign_id)
        .group_by(n.state)).all()
    return {str(state): int(count) for state, count in rows}


# -- for the CLI --------------------------------------------------------------------------
def campaigns(office: Office, campaign_id: int | None = None) -> list[dict[str, Any]]:
    """``frontline fees campaign show --json``: each campaign, its figures and outcomes."""
    with UnitOfWork(office) as uow:
        query = select(FeeCampaign).order_by(col(FeeCampaign.id).desc())
        if campaign_id is not None:
            query = query.where(FeeCampaign.id == campaign_id)
        rows = []
        for campaign in uow.session.exec(query.limit(100)).all():
            assert campaign.id is not None
            rows.append({
                "id": campaign.id, "kind": campaign.kind, "plan": campaign.plan,
                "notice_date": campaign.notice_date.isoformat(),
                "period_start": campaign.period_start.isoformat(),
                "period_end": campaign.period_end.isoformat(),
                "pay_by": campaign.pay_by.isoformat(), "status": campaign.status,
                "households": campaign.households,
                "total": yuan(from_fen(campaign.total_fen)),
                "by_building": [{"building": b, "households": n, "total": yuan(from_fen(t))}
                                for b, n, t in campaign.by_building],
                "decided_by": person_by_id_name(uow.session, campaign.decided_by),
                "notices": outcome_counts(uow, campaign.id),
                "preview": render(preview(uow, campaign), "en") if campaign_id else None})
        return rows

