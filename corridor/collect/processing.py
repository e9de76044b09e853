"""What Corridor makes of a stored submission: a record, a draft case, or a place in the
review queue with the reason. Never raises for a check that fails: the submission waits."""

from __future__ import annotations

from corridor.collect.models import Submission


def process(submission: Submission) -> None:
    """Turn a RECEIVED submission into what its form's purpose says (stub, to be written)."""
