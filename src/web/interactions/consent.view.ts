// The consent page: what the client asks to do, allowed or denied with one click.
import type { SesameConfig } from '../../config/load.ts';
import { html } from '../html.ts';
import { layout } from '../pages.ts';
import { csrfField } from '../views/forms.ts';

export interface ConsentPageInput {
  action: string;
  csrf: string;
  clientName: string;
  username: string;
  scopes: { name: string; description: string }[];
  remember?: string;
}

export function consentPage(config: SesameConfig, input: ConsentPageInput): string {
  return layout(
    config,
    'Allow access',
    html`<h1>Allow ${input.clientName}?</h1>
      <p>Signed in as <strong>${input.username}</strong>. ${input.clientName} asks to:</p>
      <ul>
        ${input.scopes.map((scope) => html`<li>${scope.description} <code>${scope.name}</code></li>`)}
      </ul>
      ${input.remember ? html`<p>Your answer is remembered for ${input.remember}.</p>` : ''}
      <form method="post" action="${input.action}">
        ${csrfField(input.csrf)}
        <button type="submit" name="decision" value="allow">Allow</button>
        <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
      </form>`,
  );
}
