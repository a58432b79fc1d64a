/**
 * Issue 10, point 4: a token endpoint that answers a refresh without `refresh_token` (RFC 6749
 * section 6 allows it: the client keeps the one it has). A purpose-built server on port 0 plays
 * such an authorization server over real HTTP; the refresher and a file store must keep the
 * old, still-valid refresh token in the stored pair, and the next refresh must work with it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@effect/vitest";
import { MiroConfig, refresherFor, TokenClient } from "@miro-token/core";
import { FileTokenStore } from "@miro-token/store-file";
import { NodeTransport } from "@miro-token/transport-node";
import { Context, Effect, Layer, Option, Redacted } from "effect";

const CLIENT_ID = "3458764500000000001";
const CLIENT_SECRET = "client-secret-not-rotating";
const REFRESH_TOKEN = "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_non-rotating-refresh-token-1";

/** A token endpoint that never rotates: every refresh answers a new access token only. */
const nonRotatingServer = Effect.acquireRelease(
  Effect.promise(
    () =>
      new Promise<{ server: Server; baseUrl: string; grants: Array<string> }>((resolve) => {
        const grants: Array<string> = [];
        let issued = 0;
        const server = createServer((request, response) => {
          let body = "";
          request.on("data", (chunk: Buffer) => {
            body += chunk.toString("utf8");
          });
          request.on("end", () => {
            const form = new URLSearchParams(body);
            const grant = form.get("refresh_token") ?? "";
            grants.push(grant);
            const known =
              request.url === "/v1/oauth/token" &&
              form.get("grant_type") === "refresh_token" &&
              form.get("client_id") === CLIENT_ID &&
              form.get("client_secret") === CLIENT_SECRET &&
              grant === REFRESH_TOKEN;
            response.setHeader("content-type", "application/json");
            if (!known) {
              response.statusCode = 400;
              response.end(JSON.stringify({ error: "invalid_grant" }));
              return;
            }
            issued += 1;
            response.end(
              JSON.stringify({
                access_token: `eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_access-${issued}`,
                expires_in: 3599,
                token_type: "bearer",
                scope: "boards:read",
                user_id: "3458764517517852417",
                team_id: "3074457358607431473",
              }),
            );
          });
        });
        server.listen(0, "127.0.0.1", () => {
          const { port } = server.address() as AddressInfo;
          resolve({ server, baseUrl: `http://127.0.0.1:${port}`, grants });
        });
      }),
  ),
  ({ server }) => Effect.promise(() => new Promise((resolve) => server.close(resolve))),
);

const storeDirectory = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "refresh-without-rotation-"))),
  (path) => Effect.promise(() => rm(path, { recursive: true, force: true })),
);

describe("a refresh answered without refresh_token (RFC 6749 section 6)", () => {
  it.live("keeps the old refresh token in the stored pair, and the next refresh works", () =>
    Effect.gen(function* () {
      const { baseUrl, grants } = yield* nonRotatingServer;
      const store = yield* FileTokenStore.make({ directory: yield* storeDirectory });
      yield* store.compareAndSet("alice", 0, {
        accessToken: Redacted.make("eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_access-0"),
        refreshToken: Redacted.make(REFRESH_TOKEN),
        refreshTokenIssuedAt: 1_700_000_000_000,
        expiresAt: 0,
        scopes: ["boards:read"],
      });
      // Built in the test's scope: the transport's connection pool lives as long.
      const context = yield* Layer.build(
        TokenClient.layer.pipe(
          Layer.provide(NodeTransport.layer),
          Layer.provide(
            MiroConfig.layer({ baseUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }),
          ),
        ),
      );
      const client = Context.get(context, TokenClient);
      const refresher = refresherFor(store, client);

      const first = yield* refresher.refresh("alice", 1);
      expect(first.generation).toBe(2);
      const stored = Option.getOrThrow(yield* store.get("alice"));
      expect(stored.tokenSet.refreshToken && Redacted.value(stored.tokenSet.refreshToken)).toBe(
        REFRESH_TOKEN,
      );
      expect(Redacted.value(stored.tokenSet.accessToken)).toContain("access-1");
      // The kept refresh token keeps its age: its 60 days still run from its own issue.
      expect(stored.tokenSet.refreshTokenIssuedAt).toBe(1_700_000_000_000);

      const second = yield* refresher.refresh("alice", 2);
      expect(second.generation).toBe(3);
      expect(Redacted.value(second.tokenSet.accessToken)).toContain("access-2");
      expect(grants).toEqual([REFRESH_TOKEN, REFRESH_TOKEN]);
    }).pipe(Effect.scoped),
  );
});
