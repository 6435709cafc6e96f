"""Errors of the program floor.

ShowroomError
└── ConfigError       config.toml (or a variable it names) is not acceptable (exit 2)
"""


class ShowroomError(Exception):
    """Base of the program's own errors; the message is meant for the operator."""


class ConfigError(ShowroomError):
    """config.toml (or an environment variable it names) is not acceptable.

    The message is one line: the file, the key, what was found and what is allowed.
    """
