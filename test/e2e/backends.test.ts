import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { packageRoot } from '../../src/plumbing/package-root.js';
import { pybinBuild } from '../support/cli.js';
import { run } from '../support/run.js';
import { TEST_PYTHONS } from '../support/toolchain.js';

/**
 * pyproject apps built by the real build backends, which pip's build
 * isolation installs from the configured index (PyPI at GitHub, this machine
 * kind's wheel mirror here) and runs in a subprocess of the toolchain's
 * interpreter with PYTHONPATH pointing at them.
 */
const APPS = join(packageRoot(), 'test', 'fixtures', 'apps');
const PIP_ENV = { ...process.env, PIP_RETRIES: '0', PIP_TIMEOUT: '3' };

const BACKENDS = [
  { dir: 'backend-setuptools', binary: 'sttool', args: ['a', 'b'], expect: /^sttool\s+2\.0\.1\nargs\s+a b\n$/ },
  { dir: 'backend-hatchling', binary: 'hatchtool', args: ['bücher.example'], expect: /^hatchtool 0\.4\.0 xn--bcher-kva\.example\n$/ },
  { dir: 'backend-flit', binary: 'flittool', args: ['x'], expect: /^flittool 1\.1\.0 \['x'\]\n$/ },
  { dir: 'backend-poetry', binary: 'poetrytool', args: ['p', 'q'], expect: /^poetrytool 3\.2\.1 p q\n$/ },
];

for (const python of TEST_PYTHONS) {
  describe(`pyproject apps with index-installed build backends (CPython ${python})`, { timeout: 30 * 60_000 }, () => {
    for (const backend of BACKENDS) {
      test(backend.dir, async () => {
        // A copy: backends write build/ and *.egg-info into the project.
        const app = mkdtempSync(join(tmpdir(), `pybin-${backend.dir}-`));
        cpSync(join(APPS, backend.dir), app, { recursive: true });
        const out = mkdtempSync(join(tmpdir(), 'pybin-out-'));
        const built = await pybinBuild(python, [app, '--out', out, '--smoke-test', 'smoke'], PIP_ENV);
        assert.equal(built.status, 0, built.stderr);
        const binary = join(out, `${backend.binary}-linux-x86_64`);
        assert.ok(existsSync(binary), 'named after [project].name');
        const result = await run(binary, backend.args, { env: {} });
        assert.equal(result.stderr, '');
        assert.match(result.stdout, backend.expect);
      });
    }
  });
}
