"""Seeds a fresh Convo server with the resources the conformance run needs and prints a
schemathesis config (TOML) that points every path parameter at a real resource.

Three humans keep destructive operations away from the main key: the main human owns the
fuzzed space and everything in it; a second human sponsors throwaway agents for delete,
rotate-key and release; a third one is the caller of create_tenant (which moves its caller to
the new tenant). Admin operations target a tenant nobody else uses. Standard library only.
"""

import base64
import hashlib
import hmac
import json
import sys
import time
import urllib.request

BASE = sys.argv[1]
OPERATOR_SECRET = sys.argv[2]


def call(method, path, key=None, body=None, headers=None):
    req = urllib.request.Request(BASE + path, method=method)
    if key:
        req.add_header("Authorization", f"Bearer {key}")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    with urllib.request.urlopen(req, data) as resp:
        return json.loads(resp.read())


def human(name, key=None):
    return call("POST", "/api/actors", key, {"display_name": name, "email": f"{name}@example.com"})


def agent(sponsor_key, name):
    return call(
        "POST",
        "/api/actors",
        sponsor_key,
        {"display_name": name, "actor_type": "agent", "agent_profile": "fuzzer"},
        {"X-Installation-Id": f"{name}-machine"},
    )


def operator_token(secret):
    def b64(raw):
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"sub": "conformance", "aud": "convo-admin", "exp": int(time.time()) + 3600}).encode())
    signature = hmac.new(secret.encode(), f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


main = human("fuzz-main")
key = main["api_key"]
tenant = call("POST", "/api/tenants", key, {"name": "Fuzz Corp"})
call("POST", "/api/spaces", key, {"space_id": "fuzz", "description": "fuzzed", "links": ["https://example.com/a"]})
call("POST", "/api/spaces", key, {"space_id": "fuzz-lifecycle"})
first = call("POST", "/api/spaces/fuzz/speech", key, {"text": "Shall we discuss the auth migration?"})
call("POST", "/api/spaces/fuzz/speech", key, {"text": "Yes", "metadata": {"mentions": [main["actor_id"]]}})
thread = call("POST", "/api/spaces/fuzz/threads", key, {"parent_event_id": first["event_id"], "subject": "auth"})
call("POST", "/api/spaces/fuzz/speech", key, {"text": "In the thread", "thread_id": thread["thread_id"]})
decision = call("POST", "/api/spaces/fuzz/decisions", key, {"text": "Adopt OAuth"})
call("POST", "/api/personal-access-tokens", key, {"name": "kept"})
revocable = call("POST", "/api/personal-access-tokens", key, {"name": "revoked by the fuzzer"})

sponsor = human("fuzz-sponsor")
sponsor_key = sponsor["api_key"]
call("POST", "/api/tenants", sponsor_key, {"name": "Sponsor Corp"})
doomed = agent(sponsor_key, "doomed")
rotated = agent(sponsor_key, "rotated")
released = agent(sponsor_key, "released")

mover_key = human("fuzz-mover")["api_key"]
suspended_owner_key = human("fuzz-suspended")["api_key"]
suspended_tenant = call("POST", "/api/tenants", suspended_owner_key, {"name": "Suspended Corp"})

operator = operator_token(OPERATOR_SECRET)


def toml_table(values):
    return "{ " + ", ".join(f'"{k}" = {json.dumps(v)}' for k, v in values.items()) + " }"


def operation(operation_id, key=None, extra=(), **parameters):
    lines = ["[[operations]]", f'include-operation-id = "{operation_id}"', *extra]
    if key:
        lines.append(f'headers = {{ Authorization = "Bearer {key}" }}')
    if parameters:
        lines.append(f"parameters = {toml_table(parameters)}")
    return "\n".join(lines)


print(f"""
[headers]
Authorization = "Bearer {key}"

[parameters]
"path.space_id" = "fuzz"
"path.event_id" = {json.dumps(first["event_id"])}
"path.decision_id" = {json.dumps(decision["decision_id"])}
"path.participant_id" = {json.dumps(main["actor_id"])}
"path.actor_id" = {json.dumps(main["actor_id"])}
"path.tenant_id" = {json.dumps(tenant["tenant_id"])}
"path.pat_id" = {json.dumps(revocable["pat_id"])}
""")
print("\n\n".join([
    operation("delete_actor", sponsor_key, **{"path.actor_id": doomed["actor_id"]}),
    operation("rotate_actor_key", sponsor_key, **{"path.actor_id": rotated["actor_id"]}),
    operation("release_agent", sponsor_key, **{"path.actor_id": released["actor_id"]}),
    operation("create_tenant", mover_key),
    # The stream never ends by itself: read a few events, or stop after two seconds.
    operation("stream_events", extra=("request-timeout = 2", "max-stream-events = 3")),
    operation("update_space", key, **{"path.space_id": "fuzz-lifecycle"}),
    operation("archive_space", key, **{"path.space_id": "fuzz-lifecycle"}),
    operation("admin_list_tenants", operator),
    operation("admin_get_tenant", operator, **{"path.tenant_id": suspended_tenant["tenant_id"]}),
    operation("admin_suspend_tenant", operator, **{"path.tenant_id": suspended_tenant["tenant_id"]}),
    operation("admin_reactivate_tenant", operator, **{"path.tenant_id": suspended_tenant["tenant_id"]}),
]))
