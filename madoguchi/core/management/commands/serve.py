import ctypes
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

STOP_GRACE_SECONDS = 15
PR_SET_PDEATHSIG = 1


class Command(BaseCommand):
    help = (
        "Serve the portal (HTTP and WebSockets on one port, through uvicorn) together with the "
        "task worker and, when MADOGUCHI_LMTP_PORT is set, the mail receiver; Ctrl-C stops all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="server processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start a task worker")
        parser.add_argument(
            "--no-mail", action="store_true", help="do not start the LMTP mail receiver"
        )
        parser.add_argument("--access-log", action="store_true", help="log every request")

    def handle(self, **options: object) -> None:
        children: list[subprocess.Popen[bytes]] = []
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            if stopping:
                for child in children:
                    child.kill()
                return
            stopping = True
            self.stdout.write(
                "Stopping the server and what runs with it (Ctrl-C again to force)..."
            )

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        children.append(self._start_server(options))
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        if not options["no_worker"]:
            children.append(_spawn([*manage, "worker", "--no-startup-delay"]))
        receiving = settings.INBOUND_LMTP_WITH_SERVE and not options["no_mail"]
        if receiving:
            # Its own process: the receiver's event loop and thread pool stay out of uvicorn's.
            children.append(_spawn([*manage, "receive_mail"]))
        self._announce(options, receiving=receiving)
        sys.exit(self._wait(children, lambda: stopping))

    def _start_server(self, options: dict[str, object]) -> subprocess.Popen[bytes]:
        command = [
            sys.executable, "-m", "uvicorn", "madoguchi.asgi:application",
            "--host", str(options["host"]), "--port", str(options["port"]),
            "--workers", str(options["workers"]), "--lifespan", "off",
            "--proxy-headers", "--timeout-graceful-shutdown", "10",
        ]  # fmt: skip
        if not options["access_log"]:
            command.append("--no-access-log")
        return _spawn(command)

    def _announce(self, options: dict[str, object], *, receiving: bool) -> None:
        self.stdout.write("")
        self.stdout.write(f"Madoguchi is serving on http://{options['host']}:{options['port']}/")
        if receiving:
            where = f"{settings.INBOUND_LMTP_HOST}:{settings.INBOUND_LMTP_PORT}"
            self.stdout.write(f"Mail for requests is received over LMTP on {where}")
        call_command("demo", stdout=self.stdout)
        self.stdout.write("Press Ctrl-C to stop.")

    def _wait(self, children: list[subprocess.Popen[bytes]], stopping: Callable[[], bool]) -> int:
        """Wait until every child exits; on Ctrl-C, or when one dies, stop the others gracefully.

        Each child gets one SIGTERM (a second signal would make the worker abandon its task),
        and is killed if it is still running STOP_GRACE_SECONDS later.
        """
        deadline = None
        while any(child.poll() is None for child in children):
            if deadline is None and (stopping() or any(c.poll() is not None for c in children)):
                deadline = time.monotonic() + STOP_GRACE_SECONDS
                for child in children:
                    if child.poll() is None:
                        child.send_signal(signal.SIGTERM)
            if deadline is not None and time.monotonic() > deadline:
                for child in children:
                    child.kill()
            time.sleep(0.1)
        # uvicorn re-raises the SIGTERM it handled, so -SIGTERM is a clean exit once we asked.
        clean = {0, -signal.SIGTERM} if stopping() else set()
        failed = [child for child in children if child.returncode not in clean]
        for child in failed:
            # Which part stopped badly, and how: the exit status alone would not say.
            program = " ".join(map(str, child.args[1:4]))
            self.stderr.write(f"{program} exited with status {child.returncode}")
        return 1 if failed else 0


def _spawn(command: list[str]) -> subprocess.Popen[bytes]:
    """Start a child in its own session: Ctrl-C reaches only us, and we stop it once, cleanly.

    On Linux the child also gets SIGTERM if we die without stopping it (killed with SIGKILL).
    """
    return subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        command, start_new_session=True, preexec_fn=_terminate_with_parent
    )


def _terminate_with_parent() -> None:
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
