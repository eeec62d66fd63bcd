"""The options every source takes: one knob for retries, every problem named at once."""

from __future__ import annotations

import pytest

from provider_tokens import ConfigurationError, RetryPolicy
from provider_tokens._config import DEFAULT_MAX_RETRIES, check

GOOD = {"timeout": 10.0, "refresh_margin": 60.0, "default_ttl": 300.0}


def test_max_retries_and_retry_policy_are_one_knob() -> None:
    with pytest.raises(ConfigurationError, match="max_retries or retry_policy, not both"):
        check("example", **GOOD, max_retries=3, retry_policy=RetryPolicy(max_retries=1))


def test_a_policy_is_taken_as_given_and_max_retries_makes_one() -> None:
    policy = RetryPolicy(max_retries=5, initial_delay=1.0)
    assert check("example", **GOOD, max_retries=None, retry_policy=policy) is policy
    made = check("example", **GOOD, max_retries=4, retry_policy=None)
    assert made == RetryPolicy(max_retries=4, jitter=made.jitter)
    default = check("example", **GOOD, max_retries=None, retry_policy=None)
    assert default.max_retries == DEFAULT_MAX_RETRIES


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ConfigurationError) as caught:
        check(
            "example",
            timeout=0,
            refresh_margin=-1,
            default_ttl=0,
            max_retries=-1,
            retry_policy=None,
        )
    message = str(caught.value)
    for name in ("timeout", "refresh_margin", "default_ttl", "max_retries"):
        assert name in message
    assert isinstance(caught.value, ValueError)
