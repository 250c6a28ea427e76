"""A small SAML 2.0 identity provider on pysaml2 for the SSO tests.

Its key pair is made at test time. It answers an AuthnRequest with a Response carrying an
AuthnStatement and the person's email and name, signed with SHA-256; the same code produces the
forged responses the negative tests post: tampered, signature-wrapped (XSW), signed with another
key, or addressed to another audience.
"""

import base64
import datetime
import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import (
    AUTHN_PASSWORD_PROTECTED,
    NAME_FORMAT_URI,
    NAMEID_FORMAT_EMAILADDRESS,
    NameID,
)
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from tests.support.processes import free_port

XMLSEC = "/usr/bin/xmlsec1"
EMAIL_ATTRIBUTE = "urn:oid:0.9.2342.19200300.100.1.3"
NAME_ATTRIBUTE = "urn:oid:2.16.840.1.113730.3.1.241"
# What the portal's SocialApp maps; the attribute names are the standard OIDs pysaml2 emits.
ATTRIBUTE_MAPPING = {"uid": EMAIL_ATTRIBUTE, "email": EMAIL_ATTRIBUTE, "name": NAME_ATTRIBUTE}


@dataclass(frozen=True)
class KeyPair:
    key_file: Path
    cert_file: Path

    @property
    def certificate(self) -> str:
        """The certificate as PEM without its armour, as SAML metadata and allauth take it."""
        lines = self.cert_file.read_text().strip().splitlines()
        return "".join(lines[1:-1])


def make_key_pair(folder: Path, name: str) -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    pair = KeyPair(folder / f"{name}.key", folder / f"{name}.crt")
    pair.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pair.cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return pair


@dataclass(frozen=True)
class Answer:
    """A response ready to post to the service provider's ACS."""

    acs_url: str
    saml_response: str
    relay_state: str

    @property
    def xml(self) -> str:
        return base64.b64decode(self.saml_response).decode()

    def with_xml(self, xml: str) -> "Answer":
        encoded = base64.b64encode(xml.encode()).decode()
        return Answer(self.acs_url, encoded, self.relay_state)

    def form_data(self) -> dict[str, str]:
        return {"SAMLResponse": self.saml_response, "RelayState": self.relay_state}


def entity_id(base_url: str) -> str:
    return f"{base_url}/idp/metadata"


def sso_url(base_url: str) -> str:
    return f"{base_url}/idp/sso"


def app_settings(base_url: str, keys: KeyPair) -> dict[str, object]:
    """The SocialApp settings an admin would enter for the identity provider at base_url."""
    return {
        "attribute_mapping": ATTRIBUTE_MAPPING,
        "idp": {
            "entity_id": entity_id(base_url),
            "sso_url": sso_url(base_url),
            "x509cert": keys.certificate,
        },
    }


class SamlIdentityProvider:
    def __init__(
        self, *, base_url: str, keys: KeyPair, sp_metadata: str, other_sps: tuple[str, ...] = ()
    ) -> None:
        self.base_url = base_url
        self.keys = keys
        self.sp_metadata = sp_metadata
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": XMLSEC,
                "key_file": str(keys.key_file),
                "cert_file": str(keys.cert_file),
                "metadata": {"inline": [sp_metadata, *other_sps]},
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                        },
                        "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": 5},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                    }
                },
            }
        )
        self.server = Server(config=config)

    @property
    def entity_id(self) -> str:
        return entity_id(self.base_url)

    @property
    def sso_url(self) -> str:
        return sso_url(self.base_url)

    def answer(
        self,
        redirect_url: str,
        *,
        email: str,
        name: str,
        audience: str | None = None,
        sign_response: bool = True,
        sign_assertion: bool = True,
    ) -> Answer:
        """Answer the AuthnRequest carried by the redirect to this provider's SSO URL."""
        query = parse_qs(urlsplit(redirect_url).query)
        request = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
        acs_url = message.assertion_consumer_service_url
        response = self.server.create_authn_response(
            identity={"mail": [email], "displayName": [name]},
            in_response_to=message.id,
            destination=acs_url,
            sp_entity_id=audience or message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": AUTHN_PASSWORD_PROTECTED},
            sign_response=sign_response,
            sign_assertion=sign_assertion,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        return Answer(acs_url, encoded, query.get("RelayState", [""])[0])


def post_form(answer: Answer) -> str:
    """The page an identity provider shows to carry the response back by POST."""
    fields = "".join(
        f'<input type="hidden" name="{key}" value="{html.escape(value)}">'
        for key, value in answer.form_data().items()
    )
    return (
        '<!doctype html><html lang="en"><head><title>Test IdP</title>'
        '<link rel="icon" href="data:,"></head><body><main>'
        f'<form method="post" action="{html.escape(answer.acs_url)}">{fields}'
        "<button type=submit>Continue to the portal</button></form></main></body></html>"
    )


@contextmanager
def serving(idp_factory: "IdpFactory", *, email: str, name: str) -> Iterator[str]:
    """Serve the identity provider's SSO URL over HTTP on loopback; yield its base URL."""
    port = idp_factory.port

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = idp_factory.idp.answer(self.path, email=email, name=name)
            body = post_form(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            """Quiet: the test output is for the test."""

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp_factory.base_url
    finally:
        httpd.shutdown()
        httpd.server_close()


class IdpFactory:
    """Holds the port and keys before the provider exists: its config needs the SP's metadata,
    which the portal serves only once the SocialApp naming this provider is saved."""

    def __init__(self, folder: Path, name: str = "idp") -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.keys = make_key_pair(folder, name)
        self.idp: SamlIdentityProvider | None = None

    def app_settings(self) -> dict[str, object]:
        return app_settings(self.base_url, self.keys)

    def build(self, sp_metadata: str, keys: KeyPair | None = None) -> SamlIdentityProvider:
        self.idp = SamlIdentityProvider(
            base_url=self.base_url, keys=keys or self.keys, sp_metadata=sp_metadata
        )
        return self.idp
