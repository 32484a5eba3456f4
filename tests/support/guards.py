"""Every authorization guard of the office, and proof that the tests notice when one is gone.

Each row names a rule ("only the assignee may finish"), the code that enforces it, and a
mutation that removes it. ``python -m tests.support.guards`` copies the working tree, applies
each mutation alone, runs the tests that guard the rules, and prints which test failed — a row
whose removal leaves every test green is a rule nobody checks. ``tests/unit/test_guard_table.py``
keeps the table in step with the code (each guarded snippet still exists, exactly once).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The tests that exercise who may do what; a full run per mutation would take too long.
GUARD_TESTS = (
    "tests/unit/test_work_order_states.py",
    "tests/integration/test_authorization.py",
    "tests/integration/test_guards.py",
    "tests/integration/test_followups_surveys.py",
    "tests/integration/test_callback_corrective.py",
    "tests/integration/test_followups_deadlines.py",
    "tests/integration/test_scheduler_duties.py",
    "tests/integration/test_paid_service.py",
    "tests/integration/test_free_text_and_emergencies.py",
    "tests/integration/test_repair_lifecycle.py",
    "tests/integration/test_orphan_jobs.py",
    "tests/integration/test_emergency_clock.py",
    "tests/integration/test_fees_campaigns.py",
    "tests/integration/test_announcements.py",
    "tests/integration/test_announcements_decisions.py",
    "tests/integration/test_fees_residents.py",
    "tests/integration/test_fees_staff_card.py",
    "tests/integration/test_complaints.py",
    "tests/integration/test_complaint_results.py",
    "tests/integration/test_complaint_regrade.py",
    "tests/integration/test_desk_tools.py",
    "tests/integration/test_appointments.py",
    "tests/integration/test_unreachable_phoned.py",
    "tests/integration/test_staff_removal.py",
)


@dataclass(frozen=True, slots=True)
class Guard:
    """A rule of who may do what, where it is enforced, and how to remove it."""

    rule: str
    path: str
    original: str
    removed: str


GUARDS: tuple[Guard, ...] = (
    # -- the actors of the state machine -----------------------------------------------------
    Guard("a technician of the order's trade may accept", "handlers/work_orders/states.py",
          "        return is_technician_of(caller, order.trade)", "        return True"),
    Guard("only dispatchers or managers act as dispatch", "handlers/work_orders/states.py",
          "        return caller.person is not None and caller.person.role in ASSIGN_ROLES",
          "        return True"),
    Guard("only the assignee works the job", "handlers/work_orders/states.py",
          "        return is_assignee(caller, order)", "        return True"),
    Guard("only the resident of the order signs, reworks, cancels, confirms the price",
          "handlers/work_orders/states.py", "    return owns(caller, order)\n",
          "    return True\n"),
    Guard("a move starts only from one of its source statuses", "handlers/work_orders/states.py",
          "    return order.status in move_.sources and acts_as(",
          "    return acts_as("),
    Guard("the office's clock alone makes the office's moves", "handlers/work_orders/states.py",
          "        return actor is Actor.OFFICE and caller is None", "        return True"),
    # -- who the rules call a resident, an assignee --------------------------------------------
    Guard("a resident owns orders they reported or of a unit they are bound to",
          "handlers/office/permissions.py",
          "    return order.household_id in {u.household_id for u in caller.context().units}",
          "    return True"),
    Guard("the assignee is the person holding the job", "handlers/office/permissions.py",
          "    return caller.person is not None and order.assignee_id == caller.person.id",
          "    return caller.person is not None"),
    # -- taking jobs ---------------------------------------------------------------------------
    Guard("only technicians accept", "handlers/work_orders/taking.py",
          '    if person is None or person.role != "technician":',
          "    if person is None:"),
    Guard("a job is accepted in its own trade's group", "handlers/work_orders/taking.py",
          "    if board is None or board.chat_id != caller.chat_id:", "    if board is None:"),
    Guard("jobs are assigned from the dispatch or managers' chat",
          "handlers/work_orders/taking.py",
          "    if board.purpose not in DESK_CHATS or caller.person is None:",
          "    if caller.person is None:"),
    Guard("a job is assigned only to a bound technician (of any trade)",
          "handlers/work_orders/taking.py",
          '    if (order is None or technician is None or technician.role != "technician"',
          "    if (order is None or technician is None"),
    Guard("a job is assigned only to a technician on shift", "handlers/work_orders/taking.py",
          "    if order.status == states.Status.OPEN and not technician.on_shift:",
          "    if False:"),
    Guard("nobody takes a job over the cap of open jobs", "handlers/work_orders/taking.py",
          "    if routing.room_for(caller.session, caller.uow.office.rules, technician) > 0:",
          "    if True:"),
    Guard("only the resident of an open repair changes its kind of work",
          "handlers/office/permissions.py",
          "    return (order.status == Status.OPEN and order.kind == \"repair\" and not "
          "order.emergency\n            and owns(caller, order))",
          "    return True"),
    Guard("an emergency is acknowledged only by staff in the chats its alert reaches",
          "handlers/office/permissions.py",
          "    return board.purpose in ON_DUTY_PURPOSES and is_staff(caller.person)",
          "    return True"),
    # -- on the job ----------------------------------------------------------------------------
    Guard("the assignee sets off", "handlers/work_orders/on_the_job.py",
          "    if not states.may(caller, order, states.SET_OFF) or not states.move(",
          "    if not states.move("),
    Guard("questions about the job are the assignee's", "handlers/work_orders/on_the_job.py",
          "    working = is_assignee(caller, order) and order.status in states.WORKING",
          "    working = True"),
    Guard("a finished job is reported only by its assignee, checked again on the answer",
          "handlers/work_orders/on_the_job.py",
          "    if not states.may(caller, order, states.FINISH) or not states.move(",
          "    if not states.move("),
    Guard("a paid job is finished only after the price is confirmed",
          "handlers/work_orders/on_the_job.py",
          '    if purpose == "done_note" and order.kind == "service" and '
          "order.price_confirmed_at is None:",
          "    if False:"),
    Guard("the card is shown again only to the assignee", "handlers/work_orders/on_the_job.py",
          "    if not is_assignee(caller, order):\n        caller.refuse(OUT_OF_DATE)",
          "    if False:\n        caller.refuse(OUT_OF_DATE)"),
    # -- the resident's answers ----------------------------------------------------------------
    Guard("only the resident answers a proposed time", "handlers/work_orders/sign_off.py",
          "    if not owns(caller, order) or not order.proposed_time",
          "    if not order.proposed_time"),
    Guard("only the resident confirms the price", "handlers/work_orders/sign_off.py",
          "            or not states.may(caller, order, confirm)):",
          "            ):"),
    Guard("only the resident signs", "handlers/work_orders/sign_off.py",
          "    if not states.may(caller, order, states.SIGN) or not states.move(",
          "    if not states.move("),
    Guard("only the resident asks for rework (on the done card, or by the callback's "
          "comment), checked again on the answer", "handlers/work_orders/reopening.py",
          "    if not states.may(caller, order, move_) or not states.move(",
          "    if not states.move("),
    Guard("only the resident cancels, and only before work starts, checked on the answer",
          "handlers/work_orders/sign_off.py",
          "    if not states.may(caller, order, states.CANCEL) or not states.move(",
          "    if not states.move("),
    # -- callback surveys ----------------------------------------------------------------------
    Guard("only the resident of the order rates it", "handlers/callback_surveys/resident.py",
          "    if survey is None or order is None or not owns(caller, order):",
          "    if survey is None or order is None:"),
    Guard("callback tasks are for customer-service staff in their chats",
          "handlers/callback_surveys/staff_access.py",
          "    if board.purpose not in purposes or caller.person is None or "
          "caller.person.role not in roles:",
          "    if caller.person is None:"),
    Guard("spot checks are the managers'", "handlers/callback_surveys/phone_tasks.py",
          '    found = staff_survey(caller, board, survey_id, ("managers",), SPOT_CHECK_ROLES)',
          "    found = staff_survey(caller, board, survey_id, DESK_CHATS, CALLBACK_ROLES)"),
    Guard("only customer-service staff note a callback",
          "handlers/callback_surveys/phone_tasks.py",
          "    if survey is None or order is None or caller.person is None or "
          "caller.person.role not in (\n            CALLBACK_ROLES):",
          "    if survey is None or order is None or caller.person is None:"),
    Guard("only customer service and technicians close a corrective task, checked again on "
          "the note", "handlers/callback_surveys/corrective.py",
          "            or caller.person is None or caller.person.role not in CLOSER_ROLES):",
          "            or caller.person is None):"),
    Guard("the technician whose job it was does not close its corrective task",
          "handlers/callback_surveys/corrective.py",
          "    if is_assignee(caller, order):\n        caller.refuse(_own_job(order))",
          "    if False:\n        caller.refuse(_own_job(order))"),
    Guard("the technician whose job it was does not close its corrective task, checked again "
          "on the note", "handlers/callback_surveys/corrective.py",
          "    if is_assignee(caller, order):  # checked again",
          "    if False:  # checked again"),
    # -- the front desk ------------------------------------------------------------------------
    Guard("only the desk answers for the front desk, from the desk's chats",
          "handlers/front_desk/inbox.py",
          "    if board.purpose not in DESK_CHATS or not is_desk(caller):",
          "    if False:"),
    Guard("only the desk sends the front desk's answer", "handlers/front_desk/inbox.py",
          "    if caller.person is None or not is_desk(caller) or request is None:",
          "    if caller.person is None or request is None:"),
    # -- the desk tools (/find, /history, reassign, cancel) -------------------------------------
    Guard("the desk tools work only in the dispatch or managers' chat, or privately",
          "handlers/office/permissions.py",
          "    if board is not None and board.purpose not in DESK_CHATS:\n        return False",
          "    if False:\n        return False"),
    Guard("the desk tools are for dispatchers and managers", "handlers/office/permissions.py",
          "    return caller.person is not None and caller.person.role in ASSIGN_ROLES",
          "    return caller.person is not None"),
    Guard("a job is reassigned only to another technician on shift with room",
          "handlers/work_orders/desk_moves.py",
          "    if technician.id == order.assignee_id or technician.id not in free:",
          "    if technician.id == order.assignee_id:"),
    Guard("the desk's cancel reason is taken only from the desk, checked on the answer",
          "handlers/work_orders/desk_moves.py",
          "    if not states.may(caller, order, states.DESK_CANCEL) or not states.move(",
          "    if not states.move("),
    Guard("a unit's history shows a complaint about the service centre only to admin/HR, "
          "privately", "handlers/front_desk/desk_tools.py",
          "        if may_see(caller.session, caller.person, c)\n"
          "        and not (board is not None and c.about_service_centre)]",
          "        ]"),
    # -- visit windows -------------------------------------------------------------------------
    Guard("a window is picked only by the assignee, or by the resident who asked for another",
          "handlers/work_orders/appointments.py",
          "            or appointment.arrived_at is not None or not (technician or resident)\n"
          '            or (not technician and appointment.state != "choosing")):',
          "            or appointment.arrived_at is not None):"),
    Guard("only the order's resident answers its proposed window",
          "handlers/work_orders/appointments.py",
          "            or not owns(caller, order) or order.status not in BEFORE_ARRIVAL):",
          "            or order.status not in BEFORE_ARRIVAL):"),
    Guard("only dispatchers or managers reschedule, in the dispatch or managers' chat",
          "handlers/work_orders/desk_rescheduling.py",
          "    if at_the_desk(caller, board):\n        return True\n    caller.refuse(_(\"Only "
          "dispatchers and managers can reschedule",
          "    if True:\n        return True\n    caller.refuse(_(\"Only dispatchers and "
          "managers can reschedule"),
    Guard("a resident reschedules only their own order", "handlers/work_orders/appointments.py",
          "    if not owns(caller, order):\n        caller.refuse(_(\"{number} is not one of your",
          "    if False:\n        caller.refuse(_(\"{number} is not one of your"),
    Guard("only the assignee says they arrived", "handlers/work_orders/appointments.py",
          "            or not is_assignee(caller, order) or order.status not in states.WORKING):",
          "            or order.status not in states.WORKING):"),
    Guard("words written before linking are offered back only to their writer",
          "handlers/registration/unlinked_message.py",
          "            or found.telegram_user_id != caller.event.user_id or answered is not "
          "None):",
          "            or answered is not None):"),
    # -- delivery ------------------------------------------------------------------------------
    Guard("only dispatchers and managers record the call to a person who blocked the bot",
          "handlers/delivery/unreachable.py",
          "    if caller.person is None or caller.person.role not in ASSIGN_ROLES:",
          "    if caller.person is None:"),
    # -- fees ----------------------------------------------------------------------------------
    Guard("only a manager approves or holds a broadcast (fee campaign, announcement)",
          "handlers/delivery/bulk.py",
          "    if caller.person is None or caller.person.role not in APPROVER_ROLES:",
          "    if caller.person is None:"),
    # -- announcements -------------------------------------------------------------------------
    Guard("only the front desk and managers compose an announcement",
          "handlers/announcements/notices.py",
          "    if not is_desk(caller):\n        caller.refuse(_(\"Only the front desk and "
          "managers can send announcements.\"))\n        return None",
          "    if False:\n        caller.refuse(_(\"Only the front desk and managers "
          "can send announcements.\"))\n        return None"),
    Guard("an announcement is composed from the managers' chat, no other group",
          "handlers/announcements/notices.py",
          "    if board.purpose != \"managers\" or not is_desk(caller):",
          "    if not is_desk(caller):"),
    Guard("only the front desk and managers compose from the managers' chat",
          "handlers/announcements/notices.py",
          "    if board.purpose != \"managers\" or not is_desk(caller):",
          "    if board.purpose != \"managers\":"),
    Guard("a notice is prepared only if its author is still desk staff when they finish",
          "handlers/announcements/notices.py",
          "    if not is_desk(caller):  # the role may have changed while they were typing",
          "    if False:  # the role may have changed while they were typing"),
    Guard("only the front desk and managers see an announcement's delivery report",
          "handlers/announcements/notices.py",
          "        if not is_desk(caller):\n            caller.refuse(_(\"Only the front desk "
          "and managers can see delivery reports.\"))",
          "        if False:\n            caller.refuse(_(\"Only the front desk "
          "and managers can see delivery reports.\"))"),
    Guard("an announcement's preview is decided in the managers' chat, no other group",
          "handlers/announcements/notices.py",
          "    if announcement is None or (board is not None and board.purpose != \"managers\"):",
          "    if announcement is None:"),
    Guard("only its author or a manager recalls an announcement",
          "handlers/announcements/notices.py",
          "    if person is None or not (person.role in bulk.APPROVER_ROLES\n"
          "                              or person.id == announcement.author_id):",
          "    if person is None:"),
    Guard("only the resident who wrote it reports it anyway", "handlers/announcements/outages.py",
          "    if (report is None or caller.person is None or report.person_id != "
          "caller.person.id\n            or report.reported_at is not None):",
          "    if (report is None or caller.person is None\n"
          "            or report.reported_at is not None):"),
    Guard("fee tasks and receipts are the front desk's, in its chats", "handlers/fees/staff.py",
          "    if caller.person is None or caller.person.role not in CALLBACK_ROLES:",
          "    if caller.person is None:"),
    Guard("a household's fee card is shown only in the desk's chats", "handlers/fees/staff.py",
          "    if board.purpose not in TASK_CHATS:\n        caller.reply(",
          "    if False:\n        caller.reply("),
    Guard("a payment typed privately is recorded only for front-desk staff",
          "handlers/fees/staff.py",
          "    if person is None or person.role not in CALLBACK_ROLES:",
          "    if person is None:"),
    Guard("only a manager taps to waive a late fee", "handlers/fees/staff.py",
          "    if caller.person is None or caller.person.role not in ledger.WAIVER_ROLES:",
          "    if caller.person is None:"),
    Guard("a waiver's reason typed privately counts only from a manager",
          "handlers/fees/staff.py",
          "    if person is None or person.role not in ledger.WAIVER_ROLES:",
          "    if person is None:"),
    # -- complaints ----------------------------------------------------------------------------
    Guard("a complaint about the service centre is seen only by admin/HR",
          "handlers/front_desk/complaint_chain.py",
          "        return handles_service_centre(session, person)",
          "        return level_of(person) is not None"),
    Guard("a complaint is taken over only from its level or above",
          "handlers/front_desk/complaint_chain.py",
          "        complaint.about_service_centre or level >= complaint.level)",
          "        True)"),
    Guard("only the staff who handle complaints tap a complaint's buttons (severity, "
          "re-grade)", "handlers/front_desk/complaints.py",
          "    if not may_handle(caller.session, caller.person, complaint):", "    if False:"),
    Guard("a complaint's answer, question, result or re-grade reason counts only from "
          "someone who still handles it", "handlers/front_desk/complaint_handling.py",
          "    if complaint is None or caller.person is None or not may_handle(caller.session,\n"
          "                                                                    caller.person, "
          "complaint):",
          "    if complaint is None or caller.person is None:"),
    # -- the reception -------------------------------------------------------------------------
    Guard("a button works only where it belongs (private chat or staff group)",
          "handlers/reception/entry.py",
          "    if tapped is None or handler is None or handler.where is not where:",
          "    if tapped is None or handler is None:"),
    Guard("private buttons need a bound person", "handlers/reception/entry.py",
          "    if where is Where.PRIVATE and handler.needs_binding and not binding.is_registered(",
          "    if False and not binding.is_registered("),
    Guard("a group that is not bound gets nothing", "handlers/reception/entry.py",
          "    if board is None or not board.active:\n        return",
          "    if False:\n        return"),
    Guard("a group is bound only with a valid, unused group invite",
          "handlers/registration/binding.py",
          '    if invite is None or invite.kind != "group" or invite.used_at is not None:',
          "    if invite is None:"),
)


def _copy(tree: Path) -> Path:
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", "*.db*"))
    return tree


def _mutated(tree: Path, guard: Guard) -> None:
    path = tree / guard.path
    text = path.read_text(encoding="utf-8")
    assert text.count(guard.original) == 1, f"{guard.rule}: snippet not found once"
    path.write_text(text.replace(guard.original, guard.removed), encoding="utf-8")


def _first_failure(tree: Path) -> str | None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-n", "0",
         *GUARD_TESTS], cwd=tree, capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return None
    failed = [line.split(" ", 1)[1].split(" - ")[0] for line in result.stdout.splitlines()
              if line.startswith(("FAILED ", "ERROR "))]
    return failed[0] if failed else f"exit {result.returncode}"


def main(rows: set[int] | None = None) -> int:
    """Remove each guard once (or those of *rows*, numbered from 1) in a copy of the tree;
    print the test that caught it."""
    survivors = 0
    with tempfile.TemporaryDirectory(prefix="guards-") as scratch:
        baseline = _copy(Path(scratch) / "baseline")
        broken = _first_failure(baseline)
        if broken is not None:  # every mutation would look "caught"
            print(f"the guard tests fail without any mutation ({broken}); fix that first")
            return 2
        shutil.rmtree(baseline)
        for number, guard in enumerate(GUARDS, start=1):
            if rows is not None and number not in rows:
                continue
            tree = _copy(Path(scratch) / f"tree{number}")
            _mutated(tree, guard)
            caught = _first_failure(tree)
            survivors += caught is None
            print(f"| {guard.rule} | `{guard.path}` | {caught or '**NOT CAUGHT**'} |",
                  flush=True)
            shutil.rmtree(tree)
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main({int(n) for n in sys.argv[1].split(",")} if len(sys.argv) > 1
                          else None))
