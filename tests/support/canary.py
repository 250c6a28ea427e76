"""R36: secrets never reach the logs. Every log record of the run is checked for known secrets.

The test password and the passwords typed in tests are canaries: if any log line (or the
formatted traceback of one) contains them, the run fails at the end, naming the logger.
"""

import logging

import pytest

from tests.factories import PASSWORD

CANARIES = (PASSWORD, "a long and unusual passphrase 42", "a brand new passphrase 7")


class CanaryHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.hits: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        text += " ".join(str(value) for value in vars(record).values())
        self.hits.extend(f"{record.name}: {canary!r}" for canary in CANARIES if canary in text)


_handler = CanaryHandler()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(_handler)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    logging.getLogger().removeHandler(_handler)
    if _handler.hits:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nSECRETS IN THE LOGS (R36):\n" + "\n".join(sorted(set(_handler.hits))))
