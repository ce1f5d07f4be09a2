import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { indexCompiled, isExtensionModule, requiredGlibc, wheelGlibc } from '../../../../src/bundle/compiled/glibc.js';
import { run } from '../../../support/run.js';
import { tempDir } from '../../../support/tmp.js';

/** Real shared objects, as auditwheel lays them out: an extension needing a vendored library that needs another. */
async function wheelLikeStage(): Promise<string> {
  const stage = tempDir('compiled-stage');
  mkdirSync(join(stage, 'pkg'));
  mkdirSync(join(stage, 'pkg.libs'));
  const cc = async (source: string, out: string, ...flags: string[]) => {
    const file = join(stage, `${out.replace(/\W/g, '_')}.c`);
    writeFileSync(file, source);
    const result = await run('gcc', ['-shared', '-fPIC', file, '-o', join(stage, out), ...flags]);
    assert.equal(result.status, 0, result.stderr);
  };
  const libs = join(stage, 'pkg.libs');
  await cc('int base(void) { return 1; }', 'pkg.libs/libbase-1a2b.so.1', '-Wl,-soname,libbase-1a2b.so.1');
  await cc('int base(void); int mid(void) { return base() + 1; }', 'pkg.libs/libmid-3c4d.so', '-Wl,-soname,libmid-3c4d.so', `-L${libs}`, '-l:libbase-1a2b.so.1');
  await cc('int mid(void); void *PyInit__ext(void) { return (void *)0 + mid(); }', 'pkg/_ext.cpython-311-x86_64-linux-gnu.so', `-L${libs}`, '-l:libmid-3c4d.so', '-lm');
  await cc('int missing(void); void *PyInit_pkg(void) { return (void *)0 + missing(); }', 'pkg/__init__.abi3.so');
  // Named like a module, but a library for ctypes: no init function.
  await cc('int base(void); int helper(void) { return base(); }', 'pkg/helper.so', `-L${libs}`, '-l:libbase-1a2b.so.1');
  return stage;
}

test('which compiled files are extension modules and which are libraries', () => {
  assert.ok(isExtensionModule('numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so'));
  assert.ok(isExtensionModule('_cffi_backend.cpython-311-x86_64-linux-gnu.so'));
  assert.ok(isExtensionModule('cryptography/hazmat/bindings/_rust.abi3.so'));
  assert.ok(isExtensionModule('pkg/plain.so'));
  // mypyc's shared runtime: a top-level module whose name starts with a digit.
  assert.ok(isExtensionModule('6ec57f84c680d3a3778b__mypyc.cpython-311-x86_64-linux-gnu.so'));
  assert.ok(!isExtensionModule('numpy.libs/libscipy_openblas64_-ff651d7f.so'));
  assert.ok(!isExtensionModule('pkg/libfoo.so.1'));
  assert.ok(!isExtensionModule('pkg/lib-foo.so'));
});

test('vendored libraries load before what needs them, dependencies first, matched by SONAME', async () => {
  const stage = await wheelLikeStage();
  const files = ['pkg/_ext.cpython-311-x86_64-linux-gnu.so', 'pkg/__init__.abi3.so', 'pkg/helper.so', 'pkg.libs/libmid-3c4d.so', 'pkg.libs/libbase-1a2b.so.1'];
  const index = indexCompiled([{ files }], (member) => readFileSync(join(stage, member)));
  assert.deepEqual(index.extensions, { 'pkg._ext': 'pkg/_ext.cpython-311-x86_64-linux-gnu.so', pkg: 'pkg/__init__.abi3.so' });
  assert.deepEqual(index.preload['pkg/_ext.cpython-311-x86_64-linux-gnu.so'], ['pkg.libs/libbase-1a2b.so.1', 'pkg.libs/libmid-3c4d.so']);
  assert.deepEqual(index.preload['pkg.libs/libmid-3c4d.so'], ['pkg.libs/libbase-1a2b.so.1']);
  // A library named like a module is not one, and gets its preload list for ctypes.
  assert.deepEqual(index.preload['pkg/helper.so'], ['pkg.libs/libbase-1a2b.so.1']);
  assert.equal(index.preload['pkg.libs/libbase-1a2b.so.1'], undefined);
  // libm is on every manylinux system; nothing is unresolved.
  assert.deepEqual(index.unresolved, {});
  assert.deepEqual(index.links, {}, 'no cycle, nothing to link');
});

test('libraries on a DT_NEEDED cycle are linked: each names where its copy names the others', async () => {
  const stage = tempDir('cycle');
  mkdirSync(join(stage, 'pkg.libs'));
  const [a, b] = ['libfirst-0f1e2d3c.so.1', 'libsecond-4b5a6978.so.1'];
  writeFileSync(join(stage, 'a.c'), 'int b(void);\nint a(void) { return b(); }\n');
  writeFileSync(join(stage, 'b.c'), 'int a(void);\nint b(void) { return 1; }\nint c(void) { return a(); }\n');
  const lib = (source: string, soname: string, needs?: string) =>
    execFileSync('gcc', ['-shared', '-fPIC', '-o', join(stage, 'pkg.libs', soname), join(stage, source), `-Wl,-soname,${soname}`,
      ...(needs ? [`-L${join(stage, 'pkg.libs')}`, `-l:${needs}`] : [])]);
  lib('b.c', b);
  lib('a.c', a, b);
  lib('b.c', b, a);
  const files = [`pkg.libs/${a}`, `pkg.libs/${b}`];
  const bytes = new Map(files.map((f) => [f, readFileSync(join(stage, f))]));
  const index = indexCompiled([{ files }], (member) => bytes.get(member)!);
  assert.deepEqual(Object.keys(index.links).sort(), files);
  for (const [member, links] of Object.entries(index.links)) {
    const other = files.find((f) => f !== member)!;
    assert.ok(links.length >= 1 && links.every(([, , target]) => target === other), `${member} links only ${other}`);
    for (const [offset, length] of links) assert.equal(bytes.get(member)!.toString('latin1', offset, offset + length + 1), `${other.split('/')[1]}\0`);
  }
});

test('a wheel promises the oldest glibc among its manylinux tags; one built here promises nothing', () => {
  assert.equal(wheelGlibc(['cp311-cp311-manylinux_2_17_x86_64', 'cp311-cp311-manylinux2014_x86_64']), '2.17');
  assert.equal(wheelGlibc(['cp36-abi3-manylinux2010_x86_64.manylinux_2_12_x86_64.manylinux_2_28_x86_64']), '2.12');
  assert.equal(wheelGlibc(['cp311-abi3-manylinux_2_34_x86_64']), '2.34');
  assert.equal(wheelGlibc(['cp311-cp311-linux_x86_64']), undefined);
  assert.equal(wheelGlibc([]), undefined);
});

test('the binary needs the newest of the launcher floor and every wheel, and says which set it', () => {
  assert.deepEqual(requiredGlibc('2.34', [{ name: 'numpy', tags: ['cp311-cp311-manylinux_2_27_x86_64'], files: [] }]), {
    version: '2.34',
    decidedBy: 'the launcher',
  });
  assert.deepEqual(
    requiredGlibc('2.17', [
      { name: 'numpy', tags: ['cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64'], files: [] },
      { name: 'cryptography', tags: ['cp311-abi3-manylinux_2_34_x86_64'], files: [] },
    ]),
    { version: '2.34', decidedBy: 'cryptography (a manylinux_2_34 wheel)' },
  );
  // Built here from an sdist: the GLIBC versions its files need decide.
  const ls = readFileSync('/bin/ls');
  const local = requiredGlibc('2.2.5', [{ name: 'local', tags: ['cp311-cp311-linux_x86_64'], files: [ls] }]);
  assert.equal(local.decidedBy, 'local (its compiled files)');
  assert.notEqual(local.version, '2.2.5');
});
