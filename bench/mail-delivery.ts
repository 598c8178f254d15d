// How long a mail takes from the request that causes it to its delivery: `npm run bench:mail`.
// Sesame runs as in production (bin/sesame.js start, SQLite) with its notifier pointed at a real SMTP
// server in this process (smtp-server). Each sample is one password reset request (GET the form,
// POST it) timed until the mail's last byte is received; the baseline is the same kind of mail sent
// straight from this process with nodemailer to the same server, so the ratio is what Sesame adds.
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { parse, stringify } from 'yaml';
import { CookieJar, HttpClient } from './lib/http.ts';
import { cleanUp, freePort, installSignalHandlers, onCleanup } from './lib/processes.ts';
import { median } from './lib/report.ts';
import {
  makeSecrets,
  prepareDatabase,
  readConfig,
  spawnSesame,
  sqliteDeployment,
  writeConfig,
} from './lib/setup.ts';

const { values: flags } = parseArgs({ options: { samples: { type: 'string', default: '20' } } });
const SAMPLES = Number(flags.samples);

/** An SMTP server that resolves the waiting sample when a mail to `to` has been received in full. */
async function startInbox() {
  const waiting = new Map<string, () => void>();
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    // (A reverse DNS lookup of 127.0.0.1 would be most of every sample.)
    disableReverseLookup: true,
    onData(stream, session, callback) {
      stream.resume();
      // (Read the recipients first: the callback resets the session's envelope.)
      const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
      stream.on('end', () => {
        callback();
        for (const address of recipients) waiting.get(address)?.();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const next = (to: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no mail to ${to} within 10 s`)), 10_000);
      waiting.set(to, () => (clearTimeout(timer), waiting.delete(to), resolve()));
    });
  return { port, next, close: () => new Promise<void>((resolve) => server.close(resolve)) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const format = (values: number[]) =>
  `median ${median(values).toFixed(1)} ms, p90 ${percentile(values, 90).toFixed(1)} ms, n=${values.length}`;

async function main() {
  installSignalHandlers();
  const inbox = await startInbox();
  onCleanup(() => inbox.close());
  const deployment = sqliteDeployment('mail', await freePort());
  const secrets = await makeSecrets();
  const file = writeConfig(deployment, secrets, 'mail');
  const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  config.notifier = {
    smtp: {
      address: `smtp://127.0.0.1:${inbox.port}`,
      sender: 'SSO <sso@example.com>',
      disable_require_tls: true,
    },
  };
  // (One account asks many times: the per-account mail limit would otherwise stop the samples.)
  config.regulation = { max_retries: 10 * SAMPLES };
  writeFileSync(file, stringify(config), { mode: 0o600 });
  await prepareDatabase(readConfig(file), secrets.user);
  const sesame = await spawnSesame(deployment, file, { label: 'mail' });
  onCleanup(() => sesame.stop());
  const to = `${secrets.user.username}@example.com`;

  // The baseline: the same server, a mail of the same size, sent straight from here.
  const direct = nodemailer.createTransport({ host: '127.0.0.1', port: inbox.port, ignoreTLS: true });
  const baseline: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    const started = performance.now();
    const delivered = inbox.next(to);
    await direct.sendMail({
      from: 'sso@example.com',
      to,
      subject: 'Reset',
      text: 'x'.repeat(600),
      html: `<p>${'x'.repeat(900)}</p>`,
    });
    await delivered;
    baseline.push(performance.now() - started);
  }
  direct.close();

  const http = new HttpClient(4);
  const answered: number[] = [];
  const reset: number[] = [];
  for (let index = 0; index < SAMPLES; index++) {
    const jar = new CookieJar();
    const form = await http.get(`${deployment.url}/reset-password`, { jar });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1];
    if (!csrf) throw new Error(`the reset page has no form: HTTP ${form.status}`);
    const delivered = inbox.next(to);
    const started = performance.now();
    const answer = await http.post(`${deployment.url}/reset-password`, {
      jar,
      form: { csrf, username: secrets.user.username },
    });
    answered.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`the reset request answered ${answer.status}`);
    await delivered;
    reset.push(performance.now() - started);
  }
  http.close();
  console.log(`direct nodemailer send → delivered (baseline): ${format(baseline)}`);
  console.log(`reset request answered:                      ${format(answered)}`);
  console.log(`reset request → mail delivered:              ${format(reset)}`);
  console.log(
    `ratio to the baseline (medians):             ${(median(reset) / median(baseline)).toFixed(2)}×`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
