"""Changing what is known about a contact, with the same checks as loading a file."""

from __future__ import annotations

from rolefinder.account import Account
from rolefinder.answers import normalise_answer
from rolefinder.errors import InputError, Problem


def record_answer(account: Account, contact_id: str, question: str, answer: object) -> str | None:
    """Record (or, with ``answer=None``, forget) one answer; returns the normalised answer.

    Raises :class:`InputError` for an unknown contact, question or answer.
    """
    contact = account.contact(contact_id)
    questions = account.knowledge.questions if account.knowledge else {}
    if questions and question not in questions:
        raise InputError([Problem(account.path, None, f"answers.{question}", "unknown_question",
                                  {"value": question, "hint": ""})])
    if answer is None:
        contact.answers.pop(question, None)
        return None
    value = normalise_answer(answer)
    if value is None:
        raise InputError([Problem(account.path, None, f"answers.{question}", "bad_answer",
                                  {"value": answer})])
    contact.answers[question] = value
    return value
