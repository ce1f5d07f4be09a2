import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pybinBuild } from '../support/cli.js';
import { run } from '../support/run.js';
import { TEST_PYTHONS } from '../support/toolchain.js';
import { tempDir } from '../support/tmp.js';

/**
 * Real distributions that publish only manylinux wheels, installed through
 * pip's own configuration. This machine kind's wheel mirror holds compiled
 * wheels for cp311 only (PyPI has them for every version), so these run on 3.11.
 */
const python = TEST_PYTHONS.find((p) => p === '3.11');
const PIP_ENV = { ...process.env, PIP_RETRIES: '0', PIP_TIMEOUT: '3' };

const APP = `import markupsafe, yaml
print(yaml.safe_dump(yaml.safe_load("a: [1, 2]"), default_flow_style=True).strip())
print(markupsafe.escape("<b>&</b>"), yaml.__with_libyaml__)
`;

describe('manylinux-only wheels with pure fallbacks (CPython 3.11)', { timeout: 30 * 60_000, skip: python ? false : 'CPython 3.11 is not among PYBIN_TEST_PYTHONS' }, () => {
  test('pyyaml and markupsafe go in without their compiled modules, each named with what is lost', async () => {
    const app = tempDir('fallback-app');
    writeFileSync(join(app, '__main__.py'), APP);
    writeFileSync(join(app, 'requirements.txt'), 'pyyaml\nmarkupsafe\n');
    const out = tempDir('out');
    const built = await pybinBuild(python!, [app, '--name', 'fallback', '--out', out, '--smoke-test', ''], PIP_ENV);
    assert.equal(built.status, 0, built.stderr);
    assert.match(built.stderr, /warning: pyyaml: works without its compiled modules \(yaml\._yaml\).*lost: the libyaml C loader/);
    assert.match(built.stderr, /warning: markupsafe: works without its compiled modules \(markupsafe\._speedups\).*lost: the C implementation of escape\(\)/);
    const result = await run(join(out, 'fallback-linux-x86_64'), [], { env: {} });
    assert.equal(result.stdout, '{a: [1, 2]}\n&lt;b&gt;&amp;&lt;/b&gt; False\n', result.stderr);
  });

  test('the static target refuses a distribution that cannot work without its compiled module, before any binary is written', async () => {
    // Under --target auto such an app moves to the glibc target (test/e2e/compiled.test.ts); asked for musl, it is refused.
    const app = tempDir('native-app');
    writeFileSync(join(app, '__main__.py'), 'import orjson\n');
    writeFileSync(join(app, 'requirements.txt'), 'orjson\nmarkupsafe\n');
    const out = tempDir('out');
    const refused = await pybinBuild(python!, [app, '--name', 'native', '--out', out, '--target', 'x86_64-linux-musl'], PIP_ENV);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /target x86_64-linux-musl is a static binary, which cannot load compiled extension modules, and these distributions need theirs:\n\s+orjson: orjson\/orjson\.cpython-311-x86_64-linux-gnu\.so\n\s+without them: import orjson: /,
    );
    assert.match(refused.stderr, /Use --target x86_64-linux-gnu/);
    assert.doesNotMatch(refused.stderr, /\n\s+markupsafe: markupsafe\//, 'a distribution with a fallback is not refused');
    assert.ok(!existsSync(join(out, 'native-linux-x86_64')));
  });
});
