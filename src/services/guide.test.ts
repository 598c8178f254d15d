// A preset completes an application request the same way for the API and the CLI.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { presets } from '../apps/presets.ts';
import { withPresetDefaults } from './guide.ts';

test('a preset with the app URL fills in what was not given; what was given wins', () => {
  const [id, preset] = [...presets()][0]!;
  const filled = withPresetDefaults({
    preset: id,
    appUrl: 'https://app.example.com/',
    redirectUris: [{ url: 'https://app.example.com/extra', matching_mode: 'strict' }],
  });
  assert.equal(filled.name, preset.name);
  assert.equal(filled.slug, id);
  assert.equal(filled.launchUrl, 'https://app.example.com');
  assert.deepEqual(
    filled.redirectUris.map((uri) => uri.url),
    [
      ...preset.redirect_paths.map((path) => `https://app.example.com${path}`),
      'https://app.example.com/extra',
    ],
  );
  assert.deepEqual(filled.scopes, preset.scopes);
  assert.equal(
    withPresetDefaults({ preset: id, appUrl: 'https://a.example', name: 'Mine', redirectUris: [] }).name,
    'Mine',
  );
});

test('without a preset the app URL is the launch URL, and a name is needed', () => {
  const plain = withPresetDefaults({ name: 'Plain', appUrl: 'https://p.example', redirectUris: [] });
  assert.equal(plain.launchUrl, 'https://p.example');
  assert.equal(plain.preset, undefined);
  assert.throws(() => withPresetDefaults({ redirectUris: [] }), /give the application a name/);
});
