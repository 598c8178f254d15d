// The ceiling for password logins: how many argon2id verifications per second this machine does at
// the configured cost, with the very functions Sesame's login uses (hashPassword, verifySecret), in
// their own process, with enough verifications in flight to keep every core busy.
//   node bench/argon2-rate.ts '<ArgonJob as JSON>'
import type { PasswordHashing } from '../src/auth/passwords.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import { verifySecret } from '../src/crypto/digest.ts';
import { printResult, summarize, type ArgonJob } from './lib/jobs.ts';
import { random } from './lib/oidc.ts';
import { MeasuredWindow } from './lib/window.ts';

const job = JSON.parse(process.argv[2] ?? '{}') as ArgonJob;
setTimeout(() => process.exit(2), (job.warmupSec + job.durationSec + 60) * 1000).unref();

const password = random(18);
const digest = await hashPassword(password, job.hashing as PasswordHashing);
const window = new MeasuredWindow(job.warmupSec, job.durationSec);

async function worker(): Promise<void> {
  while (window.running) {
    const started = performance.now();
    if (!(await verifySecret(password, digest))) throw new Error('the digest did not verify');
    window.success(performance.now() - started);
  }
}

await Promise.all(Array.from({ length: job.concurrency }, () => worker()));
await window.finished;
printResult({
  ...summarize(window.latencies, window.completed, window.errors, window.errorSamples, window.durationSec),
  digest: digest.split('$').slice(0, 4).join('$'),
});
