"""Start npm's oidc-provider (a certified OpenID provider) on loopback for the SSO tests.

`npm ci` runs once into this folder's node_modules (git-ignored) from the pinned lock file.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import free_port

HERE = Path(__file__).resolve().parent
READY_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class OidcProvider:
    issuer: str
    client_id: str
    client_secret: str


def install() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: install Debian's `npm` to run the SSO tests", pytrace=False)
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True, timeout=300
    )


def _wait_until_ready(process: subprocess.Popen[str]) -> None:
    """Read the output (its start-up warnings) until the server says it serves."""
    seen = []
    for line in process.stdout or []:
        if line.strip() == "ready":
            return
        seen.append(line)
    pytest.fail("oidc-provider did not start:\n" + "".join(seen), pytrace=False)


@contextmanager
def running(*, redirect_uri: str, email: str, name: str) -> Iterator[OidcProvider]:
    """Serve an OpenID provider whose one client returns to redirect_uri, for one test user."""
    install()
    port = free_port()
    provider = OidcProvider(
        issuer=f"http://127.0.0.1:{port}", client_id="madoguchi", client_secret="s3cret-" * 6
    )
    environment = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": provider.client_id,
        "OIDC_CLIENT_SECRET": provider.client_secret,
        "OIDC_REDIRECT_URI": redirect_uri,
        "OIDC_USER_EMAIL": email,
        "OIDC_USER_NAME": name,
    }
    process = subprocess.Popen(
        [shutil.which("node") or "node", "server.js"],
        cwd=HERE,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_until_ready(process)
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=READY_TIMEOUT_SECONDS)
