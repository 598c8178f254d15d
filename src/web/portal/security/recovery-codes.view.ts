// New recovery codes, shown once.
import { html, type SafeHtml } from '../../html.ts';

export function recoveryCodesView(codes: readonly string[]): SafeHtml {
  return html`<h1>Your recovery codes</h1>
    <p>Each code works once. Keep them somewhere safe: they are shown only now.</p>
    <ul class="codes" data-testid="recovery-codes">
      ${codes.map((code) => html`<li><code>${code}</code></li>`)}
    </ul>
    <p><a href="/portal/security">Back to Security</a></p>`;
}
