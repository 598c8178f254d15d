// Summarises a V8 CPU profile (from `npm run bench -- --profile`, or node --cpu-prof): self time
// by function with file:line, and by file or package.
//   node bench/profile-top.ts bench-results/profiles/sesame-….cpuprofile [--top 25] [--since-ms N] [--until-ms N]
// Percentages are of the busy time: samples where the process was idle (waiting for I/O) are left out.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    'since-ms': { type: 'string', default: '0' },
    'until-ms': { type: 'string', default: 'Infinity' },
  },
});
const file = positionals[0];
if (!file) {
  console.error('usage: node bench/profile-top.ts FILE.cpuprofile [--top N] [--since-ms N]');
  process.exit(1);
}
const top = Number(values.top);
// Skip the start-up part of a profile when only the load matters.
const sinceUs = Number(values['since-ms']) * 1000;
const untilUs = Number(values['until-ms']) * 1000;

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const root = fileURLToPath(new URL('..', import.meta.url));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));

function where(node: ProfileNode): string {
  const { url, lineNumber } = node.callFrame;
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  return `${path}:${lineNumber + 1}`;
}

function area(node: ProfileNode): string {
  const { url } = node.callFrame;
  if (!url) return node.callFrame.functionName || '(native)';
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return pkg ? `node_modules/${pkg[1]}` : path;
}

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
let total = 0;
let idle = 0;
let clock = 0;
profile.samples.forEach((id, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  clock += delta;
  if (clock < sinceUs || clock > untilUs) return;
  const node = nodes.get(id)!;
  if (node.callFrame.functionName === '(idle)') {
    idle += delta;
    return;
  }
  const name = `${node.callFrame.functionName || '(anonymous)'}  ${where(node)}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
  byArea.set(area(node), (byArea.get(area(node)) ?? 0) + delta);
  total += delta;
});

function print(title: string, entries: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(
      `${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`,
    );
}

console.log(`${file}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle`);
print('self time by function (% of busy time)', byFunction);
print('self time by file or package', byArea);
