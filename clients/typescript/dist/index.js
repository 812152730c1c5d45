// The hand-written part of the package: a client for every path of the spec, typed by the
// generated `schema.d.ts`, that authenticates each request with one credential. Compiled to
// `dist/` by scripts/generate-clients and committed, so installing the package builds nothing.
import createClient from "openapi-fetch";
/**
 * A client for the server at `baseUrl` that sends `token` with every request. Each call returns
 * `{ data, error, response }`: `data` on a 2xx, `error` (the `{"detail"}` body) otherwise.
 */
export function createConvoClient({ token, ...options }) {
    const client = createClient(options);
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
