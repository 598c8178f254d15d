// One-time credentials stay one-time under concurrency (RFC 6749 §4.1.2 and §10.4, OAuth 2.0
// Security BCP §4.14): of 20 parallel redemptions of one authorization code or one refresh token
// exactly one succeeds, every other gets invalid_grant, and because a replay happened everything
// issued from it is revoked, the winner's tokens included. On SQLite, on PostgreSQL, on MySQL
// (MariaDB), and on two nodes sharing one PostgreSQL schema or one MySQL database (requests
// alternate between the nodes).
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import * as client from 'openid-client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, startRelyingParty, type RelyingParty } from './support/browser.ts';
import { allow, authorize, insecure, logIn, PASSWORD, type Flow } from './support/flows.ts';
import { skipWithout, startTestSesame, type TestSesame } from './support/sesame.ts';

const PARALLEL = 20;
const ROUNDS = 5;
const SECRET = 'races-secret-0123456789';

const setups = [
  { name: 'SQLite, one node', engine: 'sqlite', nodes: 1 },
  { name: 'PostgreSQL, one node', engine: 'postgres', nodes: 1 },
  { name: 'PostgreSQL, two nodes on one schema', engine: 'postgres', nodes: 2 },
  { name: 'MySQL, one node', engine: 'mysql', nodes: 1 },
  { name: 'MySQL, two nodes on one database', engine: 'mysql', nodes: 2 },
] as const;

interface Answer {
  status: number;
  body: { error?: string; error_description?: string; access_token?: string; refresh_token?: string };
}

for (const setup of setups) {
  describe(
    `one-time credentials under concurrency: ${setup.name}`,
    { skip: await skipWithout(setup.engine) },
    () => {
      const nodes: TestSesame[] = [];
      let rp: RelyingParty;
      let browser: Browser;
      let context: BrowserContext;
      let page: Page;
      let flow: Flow;

      before(async () => {
        rp = await startRelyingParty();
        const yaml = `    clients:
      - client_id: races
        client_secret: ${SECRET}
        authorization_policy: one_factor
        consent_mode: implicit
        redirect_uris: ['${rp.origin}/callback']
        scopes: [openid, profile, email, groups, offline_access]
        grant_types: [authorization_code, refresh_token]
`;
        nodes.push(await startTestSesame(setup.engine, yaml));
        if (setup.nodes === 2) nodes.push(await startTestSesame(setup.engine, yaml, { nodeOf: nodes[0] }));
        await nodes[0]!.addUser({ username: 'alice', password: PASSWORD, email: 'alice@example.com' });
        flow = {
          config: await client.discovery(new URL(nodes[0]!.url), 'races', SECRET, undefined, insecure),
          redirectUri: `${rp.origin}/callback`,
        };
        browser = await launchBrowser();
        context = await browser.newContext();
        page = await context.newPage();
        await authorize(page, rp, flow, {}, async (current) => {
          await logIn(current, 'alice');
          await allow(current);
        });
      });

      after(async () => {
        await browser?.close();
        for (const node of nodes.reverse()) await node.stop();
        await rp?.close();
      });

      /** An endpoint of the global issuer on the index-th request's node (they alternate). */
      function endpoint(
        name: 'token_endpoint' | 'introspection_endpoint' | 'authorization_endpoint',
        index = 0,
      ): URL {
        const url = new URL(flow.config.serverMetadata()[name]!);
        const node = new URL(nodes[index % nodes.length]!.nodeUrl);
        url.host = node.host;
        return url;
      }

      async function post(url: URL, form: Record<string, string>): Promise<Answer> {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`races:${SECRET}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams(form),
        });
        return { status: response.status, body: (await response.json()) as Answer['body'] };
      }

      /** A fresh authorization code (the browser is signed in already: no pages). */
      async function code() {
        const { callback, verifier } = await authorize(page, rp, flow);
        const value = callback.searchParams.get('code');
        assert.ok(value, `no code in ${callback.href}`);
        return {
          grant_type: 'authorization_code',
          code: value,
          redirect_uri: flow.redirectUri,
          code_verifier: verifier,
        };
      }

      /** Sends the same token request PARALLEL times at once, alternating nodes. */
      async function race(form: Record<string, string>) {
        const answers = await Promise.all(
          Array.from({ length: PARALLEL }, (_, index) => post(endpoint('token_endpoint', index), form)),
        );
        const winners = answers.filter((answer) => answer.status === 200);
        const others = answers.filter(
          (answer) =>
            answer.status !== 200 && !(answer.status === 400 && answer.body.error === 'invalid_grant'),
        );
        assert.deepEqual(others, [], 'every loser gets invalid_grant (400)');
        return winners.map((winner) => winner.body);
      }

      async function active(token: string | undefined): Promise<boolean> {
        assert.ok(token);
        const answer = await post(endpoint('introspection_endpoint'), { token });
        assert.equal(answer.status, 200);
        return (answer.body as { active: boolean }).active;
      }

      async function refreshes(token: string | undefined): Promise<Answer> {
        assert.ok(token);
        return post(endpoint('token_endpoint'), { grant_type: 'refresh_token', refresh_token: token });
      }

      /** What the winners of one round got is dead: the replays revoked the grant. */
      async function assertRevoked(winners: Answer['body'][]) {
        for (const winner of winners) {
          assert.equal(await active(winner.access_token), false, "the winner's access token is revoked");
          const refreshed = await refreshes(winner.refresh_token);
          assert.equal(refreshed.status, 400, "the winner's refresh token is revoked");
          assert.equal(refreshed.body.error, 'invalid_grant');
        }
      }

      function report(t: TestContext, successes: number[]) {
        t.diagnostic(`successes per round of ${PARALLEL} parallel requests: ${successes.join(', ')}`);
        assert.deepEqual(successes, Array<number>(ROUNDS).fill(1), 'exactly one success per round');
      }

      test(`an authorization code sent ${PARALLEL} times at once is redeemed once`, async (t) => {
        const successes: number[] = [];
        const rounds: Answer['body'][][] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const winners = await race(await code());
          successes.push(winners.length);
          rounds.push(winners);
        }
        report(t, successes);
        for (const winners of rounds) await assertRevoked(winners);
      });

      test(`a refresh token sent ${PARALLEL} times at once is used once`, async (t) => {
        const successes: number[] = [];
        const rounds: { first: Answer['body']; winners: Answer['body'][] }[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const first = await post(endpoint('token_endpoint'), await code());
          assert.equal(first.status, 200);
          assert.ok(first.body.refresh_token);
          const winners = await race({
            grant_type: 'refresh_token',
            refresh_token: first.body.refresh_token,
          });
          successes.push(winners.length);
          rounds.push({ first: first.body, winners });
        }
        report(t, successes);
        for (const { first, winners } of rounds) {
          assert.equal(await active(first.access_token), false, 'the chain is revoked from its start');
          await assertRevoked(winners);
        }
      });

      test(`a pushed authorization request used ${PARALLEL} times at once gives one code`, async (t) => {
        const cookie = (await context.cookies(nodes[0]!.url))
          .map(({ name, value }) => `${name}=${value}`)
          .join('; ');
        const successes: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const pushed = await client.buildAuthorizationUrlWithPAR(flow.config, {
            redirect_uri: flow.redirectUri,
            scope: 'openid',
            code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
            code_challenge_method: 'S256',
          });
          // The browser is signed in and consent is implicit: each request comes straight back, with
          // a code or refused (a request_uri that cannot be used is answered with an error page).
          const codes = await Promise.all(
            Array.from({ length: PARALLEL }, async (_, index) => {
              const url = endpoint('authorization_endpoint', index);
              url.search = pushed.search;
              const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
              const body = await response.text();
              const location = new URL(response.headers.get('location') ?? url);
              if (response.status === 303 && location.searchParams.has('code')) return 1;
              const error =
                response.status === 303
                  ? location.searchParams.get('error')
                  : response.status === 400 && /<strong>invalid_request_uri<\/strong>/.test(body)
                    ? 'invalid_request_uri'
                    : `${response.status} ${body}`;
              assert.equal(error, 'invalid_request_uri');
              return 0;
            }),
          );
          successes.push(codes.reduce((sum: number, one) => sum + one, 0));
        }
        report(t, successes);
      });
    },
  );
}
