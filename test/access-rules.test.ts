// The access rules over every transport: the admin API (rules and the tester, scopes, field
// errors), the CLI, and the admin page in a browser — one service, one evaluator behind them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { ApiTokenService } from '../src/services/tokens.ts';
import { launchBrowser } from './support/browser.ts';
import { runSesame } from './support/cli.ts';
import { logIn, PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const ACCESS_CONTROL = `definitions:
  network:
    lan: [192.168.0.0/16]
access_control:
  default_policy: deny
  rules:
    - domain: public.example.com
      policy: bypass
    - domain: '*.example.com'
      networks: [lan]
      policy: one_factor
    - domain: '*.example.com'
      subject: 'group:admins'
      policy: two_factor
`;

let sesame: TestSesame;
let reader: string;
let outsider: string;
let browser: Browser | undefined;

before(async () => {
  sesame = await startTestSesame('sqlite', '', { topLevelYaml: ACCESS_CONTROL });
  await sesame.addUser({ username: 'root', password: PASSWORD, groups: ['admins'] });
  await sesame.addUser({ username: 'pat', password: PASSWORD, groups: ['staff'] });
  const tokens = new ApiTokenService(sesame.running.store);
  reader = (await tokens.create({ name: 'checker', scopes: ['access:read'] }, 'test')).token;
  outsider = (await tokens.create({ name: 'apps', scopes: ['applications:read'] }, 'test')).token;
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
});

async function api(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${sesame.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('admin API', () => {
  test('lists the rules of the configuration file', async () => {
    const { status, body } = await api('GET', '/access/rules', reader);
    assert.equal(status, 200);
    assert.equal(body.configured, true);
    assert.equal(body.default_policy, 'deny');
    const items = body.items as { policy: string; domains: string[]; subjects: string[] }[];
    assert.deepEqual(
      items.map((rule) => rule.policy),
      ['bypass', 'one_factor', 'two_factor'],
    );
    assert.deepEqual(items[2]!.subjects, ['group:admins']);
  });

  test('checks a request: user, anonymous, network, default policy', async () => {
    const root = await api('POST', '/access/check', reader, {
      user: 'root',
      url: 'https://app.example.com/x',
    });
    assert.equal(root.status, 200);
    assert.equal(root.body.policy, 'two_factor');
    assert.equal(root.body.rule, 2);
    const reasons = root.body.rules as { matched: boolean; reason: string }[];
    assert.match(reasons[0]!.reason, /matches none of 'public.example.com'/);
    assert.match(reasons[1]!.reason, /address \(none\) is in none of 'lan'/);

    const pat = await api('POST', '/access/check', reader, { user: 'pat', url: 'https://app.example.com/' });
    assert.deepEqual([pat.body.policy, pat.body.rule], ['deny', undefined]);

    const lan = await api('POST', '/access/check', reader, {
      user: 'pat',
      url: 'https://app.example.com/',
      method: 'post',
      ip: '192.168.3.4',
    });
    assert.deepEqual([lan.body.policy, lan.body.rule, lan.body.method], ['one_factor', 1, 'POST']);

    const anonymous = await api('POST', '/access/check', reader, { url: 'https://app.example.com/' });
    assert.deepEqual([anonymous.body.policy, anonymous.body.has_subjects], ['two_factor', true]);
  });

  test('bad input names the field; other scopes are refused', async () => {
    const ghost = await api('POST', '/access/check', reader, {
      user: 'ghost',
      url: 'https://a.example.com/',
    });
    assert.equal(ghost.status, 400);
    assert.match(String(ghost.body.error_description), /there is no user named 'ghost'/);
    const url = await api('POST', '/access/check', reader, { url: 'app.example.com/x' });
    assert.equal(url.status, 400);
    assert.match(String(url.body.error_description), /not an absolute http\(s\) URL/);
    const ip = await api('POST', '/access/check', reader, { url: 'https://a.example.com/', ip: '999.1.1.1' });
    assert.equal(ip.status, 400);
    assert.equal(
      (await api('POST', '/access/check', outsider, { url: 'https://a.example.com/' })).status,
      403,
    );
  });
});

test('CLI: sesame access check and list', async () => {
  const config = sesame.running.config.configFile;
  const check = await runSesame([
    'access',
    'check',
    '--config',
    config,
    '--user',
    'pat',
    '--url',
    'https://app.example.com/',
    '--ip',
    '192.168.1.1',
  ]);
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /^one_factor \(rule 2\) for user pat: GET https:\/\/app\.example\.com\//);
  assert.match(check.stdout, /rule 1: host 'app.example.com' matches none of 'public.example.com'/);
  const unknown = await runSesame([
    'access',
    'check',
    '--config',
    config,
    '--user',
    'ghost',
    '--url',
    'https://a.example.com/',
  ]);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /there is no user named 'ghost'/);
  const list = await runSesame(['access', 'list', '--config', config]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /group:admins/);
  assert.match(list.stdout, /No match: default_policy deny/);
});

test('admin page: the tester highlights the deciding rule', async () => {
  browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(`${sesame.url}/admin/access`);
  await logIn(page, 'root');
  await page.waitForURL(`${sesame.url}/admin/access`);
  await page.getByLabel('User').fill('root');
  await page.getByLabel('URL').fill('https://app.example.com/');
  await page.getByLabel('Client IP address').fill('10.1.1.1');
  await page.getByRole('button', { name: 'Test' }).click();
  await page.locator('#result').waitFor();
  assert.match((await page.locator('#result').textContent()) ?? '', /two_factor,\s*rule 3/);
  assert.equal((await page.locator('tr.hit td').first().textContent())?.trim(), '3');
  await page.goto(`${sesame.url}/admin/access?user=ghost&url=https://a.example.com/`);
  assert.match((await page.locator('#user-error').textContent()) ?? '', /no user named 'ghost'/);
});
