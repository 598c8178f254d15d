// The access rules page: the forward-auth rules of the configuration file (read-only) and the
// tester, a GET form that shows the decision, the rule that made it (highlighted) and why each
// earlier rule did not match.
import type { AccessCheckResult, AccessRuleRow, AccessRules } from '../../services/access-rules.ts';
import type { FieldErrors } from '../../http/forms.ts';
import { ACCESS_METHODS } from '../../config/access-control-schema.ts';
import { html, type SafeHtml } from '../html.ts';
import { dataTable, formProblem, inputField, selectField } from '../views/forms.ts';

export interface AccessTestForm {
  user: string;
  url: string;
  method: string;
  ip: string;
}

export interface AccessPageData {
  rules: AccessRules;
  form: AccessTestForm;
  errors: FieldErrors;
  result?: AccessCheckResult;
}

const POLICY_WORDS: Record<string, string> = {
  bypass: 'let in without signing in',
  one_factor: 'let in once signed in (password)',
  two_factor: 'let in once signed in with a second factor',
  deny: 'refused',
};

function cellList(items: readonly string[], any = 'any'): SafeHtml {
  if (items.length === 0) return html`<span class="muted">${any}</span>`;
  return html`${items.map((item, i) => html`${i > 0 ? html`<br />` : ''}<code>${item}</code>`)}`;
}

function ruleRow(rule: AccessRuleRow, hit: boolean): SafeHtml {
  return html`<tr ${hit ? html`class="hit" aria-current="true"` : ''}>
    <td>${rule.index + 1}</td>
    <td>${cellList(rule.domains)}</td>
    <td>${cellList(rule.subjects, 'anyone')}</td>
    <td class="hide-sm">${cellList(rule.networks)}</td>
    <td class="hide-sm">${cellList(rule.resources)}</td>
    <td class="hide-sm">${cellList(rule.methods)}</td>
    <td class="hide-sm">${cellList(rule.query)}</td>
    <td><span class="badge">${rule.policy}</span></td>
  </tr>`;
}

function rulesSection(data: AccessPageData): SafeHtml {
  const { rules } = data;
  if (!rules.configured)
    return html`<p>
      The configuration has no <code>access_control</code> section: every forward-auth request is refused
      (<code>deny</code>).
    </p>`;
  const hit = data.result?.decision.rule;
  const columns = [
    '#',
    'Domains',
    'Subjects',
    ...['Networks', 'Resources', 'Methods', 'Query'].map((label) => ({ label, className: 'hide-sm' })),
    'Policy',
  ];
  return html`<p>
      Rules come from <code>access_control</code> in the configuration file and are read-only here; change
      them there and restart. They are tried in order; the first that matches decides. No match:
      <span class="badge">${rules.defaultPolicy}</span> (<code>default_policy</code>).
    </p>
    ${
      rules.rules.length === 0
        ? html`<p class="muted">No rules.</p>`
        : dataTable(
            columns,
            rules.rules.map((rule) => ruleRow(rule, rule.index === hit)),
          )
    }`;
}

function testForm(data: AccessPageData): SafeHtml {
  const { form, errors } = data;
  return html`<form method="get" action="/admin/access#result" novalidate>
    ${formProblem(errors)}
    <div class="grid2">
      <div>
        ${inputField({ name: 'user', label: 'User', value: form.user, errors, autocomplete: 'off', help: 'Empty: a visitor who is not signed in.' })}
      </div>
      <div>
        ${inputField({ name: 'url', label: 'URL', value: form.url, errors, type: 'url', required: true, attributes: html`placeholder="https://app.example.com/path"` })}
      </div>
      <div>
        ${selectField({ name: 'method', label: 'Method', options: ACCESS_METHODS, value: form.method, errors })}
      </div>
      <div>
        ${inputField({ name: 'ip', label: 'Client IP address', value: form.ip, errors, help: 'Empty: no network rule matches.' })}
      </div>
    </div>
    <button type="submit">Test</button>
  </form>`;
}

function verdict(result: AccessCheckResult): SafeHtml {
  const { decision, user } = result;
  const who = user ? html`<strong>${user.username}</strong>` : html`an anonymous visitor`;
  const by =
    decision.rule === undefined
      ? html`no rule matched: <code>default_policy</code>`
      : html`rule ${decision.rule + 1}`;
  const anonymousNote =
    !user && decision.hasSubjects
      ? html`<p>
          The rule depends on who asks: the visitor is sent to sign in, then the rules are tried again for the
          user.
        </p>`
      : html``;
  const disabled = user?.disabled
    ? html`<p class="problem">This account is disabled: it cannot sign in at all.</p>`
    : html``;
  return html`<p>
      ${who} reaching
      <code>${result.method} ${result.url}</code>${result.ip ? html` from <code>${result.ip}</code>` : ''} is
      <strong>${POLICY_WORDS[decision.policy] ?? decision.policy}</strong> (<span class="badge"
        >${decision.policy}</span
      >, ${by}).
    </p>
    ${anonymousNote} ${disabled}`;
}

function reasons(result: AccessCheckResult): SafeHtml {
  const last = result.decision.rule ?? result.rules.length - 1;
  const shown = result.rules.filter((rule) => rule.index <= last);
  if (shown.length === 0) return html``;
  return html`<ul class="reasons">
    ${shown.map(
      (rule) =>
        html`<li ${rule.index === result.decision.rule ? html`class="hit"` : ''}>
          Rule ${rule.index + 1}: ${rule.reason}
        </li>`,
    )}
  </ul>`;
}

export function accessView(data: AccessPageData): SafeHtml {
  const result = data.result
    ? html`<section class="card" id="result" aria-labelledby="result-heading">
        <h2 id="result-heading">Result</h2>
        ${verdict(data.result)} ${reasons(data.result)}
      </section>`
    : html``;
  return html`<hgroup>
      <h1>Access rules</h1>
      <p>Which requests the reverse proxy lets through to the apps behind forward-auth, to whom.</p>
    </hgroup>
    ${rulesSection(data)}
    <section aria-labelledby="test-heading">
      <h2 id="test-heading">Test a request</h2>
      ${testForm(data)}
    </section>
    ${result}`;
}
