"""Which question to ask next, and when to stop: the interview's pricing.

A question is priced for one contact from the engine's look-ahead (what each answer would add
to which role) and the current beliefs:

* **value**: P(yes) × (roles whose held/not-held verdict a *yes* flips) + P(no) × (the same for
  a *no*) — the conclusions the answer is expected to correct. P(yes) is the question's own
  chance (below), not that of whatever roles a yes would support. For a role defined by a
  question (a *yes* alone confirms it), the value is at least the chance that the current
  verdict on that role is wrong, so a role with two defining questions (influence: asked for
  an opinion, or evaluating the specifications) is not given up after one *no* while the other
  question is open and the role plausible. Asked when it reaches ``interview.min_worth``.
* **unconfirmed**: a role held on the org chart alone, with no answer behind it, gets its
  defining question: a guess from a title is checked before it is relied on.
* **given answers**: a question's chance of a yes starts from how often it is answered yes
  among all contacts, moved by the contact's answers so far (``interview.given``: the rate
  among those who gave each other answer, combined in log-odds, k answers' shifts summed and
  divided by √k as they are not independent) and then by the org chart's certainty about the
  role it defines: someone the decision maker consults more often raised the need; someone who
  neither uses it, nor is consulted, nor evaluates it more often reviews the purchase. A role
  is held when one of its open defining questions is answered yes (influence: asked for an
  opinion *or* evaluating).
* **budget**: the first ``interview.budget.questions`` questions of a contact are asked at
  ``min_worth``; each further one must be worth ``growth`` times more than the one before.
* **account**: every account has a decision maker and usually an initiator, a buyer, an
  auditor, a gatekeeper (``interview.account_roles``: how likely at least one). While nobody
  holds such a role, its question goes to the most plausible contacts not yet asked, even
  below ``min_worth``: who is likely is read from the chart (each contact's odds), and every
  *no* moves the chance to those left, until it is more likely than not that none of them
  holds it.

No question is asked whose answer is settled by another (``interview.implied``). Each priced
question says in both languages why it is asked, and through which rules.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from rolefinder.certainty import as_probability, bound_chart, combine, combine_all
from rolefinder.i18n import LANGS, Catalog, value_label

if TYPE_CHECKING:
    from rolefinder.account import Contact
    from rolefinder.identification import ContactResult, RoleBelief
    from rolefinder.knowledge import Knowledge, Thresholds

HELD_CHANGE = 1.0  # what an answer that flips a role's held/not-held verdict is worth
SEARCH_FLOOR = 0.5  # an account-level search goes on while one of those left more likely holds it
NEAR_BEST = 0.5  # a contact is among the most plausible when at least half as likely as the best

Slots = Mapping[tuple[str, str], Mapping[tuple[str, str], float]]  # (q, answer) -> {(rule, role): cf}

MESSAGES = Catalog(
    {
        "value": {
            "en": "An answer would likely change what is concluded about {roles} "
                  "(expected corrections {worth}).",
            "zh": "回答很可能改变对{roles}的结论(期望纠正 {worth} 项)。",
        },
        "given": {
            "en": " Their answers so far ({answers}) make {roles} more likely (≈ {p}).",
            "zh": "其已有回答({answers})使{roles}的可能性上升(约 {p})。",
        },
        "chart": {
            "en": " The org chart points that way ({rules}).",
            "zh": "组织架构也指向这一点({rules})。",
        },
        "unconfirmed": {
            "en": "{roles} rests on the org chart alone ({rules}); this question checks it.",
            "zh": "{roles}仅由组织架构推断({rules}),这个问题用来核实。",
        },
        "account": {
            "en": "Nobody holds {roles} yet, and an account usually has one: {name} is among the "
                  "most plausible of the {left} contacts not yet asked (chance ≈ {p}).",
            "zh": "目前还没有人被认定为{roles},而一个客户通常会有:在尚未询问的 {left} 位联系人中,"
                  "{name} 是最有可能的之一(可能性约 {p})。",
        },
    }
)
ASKED = ("value", "unconfirmed", "account")


class Effect(NamedTuple):
    """What one answer to a question would change about one role."""

    role: str
    before: str | None
    after: str | None
    cf_after: float
    rules: tuple[str, ...]


@dataclass(frozen=True)
class NextQuestion:
    """One unasked question, what it is worth, and why (for ``explain`` and the interview).

    ``because`` is ``value``, ``unconfirmed`` or ``account`` for a question worth asking (see
    the module's docstring) and ``""`` for one that is not; ``why`` says it in both languages
    (empty for a question not asked).
    """

    id: str
    text: dict[str, str]
    worth: float
    p_yes: float
    effects: dict[str, tuple[Effect, ...]]  # answer -> changed roles
    because: str = ""
    why: dict[str, str] = field(default_factory=dict)
    about: tuple[str, ...] = ()  # the roles the reason is about

    @property
    def asked(self) -> bool:
        """Whether the interview asks it."""
        return self.because in ASKED

    @property
    def rules(self) -> list[str]:
        seen: dict[str, None] = {}
        for effects in self.effects.values():
            for effect in effects:
                seen.update(dict.fromkeys(effect.rules))
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "worth": round(self.worth, 3),
            "p_yes": round(self.p_yes, 3),
            "rules": self.rules,
            "because": self.because or None,
            "about": list(self.about),
            "why": self.why,
            "effects": {
                answer: [
                    {"role": e.role, "from": e.before, "to": e.after, "certainty": round(e.cf_after, 3)}
                    for e in effects
                ]
                for answer, effects in self.effects.items()
            },
        }


@dataclass(frozen=True)
class Definitions:
    """What the packs say about questions as a whole, worked out once per knowledge."""

    defines: dict[str, tuple[str, ...]]  # question -> roles a yes alone confirms
    defined_by: dict[str, tuple[str, ...]]  # role -> its defining questions, in pack order
    answer_rules: frozenset[str]  # rules that test a given answer (not only its absence)
    chart_rules: frozenset[str]  # rules that test no answer at all
    given: dict[tuple[tuple[str, str], ...], dict[str, tuple[float, tuple[tuple[str, str], ...]]]] = field(
        default_factory=dict)  # given_rates by the answers they were worked out from


def definitions(knowledge: Knowledge) -> Definitions:
    """The defining questions of every role, read from the answer-only rules of the packs."""
    if knowledge._definitions is not None:
        return knowledge._definitions
    static = knowledge.engine().static_lookahead
    confirmed = knowledge.thresholds.confirmed
    defines: dict[str, tuple[str, ...]] = {}
    for qid in knowledge.questions:
        slot = static.get((qid, "yes"), {})
        defines[qid] = tuple(sorted({role for (_, role), cf in slot.items() if cf >= confirmed}))
    defined_by = {role: tuple(q for q in knowledge.questions if role in defines[q])
                  for role in knowledge.roles}
    answer_rules = frozenset(  # backed by given answers only: a rule waiting on an unasked one is a hint
        spec.id for spec in knowledge.rules
        if spec.answers and all(values and "absent" not in values for _, values in spec.answers))
    chart_rules = frozenset(spec.id for spec in knowledge.rules if not spec.answers)
    found = Definitions(defines, defined_by, answer_rules, chart_rules)
    knowledge._definitions = found
    return found


# --------------------------------------------------------------------------- one contact


def is_implied(qid: str, contact: Contact, knowledge: Knowledge) -> bool:
    """Whether other answers already settle this question (``interview.implied``)."""
    return qid in knowledge.implied_answers(contact.answers) if knowledge.implied else False


def probabilities(beliefs: Mapping[str, RoleBelief], knowledge: Knowledge,
                  chances: Mapping[str, float] | None = None,
                  contact: Contact | None = None) -> dict[str, float]:
    """A rough probability per role.

    A role whose open defining questions all have a chance (``chances``, see
    :func:`question_chances`: the answers so far and the org chart, counted) is held when at
    least one of them is answered yes. Any other role: its base rate moved by the certainty
    (see ``as_probability``).
    """
    chances = chances or {}
    defs = definitions(knowledge)
    answers = contact.answers if contact is not None else {}
    out = {}
    for role, spec in knowledge.roles.items():
        questions = defs.defined_by.get(role, ())
        left = [q for q in questions if q in chances]
        if left and not any(answers.get(q) == "yes" for q in questions) and all(
                q in chances or q in answers or is_implied(q, contact, knowledge) for q in questions):
            out[role] = 1 - math.prod(1 - chances[q] for q in left)
        else:
            belief = beliefs.get(role)
            out[role] = as_probability(belief.cf if belief else 0.0, spec.prior)
    return out


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


Raised = tuple[tuple[str, str], ...]  # the answers that made a yes more likely


def question_rates(contact: Contact, knowledge: Knowledge) -> dict[str, tuple[float, Raised]]:
    """How likely a *yes* is to each open question with a ``given`` table, from the contact's
    answers so far (the org chart not yet counted).

    question -> (rate, the answers that raised it). The rate starts from how often the
    question is answered yes among all contacts (``interview.given``); each answer with a rate
    of its own shifts it in log-odds by how far that rate lies from the overall one, as in
    naive Bayes — but the answers of one person are not independent (whoever is consulted
    often evaluates too), so the sum of *k* shifts is divided by √k: two answers pointing the
    same way count for more than one, not for twice as much. Answers taken as implied count too.
    """
    if not knowledge.given:
        return {}
    defs = definitions(knowledge)
    key = tuple(sorted(contact.answers.items()))
    if key in defs.given:
        return defs.given[key]
    answers = {**knowledge.implied_answers(contact.answers), **contact.answers}
    out = {}
    for qid, table in knowledge.given.items():
        if qid in answers:
            continue
        steps, raised = [], []
        for (other, answer), rate in table.rates.items():
            if answers.get(other) == answer:
                steps.append(_logit(rate) - _logit(table.base))
                if steps[-1] > 0:
                    raised.append((other, answer))
        logit = _logit(table.base) + (sum(steps) / len(steps) ** 0.5 if steps else 0.0)
        out[qid] = (1 / (1 + math.exp(-logit)), tuple(raised))
    if len(defs.given) < 10_000:  # answer patterns are few; never grow without bound
        defs.given[key] = out
    return out


def given_rates(contact: Contact, knowledge: Knowledge) -> dict[str, tuple[float, Raised]]:
    """The base rate of each role still open, moved by the contact's answers so far: the chance
    that at least one of its open defining questions is answered yes (each from
    :func:`question_rates`, taken as independent: influence, asked for an opinion *or*
    evaluating the specifications, is likelier than either).

    role -> (rate, the answers that raised it). A role already answered yes, or one whose
    defining questions are not all in ``interview.given``, keeps its prior (not listed).
    """
    if not knowledge.given:
        return {}
    defs = definitions(knowledge)
    rates = question_rates(contact, knowledge)
    answers = contact.answers
    out = {}
    for role, questions in defs.defined_by.items():
        left = [q for q in questions if q not in answers and not is_implied(q, contact, knowledge)]
        if not left or any(q not in rates for q in left) or any(answers.get(q) == "yes" for q in questions):
            continue
        none = math.prod(1 - rates[q][0] for q in left)
        raised = tuple(dict.fromkeys(pair for q in left for pair in rates[q][1]))
        out[role] = (1 - none, raised)
    return out


def chart_cf(beliefs: Mapping[str, RoleBelief], roles: tuple[str, ...], knowledge: Knowledge) -> float:
    """The strongest certainty the org chart's rules alone give one of ``roles`` (bounded as
    in the belief itself, see ``bound_chart``)."""
    chart = definitions(knowledge).chart_rules
    return max((bound_chart(combine_all(e.certainty for e in beliefs[r].evidence if e.rule in chart))
                for r in roles if r in beliefs), default=0.0)


def _chart_support(beliefs: Mapping[str, RoleBelief], roles: tuple[str, ...],
                   knowledge: Knowledge) -> tuple[str, ...]:
    """The chart rules that make one of ``roles`` likelier (named in the reason for asking)."""
    chart = definitions(knowledge).chart_rules
    return tuple(dict.fromkeys(e.rule for r in roles if r in beliefs for e in beliefs[r].evidence
                               if e.rule in chart and e.certainty > 0))


def question_chances(contact: Contact, beliefs: Mapping[str, RoleBelief],
                     knowledge: Knowledge) -> dict[str, float]:
    """How likely a *yes* is to each open question with a ``given`` table: its rate from the
    answers so far (:func:`question_rates`) moved by the org chart's certainty about the role
    it defines (``as_probability``). A chart silent about a role leaves the rate as it is: the
    chart rules were written with the dev accounts in view, and on accounts nobody tuned on
    they find fewer of the roles, so their silence is not taken as a no."""
    defines = definitions(knowledge).defines
    return {qid: as_probability(chart_cf(beliefs, defines.get(qid, ()), knowledge), rate)
            for qid, (rate, _) in question_rates(contact, knowledge).items()}


def worth_floor(contact: Contact, knowledge: Knowledge) -> float:
    """What a question must be worth to be asked for its value, after the answers so far: the
    rep's patience is spent question by question (``interview.budget``)."""
    questions, growth = knowledge.budget
    return knowledge.min_worth * growth ** max(0, len(contact.answers) + 1 - questions)


def unconfirmed(beliefs: Mapping[str, RoleBelief], knowledge: Knowledge) -> dict[str, tuple[str, ...]]:
    """Held roles that no answer supports: role -> the chart rules they rest on."""
    answer_rules = definitions(knowledge).answer_rules
    out = {}
    for role, belief in beliefs.items():
        if not knowledge.thresholds.holds(belief.cf):
            continue
        if any(e.rule in answer_rules and e.certainty > 0 for e in belief.evidence):
            continue
        out[role] = tuple(e.rule for e in belief.evidence if e.certainty > 0)
    return out


def price_questions(contact: Contact, beliefs: Mapping[str, RoleBelief], slots: Slots,
                    knowledge: Knowledge) -> list[NextQuestion]:
    """Every unasked question that could change a conclusion, those worth asking first.

    Ties go to the question listed first in the packs.
    """
    thresholds = knowledge.thresholds
    defs = definitions(knowledge)
    current = {role: b.cf for role, b in beliefs.items()}
    given = given_rates(contact, knowledge)
    chances = question_chances(contact, beliefs, knowledge)
    p = probabilities(beliefs, knowledge, chances, contact)
    guesses = unconfirmed(beliefs, knowledge)
    floor = worth_floor(contact, knowledge)
    implied = knowledge.implied_answers(contact.answers) if knowledge.implied else {}
    priced = []
    for qid, question in knowledge.questions.items():
        if qid in contact.answers or qid in implied:
            continue
        effects, flips = {}, {}
        for answer in ("yes", "no"):
            effects[answer], flips[answer] = _answer_effects(slots.get((qid, answer), {}), current,
                                                             thresholds)
        supported = {role for (_, role), cf in slots.get((qid, "yes"), {}).items() if cf > 0}
        if not supported:
            continue  # no rule would learn anything from this question for this contact
        p_yes = chances[qid] if qid in chances else max(p[r] for r in supported)
        worth = p_yes * flips["yes"] + (1 - p_yes) * flips["no"]
        for role in defs.defines.get(qid, ()):
            wrong = 1 - p[role] if thresholds.holds(current.get(role, 0.0)) else p[role]
            worth = max(worth, wrong)
        checks = [r for r in defs.defines.get(qid, ()) if r in guesses]
        if checks:
            because, about = "unconfirmed", tuple(checks)
        elif worth >= floor:
            because = "value"
            about = tuple(sorted({e.role for es in effects.values() for e in es}
                                 | set(defs.defines.get(qid, ()))))
        else:
            because, about = "", ()
        if worth <= 0 and not because:
            continue
        why = _why(because, about, knowledge, worth=worth,
                   rules=", ".join(r for role in checks for r in guesses[role])) if because else {}
        raised = [r for r in defs.defines.get(qid, ()) if r in given and given[r][1]]
        if because == "value" and raised:
            why = {lang: text + MESSAGES("given", lang, roles=_labels(tuple(raised), knowledge, lang),
                                         answers=_answers(raised, given, knowledge, lang),
                                         p=f"{max(p[r] for r in raised):.2f}")
                   for lang, text in why.items()}
        hints = _chart_support(beliefs, defs.defines.get(qid, ()), knowledge) if because == "value" else ()
        if hints:
            why = {lang: text + MESSAGES("chart", lang, rules=", ".join(hints)) for lang, text in why.items()}
        priced.append(NextQuestion(qid, question.text, worth, p_yes, effects, because, why, about))
    return _ordered(priced, knowledge)


def _ordered(priced: list[NextQuestion], knowledge: Knowledge) -> list[NextQuestion]:
    """Most worth first; but a question whose answer may settle another (``implied``) comes
    before it: ask whether they have the final say before whether the decision maker asks them."""
    order = {qid: q.order for qid, q in knowledge.questions.items()}
    out = sorted(priced, key=lambda q: (not q.asked, -round(q.worth, 6), order[q.id]))
    for qid, (_, given) in knowledge.implied.items():
        ids = [q.id for q in out]
        if qid not in ids or not out[ids.index(qid)].asked:
            continue
        for other, _ in given:
            if other in ids and out[ids.index(other)].asked and ids.index(other) > ids.index(qid):
                out.insert(ids.index(qid), out.pop(ids.index(other)))
                ids = [q.id for q in out]
    return out


_EFFECTS: dict = {}  # what _answer_effects found, by its inputs (contacts alike share them)
_SLOTS: dict[int, tuple[Any, Any, int, tuple[str, ...]]] = {}  # id(slot) -> (slot, thresholds, token, roles)
_TOKENS: dict[tuple, int] = {}  # a slot's content and thresholds -> a number that stands for them
_NUMBERS = itertools.count()  # never reused, so a token outlives any clearing of _TOKENS


def _answer_effects(slot: Mapping[tuple[str, str], float], current: Mapping[str, float],
                    thresholds: Thresholds) -> tuple[tuple[Effect, ...], float]:
    """The effects of one answer (its slot) on the current beliefs; remembered per distinct
    slot and beliefs of the roles it touches, which repeat from contact to contact.

    A slot stands in the key as a token for its content (most slots are the packs' own, the
    same dict for every contact), so the key is not the slot's items hashed at every call."""
    known = _SLOTS.get(id(slot))
    if known is None or known[0] is not slot or known[1] is not thresholds:
        known = _slot_token(slot, thresholds)
    key = (known[2], *map(current.get, known[3]))
    found = _EFFECTS.get(key)
    if found is None:
        if len(_EFFECTS) >= 8192:
            _EFFECTS.clear()
        found = _EFFECTS[key] = _compute_effects(slot, current, thresholds)
    return found


def _slot_token(slot: Mapping[tuple[str, str], float], thresholds: Thresholds) -> tuple[Any, Any, int, tuple[str, ...]]:
    """The token and the roles of ``slot`` (kept with the slot itself, so its id stays its own)."""
    items = tuple(slot.items())
    if len(_TOKENS) >= 8192:
        _TOKENS.clear()
    token = _TOKENS.get((items, thresholds))
    if token is None:
        token = _TOKENS[(items, thresholds)] = next(_NUMBERS)
    if len(_SLOTS) >= 8192:
        _SLOTS.clear()
    known = _SLOTS[id(slot)] = (slot, thresholds, token, tuple(role for (_, role) in slot))
    return known


def _compute_effects(slot: Mapping[tuple[str, str], float], current: Mapping[str, float],
                     thresholds: Thresholds) -> tuple[tuple[Effect, ...], float]:
    by_role: dict[str, list[tuple[str, float]]] = {}
    for (rule_id, role), cf in slot.items():
        by_role.setdefault(role, []).append((rule_id, cf))
    effects, score = [], 0.0
    for role, items in sorted(by_role.items()):
        before = current.get(role, 0.0)
        after = before
        for _, cf in items:
            after = combine(after, cf)
        old, new = thresholds.status(before), thresholds.status(after)
        if old == new:
            continue
        if thresholds.holds(before) != thresholds.holds(after):
            score += HELD_CHANGE
        effects.append(Effect(role, old, new, after, tuple(r for r, _ in items)))
    return tuple(effects), score


def _answers(roles: list[str], given: Mapping[str, tuple[float, Raised]], knowledge: Knowledge,
             lang: str) -> str:
    """The answers that raised these roles' chances, each as its question's text in ``lang``
    and the answer (never a question id: the reader knows the question, not its id)."""
    seen = dict.fromkeys(pair for role in roles for pair in given[role][1])
    sep, quote = ("、", "「{}」{}") if lang == "zh" else (", ", "“{}” {}")
    return sep.join(quote.format(_question_text(qid, knowledge, lang), value_label(answer, lang))
                    for qid, answer in seen)


def _question_text(qid: str, knowledge: Knowledge, lang: str) -> str:
    question = knowledge.questions.get(qid)
    return question.text.get(lang, qid).rstrip("?？ ") if question else qid


def _labels(roles: tuple[str, ...], knowledge: Knowledge, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(knowledge.roles[r].label[lang] for r in roles)


def _why(because: str, roles: tuple[str, ...], knowledge: Knowledge, **params: Any) -> dict[str, str]:
    values = {"worth": f"{params.pop('worth', 0.0):.2f}", **params}
    return {lang: MESSAGES(because, lang, roles=_labels(roles, knowledge, lang), **values)
            for lang in LANGS}


# --------------------------------------------------------------------------- the account


def account_view(results: list[ContactResult], knowledge: Knowledge) -> list[ContactResult]:
    """Add the account-level questions: the most plausible candidates for a role nobody holds.

    Returns the results with those questions among each contact's candidates (contacts whose
    questions did not change are returned as they were).
    """
    wanted: dict[str, dict[str, tuple[str, float, int]]] = {}  # contact -> question -> (role, p, left)
    given = _GivenByContact(results, knowledge) if knowledge.given else {}
    for role, share in knowledge.account_roles.items():
        for cid, qid, chance, left in _search(role, share, results, knowledge, given):
            wanted.setdefault(cid, {}).setdefault(qid, (role, chance, left))
    out = []
    for result in results:
        asks = wanted.get(result.contact.id)
        if asks or (result.own is not None and result.candidates is not result.own):
            result = _with_account_questions(result, asks or {}, knowledge)
        out.append(result)
    return out


class _GivenByContact:
    """:func:`given_rates` of each contact by id, worked out when a search first reads them: a
    role somebody holds is not searched for, and on most accounts every such role is held."""

    def __init__(self, results: list[ContactResult], knowledge: Knowledge) -> None:
        self.contacts = {r.contact.id: r.contact for r in results}
        self.knowledge = knowledge
        self.found: dict[str, dict[str, tuple[float, tuple[tuple[str, str], ...]]]] = {}

    def get(self, cid: str, default: Any = None) -> Any:
        if cid not in self.contacts:
            return default
        found = self.found.get(cid)
        if found is None:
            found = self.found[cid] = given_rates(self.contacts[cid], self.knowledge)
        return found


def _search(role: str, share: float, results: list[ContactResult], knowledge: Knowledge,
            given: Mapping[str, Mapping[str, tuple[float, tuple[tuple[str, str], ...]]]] | _GivenByContact
            ) -> list[tuple[str, str, float, int]]:
    """(contact, question, chance, candidates left) for the contacts to ask about ``role``.

    The chance that contact *i* holds the role, given that each contact already asked said no:
    ``share · w_i / (W − share · W_no)``, with ``w`` each contact's odds from the chart and
    from their other answers (the base rate those moved, see :func:`given_rates`).
    """
    if any(role in r.held for r in results):
        return []
    defs = definitions(knowledge)
    questions = defs.defined_by.get(role, ())
    if not questions:
        return []
    prior = knowledge.roles[role].prior
    total = asked_no = 0.0
    open_: list[tuple[ContactResult, str, float]] = []
    for r in results:
        belief = r.beliefs.get(role)
        chart = _unanswered_cf(belief, defs.answer_rules) if belief else 0.0
        base = given.get(r.contact.id, {}).get(role, (prior,))[0]
        odds = _odds(as_probability(chart, base))
        total += odds
        ask = next((q for q in questions if q not in r.contact.answers
                    and not is_implied(q, r.contact, knowledge)), None)
        ruled_out = belief is not None and belief.status == "ruled_out"
        if any(r.contact.answers.get(q) == "no" for q in questions) or (ask is None and ruled_out):
            asked_no += odds
        elif ask is not None and not ruled_out:
            open_.append((r, ask, odds))
    if not open_:
        return []
    scale = share / max(total - share * asked_no, 1e-9)
    chances = [(r, q, odds * scale) for r, q, odds in open_]
    best = max(c for _, _, c in chances)
    # Search while those left together more likely than not hold the role (then the most
    # plausible of them), and ask anyone whose own chance has become worth a question.
    floor = NEAR_BEST * best if sum(c for _, _, c in chances) >= SEARCH_FLOOR else knowledge.min_worth
    return [(r.contact.id, q, c, len(chances)) for r, q, c in chances
            if c >= min(floor, knowledge.min_worth)]


def _odds(p: float) -> float:
    return p / (1 - p) if p < 1 else 1e6


def _with_account_questions(result: ContactResult, asks: dict[str, tuple[str, float, int]],
                            knowledge: Knowledge) -> ContactResult:
    """The contact's own questions (re-read each time) with the account's questions marked."""
    own = result.own if result.own is not None else result.candidates
    if not asks:
        best = own[0] if own and own[0].asked else None
        return replace(result, candidates=own, next_question=best)
    changed = []
    for question in own:
        if question.id in asks and not question.asked:
            role, chance, left = asks[question.id]
            why = {lang: MESSAGES("account", lang, roles=_labels((role,), knowledge, lang),
                                  name=result.contact.name, left=left, p=f"{chance:.2f}")
                   for lang in LANGS}
            question = replace(question, because="account", why=why, about=(role,),
                               p_yes=max(question.p_yes, chance))
        changed.append(question)
    candidates = _ordered(changed, knowledge)
    best = candidates[0] if candidates and candidates[0].asked else None
    return replace(result, candidates=candidates, next_question=best)


def _unanswered_cf(belief: RoleBelief, answer_rules: frozenset[str]) -> float:
    """The belief without the evidence of given answers: the org chart's, bounded as in the
    belief itself, then the rest (account rules, hints waiting on an unasked question)."""
    chart = bound_chart(combine_all(e.certainty for e in belief.evidence if e.kind == "chart"))
    rest = (e.certainty for e in belief.evidence if e.kind != "chart" and e.rule not in answer_rules)
    return combine_all([chart, *rest])
