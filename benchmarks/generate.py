"""Synthetic accounts of any size, for benchmarks: a realistic mix of titles, departments,
org-chart depth and partly answered questionnaires. Deterministic for a given seed."""

from __future__ import annotations

import random

from rolefinder.account import Account, Contact

TITLES = [
    ("总经理", "总经理办公室"), ("副总经理", "总经理办公室"), ("首席运营官", "运营中心"),
    ("采购经理", "采购部"), ("采购专员", "采购部"), ("财务总监", "财务部"),
    ("审计经理", "审计部"), ("信息中心主任", "信息中心"), ("研发工程师", "研发中心"),
    ("车间主任", "装配车间"), ("班组长", "装配车间"), ("操作工", "装配车间"),
    ("总经理助理", "总经理办公室"), ("Plant manager", "Operations"),
    ("Head of Procurement", "Procurement"), ("IT architect", "IT"),
    ("Internal audit manager", "Internal Audit"), ("Line supervisor", "Production"),
    ("Executive assistant", "Executive Office"), ("Process engineer", "Engineering"),
]
QUESTIONS = [
    "final_say", "approves_budget", "runs_procurement", "signs_contract", "uses_daily",
    "evaluates_technically", "opinion_sought", "advises_peers", "reviews_compliance",
    "controls_access", "initiated_need",
]


def make_account(size: int, seed: int = 7, answered: float = 0.3) -> Account:
    """An account of ``size`` contacts in a tree with about six direct reports each."""
    rng = random.Random(seed)
    contacts = []
    for index in range(size):
        title, department = TITLES[0] if index == 0 else rng.choice(TITLES[1:])
        manager = None if index == 0 else f"c{rng.randrange(max(1, index // 6 + 1))}"
        answers = {
            q: rng.choice(("yes", "no", "no", "unsure"))
            for q in QUESTIONS
            if rng.random() < answered
        }
        contacts.append(Contact(
            id=f"c{index}", name=f"联系人{index}", title=title, department=department,
            reports_to=manager, influence=rng.choice((None, "high", "medium", "low")),
            attitude=rng.choice((None, "champion", "supporter", "neutral", "opponent")),
            answers=answers,
        ))
    return Account(name=f"Benchmark account ({size})", industry="manufacturing", contacts=contacts)
