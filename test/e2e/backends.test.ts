import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

    test('a dependency published only as an sdist is built by its backend and goes in', async () => {
      // An sdist: the source tree of a setuptools project as name-version.tar.gz, in a find-links dir.
      const links = mkdtempSync(join(tmpdir(), 'pybin-sdists-'));
      const tree = join(mkdtempSync(join(tmpdir(), 'pybin-sdist-src-')), 'sdistonly-1.0');
      mkdirSync(join(tree, 'sdistonly'), { recursive: true });
      writeFileSync(join(tree, 'pyproject.toml'), '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "sdistonly"\nversion = "1.0"\n');
      writeFileSync(join(tree, 'sdistonly', '__init__.py'), 'MESSAGE = "built from an sdist"\n');
      execFileSync('tar', ['-czf', join(links, 'sdistonly-1.0.tar.gz'), '-C', join(tree, '..'), 'sdistonly-1.0']);
      const app = mkdtempSync(join(tmpdir(), 'pybin-sdist-app-'));
      writeFileSync(join(app, '__main__.py'), 'import sdistonly\nprint(sdistonly.MESSAGE)\n');
      writeFileSync(join(app, 'requirements.txt'), 'sdistonly==1.0\n');
      const out = mkdtempSync(join(tmpdir(), 'pybin-out-'));
      const built = await pybinBuild(python, [app, '--name', 'sdist', '--out', out], { ...PIP_ENV, PIP_FIND_LINKS: links });
      assert.equal(built.status, 0, built.stderr);
      const result = await run(join(out, 'sdist-linux-x86_64'), [], { env: {} });
      assert.equal(result.stdout, 'built from an sdist\n', result.stderr);
    });
  });
}
