// When oidc-provider shows the login interaction: the standard prompts, plus Sesame's reasons to
// show it to a user who already has a session: the account was disabled or deleted; the client's
// policy denies this user (the page says so, and the app gets access_denied); the policy or
// acr_values want a second factor the session lacks (the page asks for that factor only: step-up,
// not the password again).
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import {
  acrAsksForSecondFactor,
  isMultiFactor,
  type AuthorizationPolicies,
  type Decision,
} from '../auth/policy.ts';
import type { Store, User } from '../store/index.ts';
import { settingsOf } from './clients.ts';

/** Interaction reasons the login page handles itself. */
export const SESAME_DENIED = 'sesame_policy_denied';
export const SESAME_SECOND_FACTOR = 'sesame_second_factor_required';

export interface PolicyContext {
  store: Store;
  policies: AuthorizationPolicies;
  /** Whether a user has enrolled a second factor (voluntary acr_values step up only then). */
  hasSecondFactor: (userId: string) => Promise<boolean>;
}

/** The user, read once per request however many steps ask (the account lookup, the policy check). */
const requestUsers = new WeakMap<object, Map<string, Promise<User | undefined>>>();
export function userForRequest(store: Store, ctx: object, id: string): Promise<User | undefined> {
  let users = requestUsers.get(ctx);
  if (!users) requestUsers.set(ctx, (users = new Map<string, Promise<User | undefined>>()));
  let user = users.get(id);
  if (!user) users.set(id, (user = store.users.get(id)));
  return user;
}

/** The client's policy decision for the session's user, made once per request. */
function decider(context: PolicyContext): (ctx: KoaContextWithOIDC) => Promise<Decision | undefined> {
  const decisions = new WeakMap<object, Promise<Decision | undefined>>();
  const decide = async (ctx: KoaContextWithOIDC): Promise<Decision | undefined> => {
    const accountId = ctx.oidc.session?.accountId;
    if (!accountId || !ctx.oidc.account) return undefined;
    const user = await userForRequest(context.store, ctx, accountId);
    if (!user) return undefined;
    const settings = settingsOf(ctx.oidc.client);
    return context.policies.decide(
      settings.authorizationPolicy ?? 'one_factor',
      settings.allowedGroups ?? [],
      {
        username: user.username,
        groups: user.groups,
        clientIp: ctx.ip,
      },
    );
  };
  return (ctx) => {
    let pending = decisions.get(ctx);
    if (!pending) decisions.set(ctx, (pending = decide(ctx)));
    return pending;
  };
}

export function interactionPolicyFor(context: PolicyContext) {
  const { Check } = interactionPolicy;
  const decide = decider(context);
  const prompt = (yes: boolean) => (yes ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT);
  const secondFactorNeeded = async (ctx: KoaContextWithOIDC): Promise<boolean> => {
    const decision = await decide(ctx);
    if (!decision || decision.level === 'deny' || isMultiFactor(ctx.oidc.session?.amr)) return false;
    if (decision.level === 'two_factor') return true;
    // acr_values is a wish, not a rule: step up only when the user has something to step up with.
    const acrValues = ctx.oidc.params?.acr_values;
    const wanted = acrAsksForSecondFactor(typeof acrValues === 'string' ? acrValues : '');
    return wanted && (await context.hasSecondFactor(ctx.oidc.session!.accountId!));
  };

  const policy = interactionPolicy.base();
  policy
    .get('login')!
    .checks.push(
      new Check('account_unavailable', 'the account of this session is disabled or gone', (ctx) =>
        prompt(Boolean(ctx.oidc.session?.accountId && !ctx.oidc.account)),
      ),
      new Check(
        SESAME_DENIED,
        'the authorization policy of this client does not allow this user',
        'access_denied',
        async (ctx) => prompt((await decide(ctx))?.level === 'deny'),
      ),
      new Check(SESAME_SECOND_FACTOR, 'a second factor is required', 'interaction_required', async (ctx) =>
        prompt(await secondFactorNeeded(ctx)),
      ),
    );
  return policy;
}
