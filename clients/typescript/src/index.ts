// The hand-written part of the package: a client for every path of the spec, typed by the
// generated `schema.d.ts`, that authenticates each request with one credential. Compiled to
// `dist/` by scripts/generate-clients and committed, so installing the package builds nothing.

import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { paths } from "../schema.js";

export type { components, operations, paths } from "../schema.js";

export interface ConvoClientOptions extends ClientOptions {
  /** The server's origin, e.g. `https://convo.example.com`; the paths carry `/api`. */
  baseUrl: string;
  /**
   * An API key (`convo_…`) or a personal access token (`mootup_pat_…`), sent as
   * `Authorization: Bearer …`. Leave it out for the calls that need none (registering a human).
   */
  token?: string;
}

/** A typed Convo client: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` over the spec's paths. */
export type ConvoClient = Client<paths>;

/**
 * A client for the server at `baseUrl` that sends `token` with every request. Each call returns
 * `{ data, error, response }`: `data` on a 2xx, `error` (the `{"detail"}` body) otherwise.
 */
export function createConvoClient({ token, ...options }: ConvoClientOptions): ConvoClient {
  const client = createClient<paths>(options);
  if (token !== undefined) {
    // A header given on one call (another credential) wins over the client's token.
    client.use({
      onRequest({ request }) {
        if (!request.headers.has("Authorization")) {
          request.headers.set("Authorization", `Bearer ${token}`);
        }
        return request;
      },
    });
  }
  return client;
}
