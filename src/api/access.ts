// /api/v1/access: the forward-auth rules (read-only: they come from the configuration file) and the
// tester ("would this user reaching this URL be let in, and by which rule?").
import { z } from 'zod';
import type { SesameConfig } from '../config/load.ts';
import { AccessRuleService } from '../services/access-rules.ts';
import type { Store } from '../store/index.ts';
import { operations, type AnyRoute } from './routes.ts';

const ruleView = z.object({
  index: z.number().describe('0-based position in access_control.rules'),
  policy: z.string(),
  domains: z.array(z.string()),
  subjects: z.array(z.string()),
  networks: z.array(z.string()),
  resources: z.array(z.string()),
  methods: z.array(z.string()),
  query: z.array(z.string()),
});

const checkInput = z.strictObject({
  user: z.string().optional().describe('A username; absent or empty: an anonymous visitor'),
  url: z.string().describe('The absolute URL requested through the proxy'),
  method: z.string().optional().describe('The HTTP method; GET when absent'),
  ip: z.string().optional().describe('The client IP address; absent: no network rule matches'),
});

const checkView = z.object({
  user: z.object({ username: z.string(), groups: z.array(z.string()), disabled: z.boolean() }).optional(),
  url: z.string(),
  method: z.string(),
  ip: z.string(),
  policy: z.enum(['bypass', 'one_factor', 'two_factor', 'deny']),
  rule: z.number().optional().describe('0-based index of the deciding rule; absent: default_policy'),
  has_subjects: z
    .boolean()
    .describe('The deciding rule depends on who asks (an anonymous visitor is sent to sign in)'),
  rules: z.array(
    z.object({ index: z.number(), matched: z.boolean(), potential: z.boolean(), reason: z.string() }),
  ),
});

export function accessRoutes(config: SesameConfig, store: Store): AnyRoute[] {
  const access = new AccessRuleService(store, config);
  const { read } = operations('access');
  return [
    read({
      method: 'GET',
      path: '/access/rules',
      operationId: 'listAccessRules',
      summary: 'The forward-auth rules of the configuration file (read-only)',
      response: z.object({ configured: z.boolean(), default_policy: z.string(), items: z.array(ruleView) }),
      handler() {
        const { configured, defaultPolicy, rules } = access.list();
        return Promise.resolve({ configured, default_policy: defaultPolicy, items: rules });
      },
    }),
    read({
      method: 'POST',
      path: '/access/check',
      operationId: 'checkAccess',
      summary: 'Would this user reaching this URL be let in, and by which rule?',
      body: checkInput,
      response: checkView,
      async handler({ body }) {
        const { user, url, method, ip, decision, rules } = await access.check({
          ...body,
          username: body.user,
        });
        return {
          user,
          url,
          method,
          ip,
          policy: decision.policy,
          rule: decision.rule,
          has_subjects: decision.hasSubjects,
          rules,
        };
      },
    }),
  ];
}
