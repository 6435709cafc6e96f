"""The kernel's public surface is exactly what runtime.__all__ names."""

import dataclasses
import types

import runtime


def test_public_names_are_exactly_all():
    public = {
        name
        for name, value in vars(runtime).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(runtime.__all__)
    assert len(runtime.__all__) == len(set(runtime.__all__))


def test_every_name_in_all_exists():
    for name in runtime.__all__:
        assert getattr(runtime, name) is not None


def test_the_restart_policy_is_a_frozen_dataclass():
    policy = runtime.RestartPolicy()
    assert dataclasses.is_dataclass(policy)
    try:
        policy.max_restarts = 99  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("RestartPolicy must be frozen")
