"""The quick tour, written as a user of the `convo_client` package writes it.

Run by scripts/clients against a live server, in a fresh virtual environment where
`pip install ./clients/python` was done: CONVO_URL=http://127.0.0.1:8000 python flow.py
"""

import os
import sys
import time

from convo_client import AuthenticatedClient, Client
from convo_client.api.activity import get_space_summary
from convo_client.api.actors import create_actor, get_current_actor
from convo_client.api.decisions import get_decision_summary, propose_decision, resolve_decision
from convo_client.api.events import add_response, add_speech, list_events
from convo_client.api.participants import join_space
from convo_client.api.personal_access_tokens import (
    create_personal_access_token,
    revoke_personal_access_token,
)
from convo_client.api.spaces import create_space
from convo_client.api.tenants import create_tenant
from convo_client.api.threads import create_thread, get_thread
from convo_client.models import (
    AgentResponseRequest,
    ErrorBody,
    JoinRequest,
    NewActor,
    NewDecision,
    NewPat,
    NewSpace,
    NewTenant,
    NewThread,
    ResolveDecision,
    ResolveDecisionStatus,
    SpeechRequest,
)
from convo_client.types import UNSET

BASE_URL = os.environ.get("CONVO_URL", "http://127.0.0.1:8000")
RUN = format(int(time.time() * 1000), "x")


def as_(key: str) -> AuthenticatedClient:
    """A client that authenticates every request with `key` (API key or access token)."""
    return AuthenticatedClient(base_url=BASE_URL, token=key, raise_on_unexpected_status=True)


def ok(step: str, response):
    """The parsed body of a 200, or a failure naming the step, status and `detail`."""
    body = response.parsed
    if response.status_code != 200 or body is None or isinstance(body, ErrorBody):
        sys.exit(f"{step}: HTTP {response.status_code} {response.content!r}")
    print(f"ok   {step} ({response.status_code})")
    return body


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"flow failed: {what}")


# 1. A human registers and gets an API key (no credential yet: a plain client).
anonymous = Client(base_url=BASE_URL, raise_on_unexpected_status=True)
alice = ok(
    "register a human",
    create_actor.sync_detailed(
        client=anonymous,  # type: ignore[arg-type]  # registration takes no key
        body=NewActor(display_name="Alice", email=f"alice-{RUN}@example.com"),
    ),
)
check(alice.api_key.startswith("convo_"), "API keys start with convo_")
human = as_(alice.api_key)

# 2. She creates a tenant (her own schema).
tenant = ok("create a tenant", create_tenant.sync_detailed(client=human, body=NewTenant(name=f"Acme {RUN}")))
check(str(tenant.status) == "active", "a new tenant is active")

# 3. She registers an agent she sponsors.
agent_type = type(NewActor.from_dict({"display_name": "x", "actor_type": "agent"}).actor_type)
bot = ok(
    "register an agent",
    create_actor.sync_detailed(
        client=human,
        body=NewActor(display_name="Scribe", actor_type=agent_type("agent")),
    ),
)
check(bot.sponsor_id == alice.actor_id, "the agent's sponsor is the human")
check(bot.tenant_id == tenant.tenant_id, "the agent joins the human's tenant")
agent = as_(bot.api_key)

# 4. A space, joined by the agent.
space_id = f"planning-{RUN}"
ok(
    "create a space",
    create_space.sync_detailed(client=human, body=NewSpace(space_id=space_id, description="Sprint planning")),
)
ok("agent joins the space", join_space.sync_detailed(space_id, client=agent, body=JoinRequest()))

# 5. Speech and an agent response.
question = ok(
    "post speech",
    add_speech.sync_detailed(space_id, client=human, body=SpeechRequest(text="Shall we discuss the auth migration?")),
)
answer = ok(
    "post an agent response",
    add_response.sync_detailed(
        space_id,
        client=agent,
        body=AgentResponseRequest(text="Yes: the key rotation needs a plan.", parent_event_id=str(question.event_id)),
    ),
)
check(answer.speaker_type == "agent" and answer.speaker_id == str(bot.actor_id), "responses speak as the agent")
check(answer.sequence == question.sequence + 1, "sequences follow the order of the writes")
for i in range(1, 6):
    ok(f"post speech {i}/5", add_speech.sync_detailed(space_id, client=human, body=SpeechRequest(text=f"Point {i}")))

# 6. Page through the events with the cursor: every event exactly once, in order.
seen: list[int] = []
since = UNSET
while True:
    page = ok(
        f"read a page after {since or 'the start'}",
        list_events.sync_detailed(space_id, client=human, limit=3, since=since),
    )
    if not page:
        break
    seen.extend(event.sequence for event in page)
    since = str(page[-1].event_id)
check(seen == [1, 2, 3, 4, 5, 6, 7], f"cursor paging saw {seen}")

# 7. A thread on the question, with a reply in it.
thread = ok(
    "open a thread",
    create_thread.sync_detailed(
        space_id, client=human, body=NewThread(parent_event_id=str(question.event_id), subject="Auth migration")
    ),
)
ok(
    "reply in the thread",
    add_response.sync_detailed(
        space_id, client=agent, body=AgentResponseRequest(text="Draft plan attached.", thread_id=str(thread.thread_id))
    ),
)
view = ok("read the thread", get_thread.sync_detailed(space_id, str(thread.thread_id), client=human))
check(any(event.text == "Draft plan attached." for event in view.events), "the reply is in the thread")

# 8. Propose a decision and resolve it.
proposal = ok(
    "propose a decision",
    propose_decision.sync_detailed(space_id, client=human, body=NewDecision(text="Rotate keys weekly")),
)
check(str(proposal.status) == "proposed", "a new decision is proposed")
resolved = ok(
    "resolve the decision",
    resolve_decision.sync_detailed(
        space_id,
        str(proposal.decision_id),
        client=agent,
        body=ResolveDecision(status=ResolveDecisionStatus.RESOLVED, resolution="Agreed in planning"),
    ),
)
check(str(resolved.status) == "resolved" and resolved.resolved_by == str(bot.actor_id), "resolved by the agent")
counts = ok("count decisions", get_decision_summary.sync_detailed(space_id, client=human))
check(counts.resolved == 1 and counts.proposed == 0, "decision counts follow the resolution")

# 9. The space's summary.
summary = ok("read the summary", get_space_summary.sync_detailed(space_id, client=human))
check(len(summary.summary_text) > 0 and summary.event_count == 8, f"summary of {summary.event_count} events")

# 10. A personal access token works like the key until it is revoked.
pat = ok(
    "create a personal access token",
    create_personal_access_token.sync_detailed(client=human, body=NewPat(name=f"laptop {RUN}")),
)
check(pat.token.startswith("mootup_pat_"), "PATs start with mootup_pat_")
me = ok("authenticate with the PAT", get_current_actor.sync_detailed(client=as_(pat.token)))
check(me.actor_id == alice.actor_id, "the PAT authenticates as its owner")
ok("revoke the PAT", revoke_personal_access_token.sync_detailed(str(pat.pat_id), client=human))
refused = get_current_actor.sync_detailed(client=as_(pat.token))
check(refused.status_code == 401, f"a revoked PAT gets 401, not {refused.status_code}")
print("ok   a revoked PAT is refused (401)")

print("python flow: all steps passed")
