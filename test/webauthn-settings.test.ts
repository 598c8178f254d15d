// The `webauthn` options: registration options follow selection_criteria and the attestation
// preference, and filtering refuses authenticators by AAGUID and backup eligibility. A software
// authenticator (a P-256 key, "none" attestation) answers, so the AAGUID and flags are the test's.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { ProhibitedAuthenticatorError } from '../src/factors/passkeys.ts';
import type { User } from '../src/store/index.ts';
import { PASSWORD } from './support/flows.ts';
import { startTestSesame, type TestSesame } from './support/sesame.ts';

const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const SYNCED = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4';

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_AT = 0x40;

/** The COSE (RFC 9053) form of a P-256 public key. */
function coseKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const map = new Map<number, number | Uint8Array>([
    [1, 2],
    [3, -7],
    [-1, 1],
    [-2, Buffer.from(jwk.x!, 'base64url')],
    [-3, Buffer.from(jwk.y!, 'base64url')],
  ]);
  return isoCBOR.encode(map);
}

/** A registration answer from an authenticator of model `aaguid`, backup-eligible or not. */
function register(
  options: PublicKeyCredentialCreationOptionsJSON,
  origin: string,
  aaguid: string,
  backupEligible = false,
): RegistrationResponseJSON {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const credentialId = createHash('sha256').update(`${aaguid}${Math.random()}`).digest().subarray(0, 16);
  const flags = FLAG_UP | FLAG_UV | FLAG_AT | (backupEligible ? FLAG_BE : 0);
  const authData = Buffer.concat([
    createHash('sha256').update(options.rp.id!).digest(),
    Buffer.from([flags]),
    Buffer.alloc(4),
    Buffer.from(aaguid.replace(/-/g, ''), 'hex'),
    Buffer.from([0, credentialId.length]),
    credentialId,
    coseKey(publicKey),
  ]);
  const attestationObject = isoCBOR.encode(
    new Map<string, unknown>([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', new Uint8Array(authData)],
    ]) as never,
  );
  const clientData = { type: 'webauthn.create', challenge: options.challenge, origin, crossOrigin: false };
  const id = credentialId.toString('base64url');
  return {
    id,
    rawId: id,
    type: 'public-key',
    clientExtensionResults: {},
    response: {
      clientDataJSON: Buffer.from(JSON.stringify(clientData)).toString('base64url'),
      attestationObject: Buffer.from(attestationObject).toString('base64url'),
      transports: ['usb'],
    },
  };
}

async function userOf(sesame: TestSesame, username: string): Promise<User> {
  return sesame.addUser({ username, password: PASSWORD });
}

describe('webauthn defaults', () => {
  let sesame: TestSesame;
  before(async () => {
    sesame = await startTestSesame('sqlite', '', { hostname: 'localhost' });
  });
  after(() => sesame?.stop());

  test('registration asks for an indirect attestation, a preferred discoverable key, preferred verification', async () => {
    const options = await sesame.running.factors.passkeys.registrationOptions(await userOf(sesame, 'ann'));
    assert.equal(options.attestation, 'indirect');
    assert.deepEqual(options.authenticatorSelection, {
      residentKey: 'preferred',
      requireResidentKey: false,
      userVerification: 'preferred',
    });
  });

  test('any authenticator may be registered, synced passkeys too', async () => {
    const { passkeys } = sesame.running.factors;
    const user = await userOf(sesame, 'bea');
    const options = await passkeys.registrationOptions(user);
    const added = await passkeys.register(user, 'Phone', register(options, sesame.url, SYNCED, true));
    assert.equal(added?.deviceType, 'multiDevice');
  });
});

describe('webauthn settings', () => {
  let sesame: TestSesame;
  let permitting: TestSesame;
  before(async () => {
    sesame = await startTestSesame('sqlite', '', {
      hostname: 'localhost',
      topLevelYaml: `webauthn:
  attestation_conveyance_preference: direct
  selection_criteria:
    attachment: cross-platform
    discoverability: required
    user_verification: required
  filtering:
    prohibited_aaguids: ['${SYNCED.toUpperCase()}']
    prohibit_backup_eligibility: true
`,
    });
    permitting = await startTestSesame('sqlite', '', {
      hostname: 'localhost',
      topLevelYaml: `webauthn:\n  user_verification: discouraged\n  filtering:\n    permitted_aaguids: ['${YUBIKEY}']\n`,
    });
  });
  after(async () => {
    await sesame?.stop();
    await permitting?.stop();
  });

  test('registration and second-factor options reflect the settings', async () => {
    const { passkeys } = sesame.running.factors;
    const user = await userOf(sesame, 'cat');
    const options = await passkeys.registrationOptions(user);
    assert.equal(options.attestation, 'direct');
    assert.deepEqual(options.authenticatorSelection, {
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'required',
      authenticatorAttachment: 'cross-platform',
    });
    assert.equal((await passkeys.authenticationOptions(user.id)).userVerification, 'required');
    // The legacy top-level key still says what selection_criteria.user_verification says.
    const legacy = await permitting.running.factors.passkeys.registrationOptions(
      await userOf(permitting, 'cat'),
    );
    assert.equal(legacy.authenticatorSelection?.userVerification, 'discouraged');
  });

  test('a prohibited AAGUID is refused and nothing is stored; another one is registered', async () => {
    const { passkeys } = sesame.running.factors;
    const user = await userOf(sesame, 'dan');
    const refused = register(await passkeys.registrationOptions(user), sesame.url, SYNCED);
    await assert.rejects(
      passkeys.register(user, 'Synced', refused),
      (error: ProhibitedAuthenticatorError) => error.reason === 'model' && /prohibited/.test(error.message),
    );
    assert.deepEqual(await passkeys.list(user.id), []);
    const allowed = register(await passkeys.registrationOptions(user), sesame.url, YUBIKEY);
    assert.equal((await passkeys.register(user, 'Key', allowed))?.name, 'Key');
  });

  test('prohibit_backup_eligibility refuses a backup-eligible credential', async () => {
    const { passkeys } = sesame.running.factors;
    const user = await userOf(sesame, 'eve');
    const synced = register(await passkeys.registrationOptions(user), sesame.url, YUBIKEY, true);
    await assert.rejects(
      passkeys.register(user, 'Synced', synced),
      (error: ProhibitedAuthenticatorError) => error.reason === 'backup',
    );
    assert.deepEqual(await passkeys.list(user.id), []);
  });

  test('permitted_aaguids lets only the listed models in', async () => {
    const { passkeys } = permitting.running.factors;
    const user = await userOf(permitting, 'fay');
    const other = register(await passkeys.registrationOptions(user), permitting.url, SYNCED);
    await assert.rejects(passkeys.register(user, 'Other', other), (error: ProhibitedAuthenticatorError) =>
      /not permitted/.test(error.message),
    );
    const key = register(await passkeys.registrationOptions(user), permitting.url, YUBIKEY);
    assert.ok(await passkeys.register(user, 'Key', key));
  });
});
