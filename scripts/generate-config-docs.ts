import { writeFileSync } from 'node:fs';
import { renderConfigReference } from '../src/config/docs.ts';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), renderConfigReference());
console.log('docs/configuration.md written');
