// Real PyPI applications (test/fixtures/corpus/corpus.json), each built with
// `pybin build` as a user would and run side by side with the same pins in a
// venv of a real CPython of the same minor version: exit status, stdout,
// stderr and the files a command writes must be identical, up to what must
// differ (paths, the Python patch release, timings). One command per app also
// runs in an empty chroot.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  binarySide,
  buildCorpusApp,
  chrootEnv,
  chrootFiles,
  declaredRequirements,
  describeCommand,
  differences,
  distributions,
  loadCorpus,
  notOn,
  runCommand,
  outcome,
  runLikeChroot,
  venvSide,
} from '../support/corpus.js';
import { inChroot } from '../support/chroot.js';
import { findRealPython } from '../support/real-python.js';
import { testToolchain, TEST_PYTHONS } from '../support/toolchain.js';

const CORPUS = loadCorpus();

test('the corpus: every app dir declares exactly the pins the venv installs; at least 8 apps', () => {
  assert.ok(CORPUS.length >= 8, `${CORPUS.length} apps`);
  for (const app of CORPUS) {
    assert.deepEqual(declaredRequirements(app).sort(), [...app.requirements].sort(), app.name);
  }
});

for (const python of TEST_PYTHONS) {
  describe(`corpus of real apps (CPython ${python})`, { timeout: 40 * 60_000 }, () => {
    for (const app of CORPUS) {
      const skip = notOn(app, python);
      test(`${app.name} (${app.covers[0]})`, { skip: skip ?? false }, async (t) => {
        const toolchain = await testToolchain(python);
        const real = findRealPython(python, toolchain.metadata.python);
        // Every check here compares with the venv: without a real CPython there is nothing to run.
        if (!real) return t.skip(`no real CPython ${python} (not a shim) to make the venv with: set PYBIN_REAL_PYTHON_${python.replace('.', '_')}`);
        t.diagnostic(`venv of ${real.path} (${real.version}); pybin ${toolchain.metadata.python}`);

        const [built, venv] = await Promise.all([buildCorpusApp(app, python), venvSide(app, real)]);
        assert.ok(built.ok, `pybin build of ${app.name} for ${python} failed: ${built.ok ? '' : built.reason}\n${built.result.stderr}`);
        t.diagnostic(`built in ${built.seconds.toFixed(1)}s, ${(built.size / 1e6).toFixed(1)} MB`);
        for (const line of built.result.stderr.split('\n').filter((l) => /warning/i.test(l))) t.diagnostic(line);
        const binary = binarySide(app, built.binary, toolchain.metadata.python);

        const [seenVenv, seenBinary] = await Promise.all([distributions(venv), distributions(binary)]);
        assert.equal(seenBinary.python, toolchain.metadata.python);
        assert.equal(seenBinary.dists, seenVenv.dists, 'the binary holds the same distributions as the venv');

        const mismatches: string[] = [];
        for (const command of app.commands) {
          const [expected, actual] = await Promise.all([runCommand(venv, app, command), runCommand(binary, app, command)]);
          const diffs = differences(expected, actual, command);
          if (diffs.length) mismatches.push(`${app.script} ${describeCommand(command)}:\n  ${diffs.join('\n  ')}`);
        }
        assert.deepEqual(mismatches, [], `${app.name} on ${python}: output differs from the venv's\n${mismatches.join('\n')}`);

        await t.test(`in an empty root: app ${describeCommand(app.chroot)}`, async (t) => {
          const [expected, chrooted] = await Promise.all([
            runLikeChroot(venv, app),
            inChroot(t, built.binary, app.chroot.args, chrootEnv(), chrootFiles(app)),
          ]);
          if (!chrooted) return; // skipped, saying why
          const actual = outcome(chrooted, {}, { work: '/', home: '/tmp', binDir: '', pythonVersion: toolchain.metadata.python }, app.chroot);
          const diffs = differences(expected, actual, app.chroot);
          assert.deepEqual(diffs, [], `${app.name} on ${python}, in an empty chroot: output differs from the venv's\n  ${diffs.join('\n  ')}`);
        });
      });
    }
  });
}
