import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface WheelSpec {
  name: string;
  version: string;
  /** Path inside the wheel -> contents. */
  files: Record<string, string>;
  /** entry_points.txt sections: group -> name -> "module:attr". */
  entryPoints?: Record<string, Record<string, string>>;
  requires?: string[];
  /** The wheel's tag (default py3-none-any): a platform tag makes pip choose it by the target's platforms. */
  tag?: string;
}

/**
 * Write a real wheel (a ZIP with .dist-info/METADATA, WHEEL, RECORD) into
 * `dir`, with the host's python3 zipfile: tests make every wheel they install.
 */
export function buildWheel(dir: string, spec: WheelSpec): string {
  mkdirSync(dir, { recursive: true });
  const script = `
import base64, hashlib, json, sys, zipfile
spec, out = json.loads(sys.argv[1]), sys.argv[2]
info = f"{spec['name']}-{spec['version']}.dist-info"
files = {k: v.encode() for k, v in spec["files"].items()}
meta = [f"Metadata-Version: 2.1", f"Name: {spec['name']}", f"Version: {spec['version']}"] + [f"Requires-Dist: {r}" for r in spec.get("requires", [])]
files[info + "/METADATA"] = ("\\n".join(meta) + "\\n").encode()
files[info + "/WHEEL"] = f"Wheel-Version: 1.0\\nGenerator: pybin-tests\\nRoot-Is-Purelib: true\\nTag: {spec.get('tag', 'py3-none-any')}\\n".encode()
if spec.get("entryPoints"):
    text = "".join(f"[{g}]\\n" + "".join(f"{n} = {t}\\n" for n, t in eps.items()) for g, eps in spec["entryPoints"].items())
    files[info + "/entry_points.txt"] = text.encode()
record = [f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}" for p, d in files.items()]
files[info + "/RECORD"] = ("\\n".join(record + [info + "/RECORD,,"]) + "\\n").encode()
with zipfile.ZipFile(out, "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
`;
  const out = join(dir, `${spec.name}-${spec.version}-${spec.tag ?? 'py3-none-any'}.whl`);
  execFileSync('python3', ['-c', script, JSON.stringify(spec), out]);
  return out;
}
