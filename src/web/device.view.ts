// The device authorization pages (RFC 8628) the engine shows at /device: the user code entry, the
// confirmation that names the application and repeats the code, and the page that says the device
// is signed in. The forms post back to the engine, which checks their `xsrf` field.
// Each view gives the page's title and body; pages.ts puts them in the sign-in pages' frame.
import type { DeviceCodeProblem, DeviceForm } from '../oidc/device-flow.ts';
import { html, type SafeHtml } from './html.ts';

export interface DevicePage {
  title: string;
  body: SafeHtml;
}

const PROBLEMS: Record<DeviceCodeProblem, string> = {
  missing: 'Enter the code your device shows.',
  not_found: 'That code is not valid. Check the code your device shows and try again.',
  expired: 'That code has expired. Start the sign-in on your device again to get a new code.',
  already_used: 'That code has already been used. Start the sign-in on your device again.',
  aborted: 'The sign-in was cancelled. Your device was not signed in.',
  denied: 'The request was denied. Your device was not signed in.',
  form_expired: 'This page had expired or the form was not sent from it. Enter the code again.',
  other: 'The code could not be checked. Start the sign-in on your device again.',
};

function xsrfField(form: DeviceForm): SafeHtml {
  return form.method === 'post' ? html`<input type="hidden" name="xsrf" value="${form.xsrf}" />` : html``;
}

/** The code entry: the first page of /device, and again with what was wrong with the last code. */
export function deviceCodeInputView(
  form: DeviceForm,
  input: { userCode?: string; problem?: DeviceCodeProblem },
): DevicePage {
  const { problem } = input;
  return {
    title: 'Connect a device',
    body: html`<h1>Connect a device</h1>
      ${problem ? html`<div class="error" role="alert">${PROBLEMS[problem]}</div>` : ''}
      <p>Enter the code shown on the device (TV, console or command line) you are signing in on.</p>
      <form method="${form.method}" action="${form.action}">
        ${xsrfField(form)}
        <label for="user_code">Code</label>
        <input
          id="user_code"
          name="user_code"
          ${input.userCode ? html`value="${input.userCode}"` : ''}
          autocomplete="off"
          autocapitalize="characters"
          spellcheck="false"
          placeholder="XXXX-XXXX"
          maxlength="64"
          required
          autofocus
        />
        <button type="submit">Continue</button>
      </form>`,
  };
}

/** The code was found: name the application and repeat the code, so a person can spot a phishing attempt. */
export function deviceCodeConfirmView(
  form: DeviceForm,
  input: { userCode: string; clientName: string },
): DevicePage {
  return {
    title: 'Connect a device',
    body: html`<h1>Connect ${input.clientName}?</h1>
      <p>Check that your device shows this code:</p>
      <p><code class="user-code">${input.userCode}</code></p>
      <p>
        Continue only if you started this sign-in yourself and the code matches. Otherwise cancel: someone may
        be trying to get you to sign in their device.
      </p>
      <form method="post" action="${form.action}">
        ${xsrfField(form)}
        <input type="hidden" name="user_code" value="${input.userCode}" />
        <button type="submit" name="confirm" value="yes" autofocus>Continue</button>
        <button type="submit" name="abort" value="yes" class="secondary">Cancel</button>
      </form>`,
  };
}

export function deviceSuccessView(clientName: string | undefined): DevicePage {
  return {
    title: 'Device connected',
    body: html`<h1>Your device is signed in</h1>
      <div class="notice" role="status">
        ${clientName ? html`${clientName} on your device` : 'Your device'} can continue now.
      </div>
      <p>You can close this window.</p>`,
  };
}
