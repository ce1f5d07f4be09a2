import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { LIBRARIES, PYTHONS } from '../../src/toolchain/recipes.js';
import { METADATA_FILE } from '../../src/toolchain/metadata.js';
import { TEST_PYTHONS, testToolchain } from '../support/toolchain.js';
import { linkedLibraries } from '../../src/toolchain/plan.js';
import { targetByTriple } from '../../src/toolchain/targets.js';
import { selectPython } from '../../src/toolchain/versions.js';

const BUILD_TIMEOUT = 30 * 60_000;

for (const python of TEST_PYTHONS) {
  describe(`toolchain for CPython ${python}`, { timeout: BUILD_TIMEOUT }, () => {
    test('is built from the verified sources and laid out as documented', async () => {
      const toolchain = await testToolchain(python);
      const recipe = PYTHONS.find((p) => p.version === toolchain.metadata.python);
      assert.ok(recipe, `metadata names a pinned version: ${toolchain.metadata.python}`);
      assert.ok(recipe.version.startsWith(`${python}.`));

      const metadata = JSON.parse(readFileSync(join(toolchain.dir, METADATA_FILE), 'utf8'));
      assert.equal(metadata.target, 'x86_64-linux-musl');
      assert.match(metadata.recipeHash, /^[0-9a-f]{64}$/);
      assert.deepEqual(
        metadata.components.map((c: { name: string }) => c.name),
        ['cpython', ...linkedLibraries(recipe, targetByTriple('x86_64-linux-musl'))],
      );
      for (const component of metadata.components) assert.match(component.sha256, /^[0-9a-f]{64}$/, component.name);
      for (const module of [...recipe.requiredModules, 'sys', 'builtins']) {
        assert.ok(metadata.builtinModules.includes(module), `${module} is built in`);
      }
      // Profile-guided: the training run left a profile for the objects it ran (core, eval loop, _json, _sre...).
      assert.equal(metadata.profile.workload, 'pgo-workload.py');
      assert.ok(metadata.profile.objects > 100, `${metadata.profile.objects} objects profiled`);
    });

    test('the launcher is a stripped static ELF: no PT_INTERP, no DT_NEEDED', async () => {
      const toolchain = await testToolchain(python);
      const launcher = join(toolchain.dir, toolchain.metadata.launcher);
      assert.equal(statSync(launcher).mode & 0o111, 0o111);
      const headers = execFileSync('readelf', ['-lW', launcher], { encoding: 'utf8' });
      assert.match(headers, /LOAD/);
      assert.doesNotMatch(headers, /INTERP/);
      assert.doesNotMatch(execFileSync('readelf', ['-dW', launcher], { encoding: 'utf8' }), /NEEDED/);
      assert.doesNotMatch(execFileSync('readelf', ['-SW', launcher], { encoding: 'utf8' }), /\.symtab|\.debug_/);
      // The 1 MiB thread stack request travels in PT_GNU_STACK's size.
      const stack = headers.split('\n').find((l) => l.includes('GNU_STACK')) ?? '';
      assert.match(stack, /0x100000/);
    });

    test('ships a sourceless stdlib without tests, pip, and every license', async () => {
      const toolchain = await testToolchain(python);
      const stdlib = join(toolchain.dir, toolchain.metadata.stdlib);
      assert.ok(existsSync(join(stdlib, 'json', '__init__.pyc')));
      assert.ok(!existsSync(join(stdlib, 'json', '__init__.py')), 'no sources');
      for (const excluded of ['test', 'idlelib', 'tkinter', 'turtledemo', 'ensurepip', 'lib2to3']) {
        assert.ok(!existsSync(join(stdlib, excluded)), `${excluded} is left out`);
      }
      assert.ok(readdirSync(stdlib).some((f) => /^_sysconfigdata_.*\.pyc$/.test(f)), 'sysconfig data is there');
      const sysconfig = readFileSync(join(stdlib, readdirSync(stdlib).find((f) => f.startsWith('_sysconfigdata_'))!));
      assert.ok(!sysconfig.includes(Buffer.from('/scratch/')), 'no scratch build paths leak into the stdlib');
      assert.match(toolchain.metadata.pipWheel, /^lib\/wheels\/pip-.*\.whl$/);
      assert.ok(existsSync(join(toolchain.dir, toolchain.metadata.pipWheel)));

      const licenses = readdirSync(join(toolchain.dir, 'licenses'));
      const recipe = PYTHONS.find((p) => p.version === toolchain.metadata.python)!;
      const linked = linkedLibraries(recipe, targetByTriple('x86_64-linux-musl'));
      for (const name of ['cpython', 'cpython-incorporated-software', 'expat', ...linked]) {
        assert.ok(licenses.includes(`${name}.txt`), `license of ${name}`);
      }
      for (const name of linked) {
        assert.ok(readFileSync(join(toolchain.dir, 'licenses', `${name}.txt`), 'utf8').trim().length > 0, `license of ${name} is not empty`);
      }
      // A licence is shipped for each library the launcher links, and for none it does not (3.13+ bundle mimalloc themselves).
      const unlinked = licenses.filter((file) => {
        const owner = Object.keys(LIBRARIES).find((name) => file === `${name}.txt` || file.startsWith(`${name}-`));
        return owner !== undefined && !linked.includes(owner as (typeof linked)[number]);
      });
      assert.deepEqual(unlinked, [], `licences of libraries not linked: ${licenses.join(', ')}`);
      assert.match(readFileSync(join(toolchain.dir, 'licenses', 'openssl.txt'), 'utf8'), /Apache License/);
      if (python !== '3.11') {
        assert.match(readFileSync(join(toolchain.dir, 'licenses', 'cpython-incorporated-software.txt'), 'utf8'), /mimalloc/, 'the allocator 3.13+ links in');
      }
    });

    const bundlesMimalloc = !selectPython(python).mallocReplacement && `CPython ${python} bundles mimalloc: musl's malloc stays beneath it`;
    test('the static launcher allocates with mimalloc where CPython does not bundle it', { skip: bundlesMimalloc }, async () => {
      const toolchain = await testToolchain(python);
      // mimalloc reports its options at start-up when asked: only the linked-in allocator can answer.
      const result = spawnSync(join(toolchain.dir, 'bin', 'pybin-launcher'), ['-c', 'b = bytearray(1 << 20); print(len(b))'], {
        encoding: 'utf8',
        env: { MIMALLOC_VERBOSE: '1' },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.trim(), String(1 << 20));
      assert.match(result.stderr, /mimalloc: option 'show_errors'/);
    });

    test('bin/python3 is the launcher in interpreter mode on the on-disk stdlib', async () => {
      const toolchain = await testToolchain(python);
      const out = execFileSync(join(toolchain.dir, 'bin', 'python3'), ['-c', 'import sys, ssl; print(sys.version.split()[0], sys.prefix)'], {
        encoding: 'utf8',
      });
      assert.equal(out.trim(), `${toolchain.metadata.python} ${toolchain.dir}`);
    });
  });
}
