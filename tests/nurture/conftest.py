import pytest

from tests.factories import SequenceFactory, StepFactory


@pytest.fixture
def sequence(db):
    """An active manual sequence, sending any day at any hour, with three steps (0, 2 and 5 days)."""
    sequence = SequenceFactory(name="Welcome")
    StepFactory(sequence=sequence, order=1, delay_days=0, subject="Welcome {{ first_name }}")
    StepFactory(sequence=sequence, order=2, delay_days=2, subject="Tips for {{ company }}")
    StepFactory(sequence=sequence, order=3, delay_days=5, subject="Demo?")
    return sequence
