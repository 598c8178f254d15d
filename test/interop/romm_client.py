"""RomM's side of the login, with the library RomM uses (authlib), configured the way RomM is:
OIDC_SERVER_APPLICATION_URL (no trailing slash) + "/.well-known/openid-configuration".

  romm_client.py start  <application_url> <client_id> <client_secret> <redirect_uri>
  romm_client.py finish <application_url> <client_id> <client_secret> <redirect_uri> <callback_url> <state> <nonce>

Prints one JSON object on stdout.
"""
import json
import sys

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken


def main() -> None:
    step, app_url, client_id, client_secret, redirect_uri = sys.argv[1:6]
    metadata = requests.get(app_url + "/.well-known/openid-configuration", timeout=10).json()
    session = OAuth2Session(
        client_id,
        client_secret,
        scope="openid profile email",
        redirect_uri=redirect_uri,
        token_endpoint_auth_method="client_secret_basic",
    )
    if step == "start":
        nonce = session.client_id + "-nonce-" + __import__("secrets").token_urlsafe(16)
        url, state = session.create_authorization_url(metadata["authorization_endpoint"], nonce=nonce)
        print(json.dumps({"url": url, "state": state, "nonce": nonce}))
        return
    callback_url, state, nonce = sys.argv[6:9]
    session.state = state
    token = session.fetch_token(metadata["token_endpoint"], authorization_response=callback_url)
    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        token["id_token"],
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"values": [metadata["issuer"]]}, "aud": {"values": [client_id]}},
        claims_params={"nonce": nonce, "client_id": client_id},
    )
    claims.validate(leeway=30)
    userinfo = session.get(metadata["userinfo_endpoint"]).json()
    print(json.dumps({"issuer": metadata["issuer"], "id_token": dict(claims), "userinfo": userinfo}))


if __name__ == "__main__":
    main()
