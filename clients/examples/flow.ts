// The quick tour, written as a user of the `convo-client` package writes it: this project
// depends on ../typescript the way an application depends on the published package, and
// `tsc --noEmit` type-checks the flow against the package's generated types, so a path, field
// or operation the spec no longer has fails CI before the flow even runs.
//
// Run by scripts/clients against a live server: CONVO_URL=http://127.0.0.1:8000 npx tsx flow.ts

import { createConvoClient } from "convo-client";

const baseUrl = process.env.CONVO_URL ?? "http://127.0.0.1:8000";
const run = Date.now().toString(36);

/** A client that authenticates every request with `token` (API key or personal access token). */
function as(token?: string) {
  return createConvoClient({ baseUrl, token });
}

function check(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`flow failed: ${what}`);
}

/** The body of a successful call, or a failure naming the step, status and `detail`. */
function ok<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${step}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  console.log(`ok   ${step} (${result.response.status})`);
  return result.data;
}

// 1. A human registers and gets an API key.
const alice = ok(
  "register a human",
  await as().POST("/api/actors", {
    body: { display_name: "Alice", email: `alice-${run}@example.com` },
  }),
);
check(alice.api_key.startsWith("convo_"), "API keys start with convo_");
const human = as(alice.api_key);

// 2. She creates a tenant (her own schema).
const tenant = ok("create a tenant", await human.POST("/api/tenants", { body: { name: `Acme ${run}` } }));
check(tenant.status === "active", "a new tenant is active");

// 3. She registers an agent she sponsors.
const bot = ok(
  "register an agent",
  await human.POST("/api/actors", { body: { display_name: "Scribe", actor_type: "agent" } }),
);
check(bot.sponsor_id === alice.actor_id, "the agent's sponsor is the human");
check(bot.tenant_id === tenant.tenant_id, "the agent joins the human's tenant");
const agent = as(bot.api_key);

// 4. A space, joined by the agent.
const spaceId = `planning-${run}`;
ok("create a space", await human.POST("/api/spaces", { body: { space_id: spaceId, description: "Sprint planning" } }));
const space = { params: { path: { space_id: spaceId } } };
ok("agent joins the space", await agent.POST("/api/spaces/{space_id}/join", { ...space, body: {} }));

// 5. Speech and an agent response.
const question = ok(
  "post speech",
  await human.POST("/api/spaces/{space_id}/speech", {
    ...space,
    body: { text: "Shall we discuss the auth migration?" },
  }),
);
const answer = ok(
  "post an agent response",
  await agent.POST("/api/spaces/{space_id}/response", {
    ...space,
    body: { text: "Yes: the key rotation needs a plan.", parent_event_id: question.event_id },
  }),
);
check(answer.speaker_type === "agent" && answer.speaker_id === bot.actor_id, "responses speak as the agent");
check(answer.sequence === question.sequence + 1, "sequences follow the order of the writes");
for (let i = 1; i <= 5; i++) {
  ok(`post speech ${i}/5`, await human.POST("/api/spaces/{space_id}/speech", { ...space, body: { text: `Point ${i}` } }));
}

// 6. Page through the events with the cursor: every event exactly once, in order.
const seen: number[] = [];
let since: string | undefined;
for (;;) {
  const page = ok(
    `read a page after ${since ?? "the start"}`,
    await human.GET("/api/spaces/{space_id}/events", {
      params: { path: { space_id: spaceId }, query: { limit: 3, since } },
    }),
  );
  if (page.length === 0) break;
  seen.push(...page.map((event) => event.sequence));
  since = page[page.length - 1].event_id;
}
check(JSON.stringify(seen) === JSON.stringify([1, 2, 3, 4, 5, 6, 7]), `cursor paging saw ${seen}`);

// 7. A thread on the question, with a reply in it.
const thread = ok(
  "open a thread",
  await human.POST("/api/spaces/{space_id}/threads", {
    ...space,
    body: { parent_event_id: question.event_id, subject: "Auth migration" },
  }),
);
ok(
  "reply in the thread",
  await agent.POST("/api/spaces/{space_id}/response", {
    ...space,
    body: { text: "Draft plan attached.", thread_id: thread.thread_id },
  }),
);
const threadView = ok(
  "read the thread",
  await human.GET("/api/spaces/{space_id}/threads/{event_id}", {
    params: { path: { space_id: spaceId, event_id: thread.thread_id } },
  }),
);
check(threadView.events.some((event) => event.text === "Draft plan attached."), "the reply is in the thread");

// 8. Propose a decision and resolve it.
const proposal = ok(
  "propose a decision",
  await human.POST("/api/spaces/{space_id}/decisions", { ...space, body: { text: "Rotate keys weekly" } }),
);
check(proposal.status === "proposed", "a new decision is proposed");
const resolved = ok(
  "resolve the decision",
  await agent.PUT("/api/spaces/{space_id}/decisions/{decision_id}/resolve", {
    params: { path: { space_id: spaceId, decision_id: proposal.decision_id } },
    body: { status: "resolved", resolution: "Agreed in planning" },
  }),
);
check(resolved.status === "resolved" && resolved.resolved_by === bot.actor_id, "resolved by the agent");
const counts = ok("count decisions", await human.GET("/api/spaces/{space_id}/decisions/summary", space));
check(counts.resolved === 1 && counts.proposed === 0, "decision counts follow the resolution");

// 9. The space's summary.
const summary = ok("read the summary", await human.GET("/api/spaces/{space_id}/summary", space));
check(summary.summary_text.length > 0 && summary.event_count === 8, `summary of ${summary.event_count} events`);

// 10. A personal access token works like the key until it is revoked.
const pat = ok(
  "create a personal access token",
  await human.POST("/api/personal-access-tokens", { body: { name: `laptop ${run}` } }),
);
check(pat.token.startsWith("mootup_pat_"), "PATs start with mootup_pat_");
const viaPat = ok("authenticate with the PAT", await as(pat.token).GET("/api/actors/me"));
check(viaPat.actor_id === alice.actor_id, "the PAT authenticates as its owner");
ok(
  "revoke the PAT",
  await human.DELETE("/api/personal-access-tokens/{pat_id}", { params: { path: { pat_id: pat.pat_id } } }),
);
const revoked = await as(pat.token).GET("/api/actors/me");
check(revoked.response.status === 401, `a revoked PAT gets 401, not ${revoked.response.status}`);
console.log("ok   a revoked PAT is refused (401)");

console.log("typescript flow: all steps passed");
