import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AccessCheckResult, AccessRules } from '../../services/access-rules.ts';
import { accessView } from './access.view.ts';

const rules: AccessRules = {
  configured: true,
  defaultPolicy: 'deny',
  rules: [
    {
      index: 0,
      policy: 'bypass',
      domains: ['public.example.com'],
      subjects: [],
      networks: [],
      resources: [],
      methods: [],
      query: [],
    },
    {
      index: 1,
      policy: 'two_factor',
      domains: ['*.example.com', 'regex: ^<x>$'],
      subjects: ['group:admins and group:dev'],
      networks: ['lan'],
      resources: ['^/admin'],
      methods: ['GET'],
      query: ['debug present'],
    },
  ],
};

const form = { user: 'john', url: 'https://app.example.com/admin', method: 'GET', ip: '10.0.0.1' };

const result: AccessCheckResult = {
  user: { username: 'john', groups: ['admins', 'dev'], disabled: false },
  url: 'https://app.example.com/admin',
  method: 'GET',
  ip: '10.0.0.1',
  decision: { policy: 'two_factor', rule: 1, hasSubjects: true },
  rules: [
    {
      index: 0,
      matched: false,
      potential: false,
      reason: "host 'app.example.com' matches none of 'public.example.com'",
    },
    { index: 1, matched: true, potential: false, reason: 'matches' },
  ],
};

test('access rules: a read-only table with the default policy, criteria escaped', () => {
  const markup = accessView({ rules, form: { ...form, url: '' }, errors: {} }).value;
  assert.match(markup, /read-only here/);
  assert.match(markup, /No match:\s*<span class="badge">deny<\/span>/);
  assert.match(markup, /<code>regex: \^&#60;x&#62;\$<\/code>/, 'criteria are escaped');
  assert.match(markup, /<code>group:admins and group:dev<\/code>/);
  assert.doesNotMatch(markup, /class="hit"/, 'nothing highlighted before a test');
  assert.doesNotMatch(markup, /id="result"/);
  assert.match(markup, /<form method="get" action="\/admin\/access#result"/);
  assert.doesNotMatch(markup, /name="csrf"/, 'a GET form carries no CSRF token');
});

test('access tester: the decision, the deciding rule highlighted, why earlier rules did not match', () => {
  const markup = accessView({ rules, form, errors: {}, result }).value;
  assert.match(markup, /<tr class="hit" aria-current="true">\s*<td>2<\/td>/);
  assert.match(
    markup,
    /<strong>john<\/strong> reaching\s+<code>GET https:\/\/app.example.com\/admin<\/code>/,
  );
  assert.match(markup, /let in once signed in with a second factor/);
  assert.match(markup, /rule 2\)/);
  assert.match(markup, /Rule 1: host &#39;app.example.com&#39; matches none of &#39;public.example.com&#39;/);
  assert.match(markup, /<li class="hit">\s*Rule 2: matches/);
  assert.match(
    markup,
    /name="url"[^>]*value="https:\/\/app.example.com\/admin"|value="https:\/\/app.example.com\/admin"[^>]*name="url"/s,
  );
});

test('access tester: anonymous visitor sent to sign in; default policy; no section at all', () => {
  const anonymous = accessView({
    rules,
    form: { ...form, user: '' },
    errors: {},
    result: { ...result, user: undefined, decision: { policy: 'two_factor', rule: 1, hasSubjects: true } },
  }).value;
  assert.match(anonymous, /an anonymous visitor reaching\s+<code>/);
  assert.match(anonymous, /sent to sign in, then the rules are tried again/);
  const fallback = accessView({
    rules,
    form,
    errors: {},
    result: { ...result, decision: { policy: 'deny', hasSubjects: false } },
  }).value;
  assert.match(fallback, /no rule matched: <code>default_policy<\/code>/);
  assert.match(fallback, /is\s+<strong>refused<\/strong>/);
  const none = accessView({
    rules: { configured: false, defaultPolicy: 'deny', rules: [] },
    form,
    errors: {},
  }).value;
  assert.match(none, /no <code>access_control<\/code> section/);
});

test('access tester: a field error is shown next to its field', () => {
  const markup = accessView({ rules, form, errors: { user: "there is no user named 'ghost'" } }).value;
  assert.match(markup, /role="alert"/);
  assert.match(markup, /aria-invalid="true"[\s\S]*there is no user named &#39;ghost&#39;/);
});
