// What the SBOM inside each corpus app's binary says (test/fixtures/corpus/corpus.json),
// built as a user builds it: how many components, how many licenses were
// derived as SPDX, kept as names or left unknown, and which distributions'
// licenses could not be derived. Prints figures; asserts nothing.
//
//   node --import tsx bench/sbom.ts [--apps flake8,black] [--python 3.11]
import { parseArgs } from 'node:util';
import { inspectBinary, type Part } from '../src/bundle/audit/inspect.js';
import { buildCorpusApp, loadCorpus } from '../test/support/corpus.js';
import { printTable } from './common.js';

const { values } = parseArgs({ options: { apps: { type: 'string' }, python: { type: 'string' } } });
const wanted = values.apps?.split(',');
const corpus = loadCorpus().filter((app) => !wanted || wanted.includes(app.name));

/** SPDX: an id or expression (what scanners match); a name: a classifier or text that names no single SPDX license. */
function kindOf(part: Part): 'spdx' | 'named' | 'unknown' {
  if (part.licenses.length === 0) return 'unknown';
  return part.licenses.every((l) => /^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*$/.test(l) && !l.includes(' License')) ? 'spdx' : 'named';
}

const rows: Record<string, Record<string, number | string>> = {};
const notDerived = new Map<string, Set<string>>();
for (const app of corpus) {
  const python = values.python ?? app.pythons[0]!;
  const built = await buildCorpusApp(app, python);
  if (!built.ok) {
    rows[`${app.name} ${python}`] = { built: `no: ${built.reason.slice(0, 60)}` };
    continue;
  }
  const { inspection } = inspectBinary(built.binary);
  const kinds = inspection.distributions.map(kindOf);
  rows[`${app.name} ${python}`] = {
    target: inspection.build.target ?? '',
    components: inspection.toolchain.length + inspection.distributions.length,
    distributions: inspection.distributions.length,
    'with wheel sha256': inspection.distributions.filter((d) => d.sha256).length,
    spdx: kinds.filter((k) => k === 'spdx').length,
    named: kinds.filter((k) => k === 'named').length,
    unknown: kinds.filter((k) => k === 'unknown').length,
  };
  for (const [i, dist] of inspection.distributions.entries()) {
    if (kinds[i] === 'spdx') continue;
    const key = `${dist.name} ${dist.version}: ${dist.licenses.join('; ') || 'unknown'}`;
    notDerived.set(key, (notDerived.get(key) ?? new Set()).add(app.name));
  }
}
printTable('SBOM of each corpus binary (toolchain components + distributions)', rows);
console.log('\nDistributions without an SPDX license (what their metadata gives), and the apps that bundle them:');
for (const [dist, apps] of [...notDerived].sort()) console.log(`  ${dist}   [${[...apps].join(', ')}]`);
