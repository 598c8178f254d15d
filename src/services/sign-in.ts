// What a sign-in interaction does to the store: it checks a password, a second factor or a passkey
// (counting attempts against the regulator), reads the user it is for, records the login or the
// consent, and writes the audit events. The pages in web/interactions/ only parse and render.
import type { PasswordAuthenticator } from '../auth/login.ts';
import { acrFor } from '../auth/policy.ts';
import type { FactorSummary, Factors } from '../factors/index.ts';
import { rememberConsent } from '../oidc/consent.ts';
import type { Repositories, Store, User } from '../store/index.ts';
import { recordAuthentication } from '../lib/metrics.ts';

/** Where an attempt comes from: for the regulator and the audit log. */
export interface AttemptSource {
  clientId: unknown;
  clientIp: string;
  requestId: string;
}

/** A finished login, as oidc-provider takes it (`interactionFinished({ login })`). */
export interface Login {
  accountId: string;
  amr: string[];
  acr: string;
  /**
   * A persistent login session (the "Remember me" box). Unset: as the login session already is
   * (a second factor keeps the first step's choice).
   */
  remember?: boolean;
}

export type SecondFactorMethod = 'totp' | 'recovery' | 'webauthn';

const secondsSince = (started: number) => (performance.now() - started) / 1000;

/** The login's methods (RFC 8176 amr) and the acr they reach. */
function loginOf(user: User, amr: string[]): Login {
  return { accountId: user.id, amr, acr: acrFor(amr) };
}

/** What a sign-in checks against: the accounts and their passwords, the second factors. */
export interface SignInDependencies {
  store: Store;
  authenticator: PasswordAuthenticator;
  factors: Factors;
}

export class SignInService {
  private readonly deps: SignInDependencies;
  constructor(deps: SignInDependencies) {
    this.deps = deps;
  }

  /** The account an interaction is for (undefined when it is gone). */
  async user(accountId: string | undefined): Promise<User | undefined> {
    return accountId ? this.deps.store.users.get(accountId) : undefined;
  }

  factorSummary(accountId: string): Promise<FactorSummary> {
    return this.deps.factors.summary(accountId);
  }

  private async record(
    type: string,
    from: AttemptSource,
    event: { actor?: string; subject?: string; details: Record<string, unknown> },
    repositories: Repositories = this.deps.store,
  ): Promise<void> {
    await repositories.events.append({
      type,
      ...event,
      clientIp: from.clientIp,
      requestId: from.requestId,
      details: { client_id: from.clientId, ...event.details },
    });
  }

  /** The first step: a name (any of the account's) and its password. */
  async password(identifier: string, password: string, from: AttemptSource): Promise<Login | undefined> {
    const started = performance.now();
    // Counted per account, whichever of its names was typed (see PasswordAuthenticator.identify).
    const identity = await this.deps.authenticator.identify(identifier);
    const attempt = { username: identity.account, clientIp: from.clientIp };
    // While banned the password is not checked against the account, but hashed against the decoy
    // all the same: the same answer as a wrong password after the same work, since a faster answer
    // would tell which names share an account's ban.
    const ban = identifier ? await this.deps.factors.regulator.banned(attempt) : undefined;
    const user = await this.deps.authenticator.verifyPassword(
      ban ? { account: identity.account, user: undefined } : identity,
      password,
    );
    if (!ban && identifier) await this.deps.factors.regulator.record(attempt, 'password', user !== undefined);
    recordAuthentication('1fa', user !== undefined, ban !== undefined, secondsSince(started));
    if (!user) {
      await this.record(ban ? 'login.banned' : 'login.failed', from, {
        subject: identifier.slice(0, 100),
        details: { factor: 'password' },
      });
      return undefined;
    }
    // If the client needs a second factor, oidc-provider's policy asks for it next (see oidc/interaction-policy.ts).
    return this.succeeded(user, ['pwd'], from);
  }

  /** A passkey as the only factor: possession of the key plus the authenticator's user verification. */
  async passkey(response: unknown, from: AttemptSource): Promise<Login | undefined> {
    const started = performance.now();
    const login =
      this.deps.factors.passkeys.passwordlessEnabled && response !== undefined
        ? await this.deps.factors.passkeys.authenticate(response as never)
        : undefined;
    const user = login ? await this.deps.store.users.get(login.credential.userId) : undefined;
    recordAuthentication('passkey', !!login && !!user && !user.disabled, false, secondsSince(started));
    if (!login || !user || user.disabled) {
      await this.record('login.failed', from, { subject: user?.username, details: { factor: 'passkey' } });
      return undefined;
    }
    // With experimental_enable_passkey_uv_two_factors off, a passkey login is one factor (as Authelia's default).
    const amr = this.deps.factors.passkeys.passkeyLoginIsTwoFactor ? ['hwk', 'user', 'mfa'] : ['hwk', 'user'];
    return this.succeeded(user, amr, from, { passkey: login.credential.name });
  }

  private async succeeded(
    user: User,
    amr: string[],
    from: AttemptSource,
    details: Record<string, unknown> = {},
  ): Promise<Login> {
    await this.record('login.succeeded', from, {
      actor: user.username,
      subject: user.username,
      details: { amr, ...details },
    });
    return loginOf(user, amr);
  }

  /**
   * The second step (or a step-up) for a signed-in `user`: a code or a passkey's answer. The login
   * keeps the methods already used (`amr`) and adds this one.
   */
  async secondFactor(
    user: User,
    amr: string[] | undefined,
    answer: { method: SecondFactorMethod; code: string; response: unknown },
    from: AttemptSource,
  ): Promise<Login | undefined> {
    const { method } = answer;
    const started = performance.now();
    const attempt = { username: user.username, clientIp: from.clientIp };
    const ban = await this.deps.factors.regulator.banned(attempt);
    const ok = !ban && (await this.verify(user, answer));
    if (!ban) await this.deps.factors.regulator.record(attempt, method, ok);
    recordAuthentication(method, ok, ban !== undefined, secondsSince(started));
    const who = { actor: user.username, subject: user.username };
    if (!ok) {
      await this.record(ban ? 'login.banned' : 'second_factor.failed', from, {
        ...who,
        details: { factor: method },
      });
      return undefined;
    }
    const used = method === 'webauthn' ? ['hwk'] : ['otp'];
    const combined = [...new Set([...(amr ?? ['pwd']), ...used, 'mfa'])];
    await this.record('second_factor.succeeded', from, {
      ...who,
      details: { factor: method, amr: combined },
    });
    if (method === 'recovery')
      await this.deps.store.events.append({
        type: 'factor.recovery_code_used',
        actor: user.username,
        subject: user.id,
        clientIp: from.clientIp,
        details: { remaining: await this.deps.factors.recovery.remaining(user.id) },
      });
    return loginOf(user, combined);
  }

  private async verify(
    user: User,
    { method, code, response }: { method: SecondFactorMethod; code: string; response: unknown },
  ): Promise<boolean> {
    if (method === 'totp') return this.deps.factors.totp.verify(user.id, code);
    if (method === 'recovery') return this.deps.factors.recovery.use(user.id, code);
    return (
      response !== undefined &&
      (await this.deps.factors.passkeys.authenticate(response as never, user.id)) !== undefined
    );
  }

  /**
   * The user allowed the client: remembered for `rememberSeconds` when the client says so
   * (`pre-configured` consent), and recorded.
   */
  async consentGranted(
    accountId: string,
    scope: unknown,
    rememberSeconds: number | undefined,
    from: AttemptSource & { clientId: string },
  ): Promise<void> {
    const scopes = (typeof scope === 'string' ? scope : '').split(' ').filter(Boolean);
    await this.deps.store.transaction(async (tx) => {
      if (rememberSeconds) await rememberConsent(tx, accountId, from.clientId, scopes, rememberSeconds);
      await this.record('consent.granted', from, { subject: accountId, details: { scope } }, tx);
    });
  }
}
