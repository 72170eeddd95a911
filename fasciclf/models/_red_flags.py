"""Kept so ``from fasciclf.models._red_flags import red_flags, RULES`` still works."""

from fasciclf.features._red_flags import RULES, Rule, red_flags  # noqa: F401

__all__ = ["RULES", "Rule", "red_flags"]
