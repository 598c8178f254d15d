// The provider forms' own fields: rows of redirect URIs with their matching mode, and one of the
// YAML client's further settings.
import { settingOptions, type ClientSetting } from '../../../apps/client-settings.ts';
import type { FieldErrors } from '../../../http/forms.ts';
import type { RedirectUri } from '../../../store/index.ts';
import { html, trusted, type SafeHtml } from '../../html.ts';
import { fieldError, invalid, switchField } from '../../views/forms.ts';

const checked = (on: boolean) => (on ? trusted('checked') : '');
const selected = (on: boolean) => (on ? trusted('selected') : '');

function uriRow(name: string, label: string, uri: RedirectUri, index: number, errors: FieldErrors) {
  return html`<div class="uri-row">
    <input
      name="${name}_url"
      value="${uri.url}"
      aria-label="${label} ${index + 1}"
      placeholder="https://app.example.com/callback"
      ${index === 0 ? invalid(errors, `${name}s`) : ''}
    />
    <select name="${name}_mode" aria-label="Matching for ${label} ${index + 1}">
      <option value="strict" ${selected(uri.matching_mode === 'strict')}>exact</option>
      <option value="regex" ${selected(uri.matching_mode === 'regex')}>regex</option>
    </select>
  </div>`;
}

/** Editable rows of URI + matching mode, one blank row to add another (admin.js adds more). */
export function uriRows(
  name: string,
  label: string,
  uris: RedirectUri[],
  errors: FieldErrors,
  disabled: boolean,
): SafeHtml {
  const rows = disabled ? uris : [...uris, { url: '', matching_mode: 'strict' as const }];
  return html`<fieldset class="uris" data-uri-rows="${name}">
    <legend>${label}s</legend>
    ${rows.map((uri, index) => uriRow(name, label, uri, index, errors))} ${fieldError(errors, `${name}s`)}
    ${
      disabled
        ? ''
        : html`<small
            >Exact: the URI must match byte for byte. Regex: a fully anchored RE2 regular expression (as in
            Authelia; no backreferences or lookaround), e.g. <code>https://app.example.com/.*</code>. Leave a
            row empty to remove it.</small
          >`
    }
  </fieldset>`;
}

/** Checkboxes named `name`, one per option, those in `chosen` checked. */
export function checkboxes(name: string, options: readonly string[], chosen: readonly string[]): SafeHtml {
  return html`${options.map(
    (option) =>
      html`<label
        ><input type="checkbox" name="${name}" value="${option}" ${checked(chosen.includes(option))} />
        ${option}</label
      >`,
  )}`;
}

function settingInput(setting: ClientSetting, value: string, described: SafeHtml): SafeHtml {
  const { key } = setting;
  if (setting.kind === 'json')
    return html`<textarea id="${key}" name="${key}" rows="3" ${described}>${value}</textarea>`;
  if (setting.kind !== 'choice')
    return html`<input id="${key}" name="${key}" type="url" value="${value}" ${described} />`;
  return html`<select id="${key}" name="${key}" ${described}>
    <option value="">default</option>
    ${settingOptions(setting).map(
      (option) => html`<option value="${option}" ${selected(option === value)}>${option}</option>`,
    )}
  </select>`;
}

/** One of the YAML client's further settings as a form field, named by its YAML key. */
export function settingField(
  setting: ClientSetting,
  value: string | string[],
  errors: FieldErrors,
): SafeHtml {
  const { key } = setting;
  if (setting.kind === 'boolean')
    return html`<div>
        ${switchField({ name: key, label: setting.label, checked: value === 'on', help: setting.help })}
      </div>
      ${errors[key] ? fieldError(errors, key) : ''}`;
  const after = errors[key] ? fieldError(errors, key) : html`<small id="${key}-help">${setting.help}</small>`;
  if (setting.kind === 'list')
    return html`<fieldset class="choices">
      <legend>${setting.label}</legend>
      ${checkboxes(key, settingOptions(setting), value as string[])} ${after}
    </fieldset>`;
  const described = errors[key] ? invalid(errors, key) : trusted(`aria-describedby="${key}-help"`);
  return html`<label for="${key}">${setting.label}</label>
    ${settingInput(setting, value as string, described)} ${after}`;
}
