import type { Command } from 'commander';
import { AccessRuleService } from '../../services/access-rules.ts';
import { table, type Output } from '../output.ts';
import { withStore } from './shared.ts';

interface CheckOptions {
  user?: string;
  url: string;
  method?: string;
  ip?: string;
}

/** An `access` subcommand's action: `fn` with the access rule service over the configured store. */
function withAccess<O>(fn: (access: AccessRuleService, options: O) => Promise<void>) {
  return (options: O, command: Command) =>
    withStore(command, ({ config, store }) => fn(new AccessRuleService(store, config), options));
}

export function registerAccess(program: Command, output: Output): void {
  const access = program
    .command('access')
    .description('Show and test the forward-auth access rules (access_control in the configuration file)');

  access
    .command('list')
    .description('List the rules in the order they are tried')
    .action(
      withAccess((service) => {
        const { configured, defaultPolicy, rules } = service.list();
        if (!configured) output.out('No access_control section: every forward-auth request is denied.');
        const rows = rules.map((rule) => [
          String(rule.index + 1),
          rule.domains.join(', '),
          rule.subjects.join(', ') || 'anyone',
          [...rule.networks, ...rule.resources, ...rule.methods, ...rule.query].join(', '),
          rule.policy,
        ]);
        output.out(table(['#', 'DOMAINS', 'SUBJECTS', 'OTHER CRITERIA', 'POLICY'], rows));
        output.out(`No match: default_policy ${defaultPolicy}`);
        return Promise.resolve();
      }),
    );

  access
    .command('check')
    .description('Would this user reaching this URL be let in, and by which rule?')
    .option('--user <username>', 'the user (omit for an anonymous visitor)')
    .requiredOption('--url <url>', 'the absolute URL requested through the proxy')
    .option('--method <method>', 'the HTTP method', 'GET')
    .option('--ip <address>', 'the client IP address (omit: no network rule matches)')
    .action(
      withAccess<CheckOptions>(async (service, options) => {
        const result = await service.check({ ...options, username: options.user });
        const { decision } = result;
        const who = result.user ? `user ${result.user.username}` : 'an anonymous visitor';
        const by = decision.rule === undefined ? 'default_policy' : `rule ${decision.rule + 1}`;
        output.out(`${decision.policy} (${by}) for ${who}: ${result.method} ${result.url}`);
        if (!result.user && decision.hasSubjects)
          output.out(
            'The rule depends on who asks: the visitor signs in first, then the rules are tried again.',
          );
        if (result.user?.disabled) output.out('The account is disabled: it cannot sign in.');
        const last = decision.rule ?? result.rules.length - 1;
        for (const rule of result.rules.filter((entry) => entry.index <= last))
          output.out(`  rule ${rule.index + 1}: ${rule.reason}`);
      }),
    );
}
