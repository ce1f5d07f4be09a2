import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { sha256 } from '../../src/plumbing/hash.js';
import { findOnPath } from '../../src/toolchain/compiler.js';
import { buildApp, buildScript } from '../support/app.js';
import { buildBinary, pybin } from '../support/cli.js';
import { buildCorpusApp, loadCorpus, pipEnv } from '../support/corpus.js';
import { CROSS_SKIP } from '../support/cross.js';
import { cycloneDxErrors, normalizeDistName, pybinProperties, pypiComponents, sha256Of, type CdxDocument } from '../support/cyclonedx.js';
import { findRealPython, type RealPython } from '../support/real-python.js';
import { run, type RunResult } from '../support/run.js';
import { tempDir } from '../support/tmp.js';
import { TEST_PYTHONS, testToolchain } from '../support/toolchain.js';
import { cachedVenv } from '../support/venv.js';

/**
 * Issue 22: every binary carries its CycloneDX SBOM and license notices
 * (.pybin/ in its ZIP), the build writes both beside it, and `pybin inspect`
 * reads a binary without running it. Checked against independent sources:
 * the CycloneDX 1.6 schema, a venv of the same pins (`pip list`, its
 * .dist-info license files), the wheels `pip download` fetches, sha256sum.
 */
const TIMEOUT = 30 * 60_000;
const NEWEST = TEST_PYTHONS[0]!;
const HAS_311 = TEST_PYTHONS.includes('3.11');
const NO_311 = 'CPython 3.11 is not among PYBIN_TEST_PYTHONS (the corpus pins and examples/stats\' wheels exist for cp311 only)';
const SBOM_ENTRY = '.pybin/sbom.cdx.json';
const NOTICES_ENTRY = '.pybin/notices.txt';
const SPHINX = loadCorpus().find((a) => a.name === 'sphinx')!;

/** A promise made once, on first use: builds shared by several tests. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

const readText = (file: string) => readFileSync(file, 'utf8');
const parse = (json: string) => JSON.parse(json) as CdxDocument;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `pybin inspect ARGS`, which must succeed and print nothing on stderr. */
async function inspect(args: string[]): Promise<string> {
  const result = await pybin(['inspect', ...args]);
  assert.equal(result.status, 0, `pybin inspect ${args.join(' ')}: ${result.stderr}`);
  assert.equal(result.stderr, '');
  return result.stdout;
}

interface InspectJson {
  file: string;
  app: { name: string; version?: string };
  pybinVersion: string;
  build: Record<string, string>;
  binary: { size: number; sha256: string };
  launcher: { size: number; sha256: string };
  zip: { size: number; sha256: string; entries: number };
  toolchain: { name: string; version: string; licenses: string[]; purl: string; sha256: string }[];
  distributions: { name: string; version: string; licenses: string[]; purl: string; sha256?: string }[];
}

const inspectJson = async (binary: string) => JSON.parse(await inspect(['--json', binary])) as InspectJson;

/** Any real CPython, to read ZIPs with zipfile as an independent reader. */
const realPython = (): RealPython | undefined => findRealPython('3.11') ?? findRealPython('3.13');

/** One ZIP entry of a binary, read by CPython's zipfile (which finds a ZIP after a prefix on its own). */
async function zipEntryByPython(python: RealPython, binary: string, name: string): Promise<string> {
  const script = 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))';
  const result = await run(python.path, ['-I', '-c', script, binary, name]);
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

/** The names of a binary's ZIP entries, by CPython's zipfile. */
async function zipNames(python: RealPython, binary: string): Promise<string[]> {
  const result = await run(python.path, ['-I', '-c', 'import json, sys, zipfile; print(json.dumps(zipfile.ZipFile(sys.argv[1]).namelist()))', binary]);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as string[];
}

/** The ZIP entries two binaries hold differently (content, date, attributes, presence), by CPython's zipfile: for a failure message. */
async function differingEntries(a: string, b: string): Promise<string> {
  const python = realPython();
  if (!python) return '(no real CPython to list them)';
  const script = [
    'import sys, zipfile',
    'za, zb = (zipfile.ZipFile(p) for p in sys.argv[1:3])',
    'ia, ib = ({i.filename: i for i in z.infolist()} for z in (za, zb))',
    'same = lambda n: (za.read(n), ia[n].date_time, ia[n].external_attr) == (zb.read(n), ib[n].date_time, ib[n].external_attr)',
    'print(" ".join(sorted(n for n in set(ia) | set(ib) if n not in ia or n not in ib or not same(n))))',
  ].join('\n');
  const result = await run(python.path, ['-I', '-c', script, a, b]);
  return result.status === 0 ? result.stdout.trim() || '(none: the bytes between differ)' : result.stderr;
}

/** Write a ZIP of `files` (name -> text) with CPython's zipfile: a ZIP pybin did not write. */
async function writeForeignZip(python: RealPython, path: string, files: Record<string, string>): Promise<void> {
  const script = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    for n, t in json.loads(sys.argv[2]).items(): z.writestr(n, t)';
  const result = await run(python.path, ['-I', '-c', script, path, JSON.stringify(files)]);
  assert.equal(result.status, 0, result.stderr);
}

/** The build's toolchain launcher: the bytes the binary must start with. */
async function launcherOf(python: string, target?: string): Promise<Buffer> {
  const toolchain = await testToolchain(python, target);
  return readFileSync(join(toolchain.dir, toolchain.metadata.launcher));
}

/** The document beside the binary, without what only it can carry: what must be inside the binary. */
function insideForm(beside: CdxDocument): CdxDocument {
  const doc = structuredClone(beside);
  delete doc.metadata.component.hashes;
  doc.metadata.component.components = (doc.metadata.component.components ?? []).filter((c) => c.name !== 'app.zip');
  return doc;
}

/** The beside SBOM's own hashes: of the binary, of its launcher part, of its ZIP part. */
function assertBinaryHashes(doc: CdxDocument, binary: string, launcher: Buffer): void {
  const bytes = readFileSync(binary);
  assert.ok(bytes.subarray(0, launcher.length).equals(launcher), 'the binary starts with the toolchain\'s launcher');
  const root = doc.metadata.component;
  assert.equal(sha256Of(root), sha256(bytes), 'metadata.component: the binary\'s sha256');
  const part = (name: string) => root.components?.find((c) => c.name === name);
  assert.equal(part('launcher')?.type, 'file');
  assert.equal(sha256Of(part('launcher')!), sha256(launcher), 'the launcher file component');
  assert.equal(part('app.zip')?.type, 'file');
  assert.equal(sha256Of(part('app.zip')!), sha256(bytes.subarray(launcher.length)), 'the app.zip file component: the bytes after the launcher');
}

/** Exactly one line of stderr, `pybin: error: ...`, with no stack trace. */
function assertOneLineError(result: RunResult, status: number, message: RegExp): void {
  assert.equal(result.status, status, `exit ${status}: ${result.stderr}`);
  assert.equal(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^pybin: error: /);
  assert.match(lines[0]!, message);
  assert.doesNotMatch(result.stderr, /^\s+at |internal error|Error:/m, 'no stack trace');
}

describe(`the SBOM and notices of a real app: sphinx (corpus pins), CPython 3.11`, { timeout: TIMEOUT, skip: HAS_311 ? false : NO_311 }, () => {
  const sphinx = once(async () => {
    const built = await buildCorpusApp(SPHINX, '3.11');
    assert.ok(built.ok, `pybin build of sphinx failed: ${built.ok ? '' : built.reason}\n${built.result.stderr}`);
    return built.binary;
  });
  /** The venv of the same pins, and what `pip list` shows in it (without what every venv brings): normalized name -> [name, version]. */
  const venv = once(async () => {
    const toolchain = await testToolchain('3.11');
    const real = findRealPython('3.11', toolchain.metadata.python);
    if (!real) return undefined;
    const dir = await cachedVenv(real, SPHINX.name, [...SPHINX.requirements].sort());
    const python = join(dir, 'bin', 'python');
    const listed = await run(python, ['-m', 'pip', 'list', '--format', 'json'], { env: pipEnv() });
    assert.equal(listed.status, 0, listed.stderr);
    const dists = new Map<string, [string, string]>();
    for (const { name, version } of JSON.parse(listed.stdout) as { name: string; version: string }[]) {
      if (!['pip', 'setuptools', 'wheel'].includes(normalizeDistName(name))) dists.set(normalizeDistName(name), [name, version]);
    }
    return { real, python, dists };
  });
  const NO_VENV = 'no real CPython 3.11 (not a shim) to make the venv of the same pins with: set PYBIN_REAL_PYTHON_3_11';

  test('(a) the SBOM beside the binary, from inspect --sbom and from the ZIP entry validate against CycloneDX 1.6; the validator does reject broken ones', async () => {
    const binary = await sphinx();
    const beside = readText(`${binary}.cdx.json`);
    const texts: [string, string][] = [
      ['BIN.cdx.json', beside],
      ['pybin inspect --sbom', await inspect(['--sbom', binary])],
    ];
    const python = realPython();
    if (python) texts.push([`${SBOM_ENTRY} read by ${python.path} zipfile`, await zipEntryByPython(python, binary, SBOM_ENTRY)]);
    if (findOnPath('unzip', process.env.PATH ?? '')) {
      // unzip warns (exit 1) about the launcher before the ZIP, and still extracts.
      const unzipped = await run('unzip', ['-p', binary, SBOM_ENTRY]);
      assert.ok(unzipped.status === 0 || unzipped.status === 1, unzipped.stderr);
      texts.push([`${SBOM_ENTRY} by unzip -p`, unzipped.stdout]);
    }
    assert.ok(texts.length >= 3, 'the ZIP entry was read by Python\'s zipfile or unzip');
    for (const [label, text] of texts) {
      assert.equal(await cycloneDxErrors(text), undefined, `${label} is valid CycloneDX 1.6`);
      const doc = parse(text);
      assert.equal(doc.bomFormat, 'CycloneDX');
      assert.equal(doc.specVersion, '1.6');
    }
    // The validator can say no: a component without a name, another bomFormat, a hash that is no SHA-256.
    const nameless = parse(beside);
    delete (nameless.components[0] as { name?: string }).name;
    assert.match((await cycloneDxErrors(JSON.stringify(nameless))) ?? 'valid', /name/);
    const other = parse(beside);
    other.bomFormat = 'SPDX';
    assert.match((await cycloneDxErrors(JSON.stringify(other))) ?? 'valid', /bomFormat/);
    const badHash = parse(beside);
    badHash.metadata.component.hashes![0]!.content = 'not-a-sha256';
    assert.notEqual(await cycloneDxErrors(JSON.stringify(badHash)), undefined, 'a hash content that is not hex is rejected');

    // Inside: the same document, without the hashes of the file it is in.
    const [, fromZip] = texts[2]!;
    assert.deepEqual(parse(fromZip), insideForm(parse(beside)));
    assert.equal(parse(fromZip).metadata.component.hashes, undefined);
    assertBinaryHashes(parse(beside), binary, await launcherOf('3.11'));
    assert.equal(parse(beside).metadata.timestamp, undefined, 'no SOURCE_DATE_EPOCH: no timestamp');
  });

  test('(b) every distribution `pip list` shows in a venv of the same pins is a pkg:pypi component, same version; the app itself is metadata.component', async (t) => {
    const [binary, seen] = [await sphinx(), await venv()];
    if (!seen) return t.skip(NO_VENV);
    const doc = parse(readText(`${binary}.cdx.json`));
    const components = pypiComponents(doc);
    const listed = [...seen.dists].map(([key, [, version]]) => `${key}==${version}`).sort();
    const inSbom = [...components].map(([key, c]) => `${key}==${c.version}`).sort();
    assert.ok(listed.length >= 15, `sphinx brings its dependencies: ${listed.join(' ')}`);
    assert.deepEqual(inSbom, listed);
    for (const [key, c] of components) {
      assert.equal(c.purl, `pkg:pypi/${key}@${c.version}`);
      assert.equal(normalizeDistName(c.name), key);
      assert.equal(c.type, 'library');
    }
    assert.ok(!components.has('corpus-sphinx'), 'the app\'s own distribution is not a dependency');
    assert.equal(doc.metadata.component.type, 'application');
    assert.equal(doc.metadata.component.name, SPHINX.script, 'the app, by its binary\'s --name');
    assert.equal(doc.metadata.component.version, '0', 'corpus-sphinx\'s version (its pyproject says 0)');
    // The app depends on every component.
    const rootRef = doc.metadata.component['bom-ref']!;
    const dependsOn = new Set(doc.dependencies?.find((d) => d.ref === rootRef)?.dependsOn ?? []);
    for (const c of doc.components) assert.ok(dependsOn.has(c['bom-ref']!), `${rootRef} depends on ${c['bom-ref']}`);
  });

  test('(c) each pkg:pypi component\'s SHA-256 is that of the wheel pip downloads for that name and version', async (t) => {
    const binary = await sphinx();
    const toolchain = await testToolchain('3.11');
    const real = findRealPython('3.11', toolchain.metadata.python);
    if (!real) return t.skip('no real CPython 3.11 to run `pip download` with: set PYBIN_REAL_PYTHON_3_11');
    const components = [...pypiComponents(parse(readText(`${binary}.cdx.json`)))];
    const dir = tempDir('wheels');
    const fetched = await run(real.path, ['-m', 'pip', 'download', '-q', '--no-deps', '-d', dir, ...components.map(([key, c]) => `${key}==${c.version}`)], {
      env: pipEnv(),
      timeoutMs: 10 * 60_000,
    });
    if (fetched.status !== 0) return t.skip(`pip download cannot fetch the wheels here: ${fetched.stderr.trim().split('\n').at(-1)}`);
    /** normalized name -> the sha256 of every wheel of its version found. */
    const wheels = new Map<string, Set<string>>();
    const collect = (from: string) => {
      for (const file of readdirSync(from).filter((f) => f.endsWith('.whl'))) {
        const key = normalizeDistName(file.split('-')[0]!);
        wheels.set(key, (wheels.get(key) ?? new Set()).add(sha256(readFileSync(join(from, file)))));
      }
    };
    collect(dir);
    // The static target may pick another wheel of the same release than this host's pip (a pure or musllinux one): fetch those too.
    for (const [key, c] of components) {
      if (wheels.get(key)?.has(sha256Of(c) ?? '')) continue;
      for (const platform of ['any', 'musllinux_1_2_x86_64', 'manylinux_2_28_x86_64']) {
        const alt = tempDir('wheels-alt');
        const args = ['-m', 'pip', 'download', '-q', '--no-deps', '-d', alt, '--only-binary=:all:', '--python-version', '3.11', '--implementation', 'cp', '--platform', platform, `${key}==${c.version}`];
        if ((await run(real.path, args, { env: pipEnv(), timeoutMs: 5 * 60_000 })).status === 0) collect(alt);
      }
    }
    assert.ok(components.length > 0);
    for (const [key, c] of components) {
      const hash = sha256Of(c);
      assert.match(hash ?? '', /^[0-9a-f]{64}$/, `${c.purl} has a SHA-256`);
      assert.ok(wheels.has(key), `pip downloaded a wheel of ${key}`);
      assert.ok(wheels.get(key)!.has(hash!), `${c.purl}: ${hash} is the sha256 of one of its wheels (${[...wheels.get(key)!].join(', ')})`);
    }
  });

  test('(d) the notices hold each distribution\'s license files from its .dist-info, and the toolchain\'s licenses', async (t) => {
    const binary = await sphinx();
    const notices = readText(`${binary}.notices.txt`);
    // The interpreter's: CPython's and OpenSSL's texts, as the toolchain ships them.
    assert.match(notices, /PYTHON SOFTWARE FOUNDATION LICENSE/);
    assert.match(notices, /Apache License\s+Version 2\.0, January 2004/);
    const toolchain = await testToolchain('3.11');
    const licenses = join(toolchain.dir, 'licenses');
    const toolchainFiles = readdirSync(licenses).filter((f) => f.endsWith('.txt'));
    assert.ok(toolchainFiles.length >= 2, `the toolchain ships license files: ${toolchainFiles.join(' ')}`);
    for (const file of toolchainFiles) assert.ok(notices.includes(readText(join(licenses, file)).trim()), `the notices hold the toolchain's licenses/${file}`);

    const seen = await venv();
    if (!seen) return t.skip(NO_VENV);
    // Each distribution's license files, as the venv's RECORDs list them in the .dist-info (or its licenses/).
    const script = [
      'import importlib.metadata as m, json, re',
      'like = re.compile(r"^(licen[cs]e|copying|notice)", re.I)',
      'out = {}',
      'for d in m.distributions():',
      '    files = [f for f in d.files or [] if f.parts[0].endswith(".dist-info") and ((len(f.parts) > 2 and f.parts[1] == "licenses") or (len(f.parts) == 2 and like.match(f.parts[1])))]',
      '    out[d.metadata["Name"]] = [[str(f), d.locate_file(f).read_text(encoding="utf-8")] for f in files]',
      'print(json.dumps(out))',
    ].join('\n');
    const listed = await run(seen.python, ['-I', '-c', script]);
    assert.equal(listed.status, 0, listed.stderr);
    const files = JSON.parse(listed.stdout) as Record<string, [string, string][]>;
    let count = 0;
    for (const [name, shipped] of Object.entries(files)) {
      const entry = seen.dists.get(normalizeDistName(name));
      if (!entry) continue; // pip, setuptools
      const [, version] = entry;
      assert.match(notices, new RegExp(`^${escape(name)} ${escape(version)} \\(`, 'm'), `a section for ${name} ${version}`);
      if (shipped.length === 0) assert.match(notices, new RegExp(`No license file is shipped with ${escape(name)};`), `${name} ships no license file, and the notices say so`);
      for (const [path, text] of shipped) {
        count++;
        assert.ok(notices.includes(text.trim()), `the notices hold ${name}'s ${path}`);
      }
    }
    assert.ok(count >= 10, `most of sphinx's distributions ship license files (${count})`);
  });

  test('(e) inspect: --sbom and --notices are the files beside the binary, byte for byte; --json and the text say what was built', async (t) => {
    const binary = await sphinx();
    const toolchain = await testToolchain('3.11');
    assert.ok(Buffer.from(await inspect(['--sbom', binary])).equals(readFileSync(`${binary}.cdx.json`)), '--sbom is BIN.cdx.json');
    const notices = await inspect(['--notices', binary]);
    assert.ok(Buffer.from(notices).equals(readFileSync(`${binary}.notices.txt`)), '--notices is BIN.notices.txt');
    const python = realPython();
    if (python) assert.equal(await zipEntryByPython(python, binary, NOTICES_ENTRY), notices, `${NOTICES_ENTRY} in the ZIP is the same`);

    const json = await inspectJson(binary);
    const size = statSync(binary).size;
    const launcher = await launcherOf('3.11');
    assert.equal(json.file, binary);
    assert.deepEqual(json.app, { name: SPHINX.script, version: '0' });
    assert.equal(json.build.python, toolchain.metadata.python);
    assert.equal(json.build.target, 'x86_64-linux-musl');
    assert.equal(json.build.entry, 'sphinx.cmd.build:main');
    assert.equal(json.build['requires-glibc'], undefined);
    assert.equal(json.build['recipe-hash'], toolchain.metadata.recipeHash);
    assert.deepEqual(json.binary, { size, sha256: sha256(readFileSync(binary)) });
    assert.deepEqual(json.launcher, { size: launcher.length, sha256: sha256(launcher) });
    assert.equal(json.zip.size, size - launcher.length);
    assert.equal(json.zip.sha256, sha256(readFileSync(binary).subarray(launcher.length)));
    if (python) assert.equal(json.zip.entries, (await zipNames(python, binary)).length, 'as many entries as zipfile lists');
    assert.deepEqual(json.toolchain.map((p) => `${p.name} ${p.version}`).sort(), toolchain.metadata.components.map((c) => `${c.name} ${c.version}`).sort());
    assert.ok(json.toolchain.every((p) => p.purl === `pkg:generic/${p.name}@${p.version}` && /^[0-9a-f]{64}$/.test(p.sha256)));
    assert.deepEqual(json.toolchain.find((p) => p.name === 'cpython')?.licenses, ['PSF-2.0']);

    const text = await inspect([binary]);
    assert.match(text, /^ {2}target +x86_64-linux-musl, static: runs on any Linux$/m);
    assert.match(text, new RegExp(`^ {2}python +${escape(toolchain.metadata.python)}$`, 'm'));
    assert.match(text, /entry sphinx\.cmd\.build:main/);
    assert.match(text, new RegExp(`sha256 ${sha256(readFileSync(binary))}`));

    const seen = await venv();
    if (!seen) return t.skip(NO_VENV);
    assert.equal(json.distributions.length, seen.dists.size);
    assert.match(text, new RegExp(`Python distributions \\(${seen.dists.size}\\)`));
    for (const [name, version] of seen.dists.values()) {
      assert.match(text, new RegExp(`^ {4}${escape(name)} ${escape(version)} `, 'mi'), `the text names ${name} ${version}`);
      assert.ok(json.distributions.some((d) => normalizeDistName(d.name) === normalizeDistName(name) && d.version === version), `--json lists ${name} ${version}`);
    }
  });

  test('(f) SHA256SUMS lists the binary, its .cdx.json and .notices.txt as sha256sum does', async (t) => {
    const binary = await sphinx();
    if (!findOnPath('sha256sum', process.env.PATH ?? '')) return t.skip('sha256sum (coreutils) is not installed');
    const out = dirname(binary);
    const names = [basename(binary), `${basename(binary)}.cdx.json`, `${basename(binary)}.notices.txt`];
    const summed = await run('sha256sum', names, { cwd: out });
    assert.equal(summed.status, 0, summed.stderr);
    const lines = (text: string) => text.trim().split('\n').sort();
    assert.deepEqual(lines(readText(join(out, 'SHA256SUMS'))), lines(summed.stdout));
  });
});

describe(`reproducible SBOM and notices (a pyproject app with a dependency, CPython ${NEWEST})`, { timeout: TIMEOUT }, () => {
  const EPOCH = '1700000000';
  /** A fresh copy of a small pyproject app that depends on idna, at a new path. */
  function appCopy(): string {
    const dir = join(tempDir('repro'), 'reproapp');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'pyproject.toml'),
      [
        '[build-system]',
        'requires = ["setuptools>=61"]',
        'build-backend = "setuptools.build_meta"',
        '',
        '[project]',
        'name = "repro-app"',
        'version = "1.2.3"',
        'dependencies = ["idna"]',
        '',
        '[project.scripts]',
        'repro = "reproapp:main"',
        '',
        '[tool.setuptools]',
        'py-modules = ["reproapp"]',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'reproapp.py'), 'import idna\n\ndef main():\n    print(idna.encode("bücher.example").decode())\n');
    return dir;
  }
  const envWith = (epoch?: string): NodeJS.ProcessEnv => {
    const env = pipEnv();
    delete env.SOURCE_DATE_EPOCH;
    return epoch ? { ...env, SOURCE_DATE_EPOCH: epoch } : env;
  };
  type Built = { binary: string; bytes: Buffer; sbom: string; notices: string };
  const built = (binary: string): Built => ({ binary, bytes: readFileSync(binary), sbom: readText(`${binary}.cdx.json`), notices: readText(`${binary}.notices.txt`) });
  /** A build from a fresh copy of the app at a new path, into a new --out dir. */
  const build = async (epoch?: string) => built(await buildApp(NEWEST, appCopy(), ['--name', 'repro'], envWith(epoch)));
  const assertSame = async (a: Built, b: Built) => {
    assert.notEqual(dirname(a.binary), dirname(b.binary));
    assert.equal(a.notices, b.notices, 'the .notices.txt files are identical');
    assert.deepEqual(insideForm(parse(a.sbom)), insideForm(parse(b.sbom)), 'the SBOMs are the same but for the binary\'s own hashes');
    if (!a.bytes.equals(b.bytes)) assert.fail(`the binaries differ; ZIP entries that differ: ${await differingEntries(a.binary, b.binary)}`);
    assert.equal(a.sbom, b.sbom, 'the .cdx.json files are identical');
    assert.equal(readText(join(dirname(a.binary), 'SHA256SUMS')), readText(join(dirname(b.binary), 'SHA256SUMS')));
  };

  test('two builds from one app dir into two --out dirs are byte-identical', async () => {
    const app = appCopy();
    const [a, b] = [await buildBinary(NEWEST, [app, '--name', 'repro', '--out', tempDir('out')], envWith()), await buildBinary(NEWEST, [app, '--name', 'repro', '--out', tempDir('out')], envWith())];
    await assertSame(built(a), built(b));
  });

  test('two builds from two copies at different paths into two --out dirs are byte-identical, with no timestamp', async () => {
    const [a, b] = [await build(), await build()];
    const doc = parse(a.sbom);
    assert.equal(doc.metadata.timestamp, undefined);
    assert.equal(parse(await inspect(['--sbom', a.binary])).metadata.timestamp, undefined);
    assert.equal(await cycloneDxErrors(a.sbom), undefined);
    assert.deepEqual([...pypiComponents(doc).keys()], ['idna']);
    assert.equal(doc.metadata.component.version, '1.2.3');
    const ran = await run(a.binary, []);
    assert.equal(ran.status, 0, ran.stderr);
    assert.equal(ran.stdout, 'xn--bcher-kva.example\n');
    await assertSame(a, b);
  });

  test(`with SOURCE_DATE_EPOCH=${EPOCH} both builds are dated 2023-11-14T22:13:20.000Z, and identical`, async () => {
    const [a, b] = [await build(EPOCH), await build(EPOCH)];
    for (const sbom of [a.sbom, b.sbom, await inspect(['--sbom', a.binary])]) assert.equal(parse(sbom).metadata.timestamp, '2023-11-14T22:13:20.000Z');
    const python = realPython();
    if (python) assert.equal(parse(await zipEntryByPython(python, a.binary, SBOM_ENTRY)).metadata.timestamp, '2023-11-14T22:13:20.000Z', 'inside too');
    assert.equal(await cycloneDxErrors(a.sbom), undefined);
    const undated = await build();
    assert.equal(parse(undated.sbom).metadata.timestamp, undefined);
    await assertSame(a, b);
  });
});

describe('the glibc target: examples/stats (numpy, orjson), CPython 3.11', { timeout: TIMEOUT, skip: HAS_311 ? false : NO_311 }, () => {
  test('the SBOM records target x86_64-linux-gnu, its glibc floor and numpy; inspect says which glibc it runs on', async () => {
    const binary = await buildApp('3.11', join(packageRoot(), 'examples', 'stats'), [], pipEnv());
    const sbom = readText(`${binary}.cdx.json`);
    assert.equal(await cycloneDxErrors(sbom), undefined);
    const doc = parse(sbom);
    const props = pybinProperties(doc);
    assert.equal(props.target, 'x86_64-linux-gnu');
    assert.match(props['requires-glibc'] ?? '', /^2\.\d+$/);
    const components = pypiComponents(doc);
    for (const name of ['numpy', 'orjson']) {
      const c = components.get(name);
      assert.ok(c, `${name} is a component`);
      assert.equal(c.purl, `pkg:pypi/${name}@${c.version}`);
      assert.match(sha256Of(c) ?? '', /^[0-9a-f]{64}$/, `${name}'s wheel hash`);
    }
    assertBinaryHashes(doc, binary, await launcherOf('3.11', 'x86_64-linux-gnu'));
    const json = await inspectJson(binary);
    assert.equal(json.build.target, 'x86_64-linux-gnu');
    assert.equal(json.build['requires-glibc'], props['requires-glibc']);
    const text = await inspect([binary]);
    assert.match(text, new RegExp(`^ {2}target +x86_64-linux-gnu, runs on glibc ${escape(props['requires-glibc']!)} or newer$`, 'm'));
    assert.match(text, /^ {4}numpy \d/m);
    assert.ok(Buffer.from(await inspect(['--sbom', binary])).equals(readFileSync(`${binary}.cdx.json`)));
  });
});

describe(`pybin inspect on an aarch64 binary built on this host (CPython ${NEWEST})`, { timeout: TIMEOUT, skip: CROSS_SKIP }, () => {
  test('target aarch64-linux-musl; its SBOM validates and is the one beside it', async () => {
    const binary = await buildScript(NEWEST, 'print("hello from aarch64")\n', 'hello', ['--target', 'aarch64-linux-musl']);
    assert.match(basename(binary), /-linux-aarch64$/);
    const json = await inspectJson(binary);
    assert.equal(json.build.target, 'aarch64-linux-musl');
    assert.match(json.build.python ?? '', new RegExp(`^${escape(NEWEST)}\\.`));
    assert.deepEqual(json.distributions, []);
    const sbom = await inspect(['--sbom', binary]);
    assert.equal(sbom, readText(`${binary}.cdx.json`));
    assert.equal(await cycloneDxErrors(sbom), undefined);
    assert.equal(pybinProperties(parse(sbom)).target, 'aarch64-linux-musl');
    assertBinaryHashes(parse(sbom), binary, await launcherOf(NEWEST, 'aarch64-linux-musl'));
    assert.match(await inspect([binary]), /^ {2}target +aarch64-linux-musl, static: runs on any Linux$/m);
  });
});

describe(`pybin inspect refuses what it cannot read (CPython ${NEWEST})`, { timeout: TIMEOUT }, () => {
  const hello = () => buildScript(NEWEST, 'print("hello from pybin")\n', 'hello');

  test('the hello binary still runs, and inspect reads it', async () => {
    const binary = await hello();
    const ran = await run(binary, []);
    assert.equal(ran.status, 0, ran.stderr);
    assert.equal(ran.stdout, 'hello from pybin\n');
    const json = await inspectJson(binary);
    assert.deepEqual(json.distributions, []);
    assert.equal(json.build.entry, '__main__.py');
    assert.match(await inspect(['--notices', binary]), /PYTHON SOFTWARE FOUNDATION LICENSE/);
  });

  test('usage errors exit 2 with one line: no binary, two binaries, two views', async () => {
    const binary = await hello();
    assertOneLineError(await pybin(['inspect']), 2, /binary/);
    assertOneLineError(await pybin(['inspect', binary, binary]), 2, /one binary/);
    assertOneLineError(await pybin(['inspect', '--json', '--sbom', binary]), 2, /--json.*--sbom/);
  });

  test('bad binaries: a one-line `pybin: error:`, exit 1, no stack trace', async (t) => {
    const binary = await hello();
    const dir = tempDir('inspect-bad');
    const file = (name: string, data: Buffer | string) => {
      writeFileSync(join(dir, name), data);
      return join(dir, name);
    };
    const refused = async (path: string, message: RegExp) => {
      for (const view of [[], ['--json'], ['--sbom']]) {
        const result = await pybin(['inspect', ...view, path]);
        assertOneLineError(result, 1, message);
        assert.ok(result.stderr.includes(path), `the message names ${path}`);
      }
    };
    const cases: { name: string; path: () => Promise<string | { skip: string }>; message: RegExp }[] = [
      { name: 'a missing file', path: async () => join(dir, 'missing'), message: /does not exist/ },
      { name: 'a directory', path: async () => dir, message: /is not a file/ },
      { name: 'a text file', path: async () => file('notes.txt', 'just some text\n'), message: /is not a pybin binary: it is not an ELF executable/ },
      { name: '/bin/true (an ELF, no ZIP)', path: async () => '/bin/true', message: /has no app appended: it was stripped or cut short/ },
      {
        name: 'a stripped copy',
        path: async () => {
          if (!findOnPath('strip', process.env.PATH ?? '')) return { skip: 'strip (binutils) is not installed' };
          const copy = join(dir, 'stripped');
          copyFileSync(binary, copy);
          const stripped = await run('strip', [copy]);
          assert.equal(stripped.status, 0, stripped.stderr);
          assert.ok(statSync(copy).size < statSync(binary).size, 'strip dropped the appended ZIP');
          return copy;
        },
        message: /has no app appended: it was stripped or cut short/,
      },
      {
        name: 'a binary cut in half',
        path: async () => {
          const bytes = readFileSync(binary);
          return file('half', bytes.subarray(0, Math.floor(bytes.length / 2)));
        },
        message: /has no app appended: it was stripped or cut short/,
      },
      {
        name: 'an ELF with a ZIP pybin did not write',
        path: async () => {
          const python = realPython();
          if (!python) return { skip: 'no real CPython to write the ZIP with' };
          const zip = join(dir, 'foreign.zip');
          await writeForeignZip(python, zip, { 'hello.txt': 'hello\n' });
          return file('foreign', Buffer.concat([readFileSync('/bin/true'), readFileSync(zip)]));
        },
        message: /is not a pybin binary: it ends in a ZIP, but not one pybin wrote/,
      },
      {
        name: 'an older pybin binary (its runtime, no .pybin/)',
        path: async () => {
          const python = realPython();
          if (!python) return { skip: 'no real CPython to write the ZIP with' };
          const zip = join(dir, 'older.zip');
          await writeForeignZip(python, zip, { '_pybin_boot.pyc': 'x', '__main__.py': 'print("old")\n' });
          return file('older', Buffer.concat([readFileSync('/bin/true'), readFileSync(zip)]));
        },
        message: /from a version that wrote no SBOM.*build it again/,
      },
      {
        name: 'a damaged binary: its SBOM entry is not JSON',
        path: async () => {
          const python = realPython();
          if (!python) return { skip: 'no real CPython to write the ZIP with' };
          const zip = join(dir, 'notjson.zip');
          await writeForeignZip(python, zip, { '_pybin_boot.pyc': 'x', [SBOM_ENTRY]: 'not json', [NOTICES_ENTRY]: 'notices\n' });
          return file('notjson', Buffer.concat([readFileSync('/bin/true'), readFileSync(zip)]));
        },
        message: /is not JSON: the binary is damaged/,
      },
      {
        name: 'a damaged binary: its SBOM entry\'s deflated bytes are overwritten',
        path: async () => {
          const python = realPython();
          if (!python) return { skip: 'no real CPython to find the entry with' };
          // Where the entry's data starts in the file (zipfile counts the launcher in header_offset).
          const script = [
            'import struct, sys, zipfile',
            'i = zipfile.ZipFile(sys.argv[1]).getinfo(sys.argv[2])',
            'assert i.compress_type == zipfile.ZIP_DEFLATED and i.compress_size > 100',
            'f = open(sys.argv[1], "rb"); f.seek(i.header_offset + 26); n, e = struct.unpack("<HH", f.read(4))',
            'print(i.header_offset + 30 + n + e)',
          ].join('\n');
          const found = await run(python.path, ['-I', '-c', script, binary, SBOM_ENTRY]);
          assert.equal(found.status, 0, found.stderr);
          const bytes = Buffer.from(readFileSync(binary));
          const start = Number(found.stdout.trim());
          bytes.fill(0xff, start + 5, start + 45);
          return file('damaged', bytes);
        },
        message: /damaged/,
      },
    ];
    for (const c of cases) {
      await t.test(c.name, async (t) => {
        const path = await c.path();
        if (typeof path !== 'string') return t.skip(path.skip);
        await refused(path, c.message);
      });
    }
  });
});
