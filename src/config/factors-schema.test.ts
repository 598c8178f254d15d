import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { totpSchema, webauthnSchema } from './factors-schema.ts';

const messages = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) => result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) ?? [];

describe('totp settings', () => {
  test('algorithms in either case; the defaults join the allowed lists as Authelia does', () => {
    const totp = totpSchema.parse({
      algorithm: 'SHA256',
      digits: 8,
      period: 60,
      allowed_algorithms: ['SHA1'],
      allowed_digits: [6],
      allowed_periods: [30],
    });
    assert.equal(totp.algorithm, 'sha256');
    assert.deepEqual(totp.allowed_algorithms, ['sha1', 'sha256']);
    assert.deepEqual(totp.allowed_digits, [6, 8]);
    assert.deepEqual(totp.allowed_periods, [30, 60]);
    assert.equal(totp.disable_reuse_security_policy, false);
  });

  test('values Authelia refuses are refused', () => {
    assert.deepEqual(messages(totpSchema.safeParse({ allowed_periods: [10] })), [
      'allowed_periods.0: must be at least 15 seconds',
    ]);
    assert.equal(totpSchema.safeParse({ allowed_digits: [7] }).success, false);
    assert.equal(totpSchema.safeParse({ secret_size: 10 }).success, false);
    assert.equal(totpSchema.safeParse({ allowed_algorithms: ['MD5'] }).success, false);
  });
});

describe('webauthn settings', () => {
  test('an Authelia suite’s block loads, with the metadata service off', () => {
    const webauthn = webauthnSchema.parse({
      disable: false,
      enable_passkey_login: true,
      display_name: 'Authelia',
      attestation_conveyance_preference: 'indirect',
      timeout: '60 seconds',
      filtering: { permitted_aaguids: [], prohibited_aaguids: [], prohibit_backup_eligibility: false },
      selection_criteria: { attachment: '', discoverability: 'required', user_verification: 'preferred' },
      metadata: {
        enabled: false,
        validate_trust_anchor: true,
        validate_entry: false,
        validate_entry_permit_zero_aaguid: true,
        validate_status: true,
        validate_status_permitted: [],
        validate_status_prohibited: [],
      },
    });
    assert.equal(webauthn.timeout, 60);
    assert.equal(webauthn.selection_criteria.discoverability, 'required');
  });

  test('the metadata service, which needs the internet, is refused rather than skipped', () => {
    const [problem] = messages(webauthnSchema.safeParse({ metadata: { enabled: true } }));
    assert.match(problem!, /^metadata\.enabled: the FIDO metadata service is not supported yet by Sesame/);
  });

  test('contradictions Authelia refuses are refused', () => {
    assert.deepEqual(
      messages(
        webauthnSchema.safeParse({
          filtering: {
            permitted_aaguids: ['cb69481e-8ff7-4039-93ec-0a2729a154a8'],
            prohibited_aaguids: ['ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4'],
          },
        }),
      ),
      ['filtering: permitted_aaguids and prohibited_aaguids are both set'],
    );
    assert.deepEqual(messages(webauthnSchema.safeParse({ disable: true, enable_passkey_login: true })), [
      'enable_passkey_login: is true while webauthn.disable is true',
    ]);
    assert.equal(
      webauthnSchema.parse({ disable: true }).enable_passkey_login,
      true,
      'the default is not a contradiction',
    );
    assert.equal(webauthnSchema.safeParse({ filtering: { permitted_aaguids: ['yubikey'] } }).success, false);
  });

  test('the legacy user_verification key is read when selection_criteria does not say', () => {
    assert.equal(
      webauthnSchema.parse({ user_verification: 'required' }).selection_criteria.user_verification,
      'required',
    );
    assert.equal(
      webauthnSchema.parse({
        user_verification: 'required',
        selection_criteria: { user_verification: 'discouraged' },
      }).selection_criteria.user_verification,
      'discouraged',
    );
    assert.equal(webauthnSchema.parse({}).selection_criteria.user_verification, 'preferred');
  });
});
