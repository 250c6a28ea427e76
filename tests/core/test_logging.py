import json
import logging

from madoguchi.core.logging import AsWarningFilter, JsonFormatter, RequestIdFilter, request_id_var


def _record(message: str, level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    record = logging.getLogger("madoguchi.test").makeRecord(
        "madoguchi.test", level, __file__, 1, message, (), None, extra=extra
    )
    RequestIdFilter().filter(record)
    return record


def test_json_line_carries_the_request_id_and_extra_fields() -> None:
    token = request_id_var.set("req-42")
    try:
        line = JsonFormatter().format(_record("受付 %s", task_id="t1", attempt=2))
    finally:
        request_id_var.reset(token)

    entry = json.loads(line)
    assert entry["request_id"] == "req-42"
    assert entry["message"] == "受付 %s"
    assert entry["task_id"] == "t1"
    assert entry["attempt"] == 2
    assert entry["level"] == "INFO"
    assert "\n" not in line


def test_exceptions_are_kept_inside_the_json_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed", (), exc_info=__import__("sys").exc_info()
        )

    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exception"]


def test_client_mistakes_are_lowered_to_warnings_without_traceback() -> None:
    record = _record("Invalid HTTP_HOST header", level=logging.ERROR)
    record.exc_info = (ValueError, ValueError("x"), None)

    AsWarningFilter().filter(record)

    assert record.levelno == logging.WARNING
    assert record.exc_info is None
