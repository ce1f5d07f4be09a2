import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

/** The parts of a CycloneDX JSON document the tests read. */
export interface CdxHash {
  alg: string;
  content: string;
}

export interface CdxComponent {
  type: string;
  name: string;
  version?: string;
  purl?: string;
  'bom-ref'?: string;
  hashes?: CdxHash[];
  licenses?: { license?: { id?: string; name?: string }; expression?: string }[];
  properties?: { name: string; value: string }[];
  components?: CdxComponent[];
}

export interface CdxDocument {
  bomFormat: string;
  specVersion: string;
  metadata: {
    timestamp?: string;
    component: CdxComponent;
    properties?: { name: string; value: string }[];
    tools?: { components?: CdxComponent[] };
  };
  components: CdxComponent[];
  dependencies?: { ref: string; dependsOn?: string[] }[];
}

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

/**
 * The CycloneDX 1.6 JSON schema's verdict on `json` (the library's strict
 * validator, with ajv): undefined when valid, else the errors as text.
 */
export async function cycloneDxErrors(json: string): Promise<string | undefined> {
  const errors = await validator.validate(json);
  return errors === null ? undefined : JSON.stringify(errors);
}

/** The document's `pybin:*` metadata properties, without the prefix. */
export function pybinProperties(doc: CdxDocument): Record<string, string> {
  return Object.fromEntries((doc.metadata.properties ?? []).filter((p) => p.name.startsWith('pybin:')).map((p) => [p.name.slice('pybin:'.length), p.value]));
}

/** The SHA-256 a component states, if any. */
export function sha256Of(component: CdxComponent): string | undefined {
  return component.hashes?.find((h) => h.alg === 'SHA-256')?.content;
}

/** pkg:pypi/<name>@<version> components: normalized name -> component. */
export function pypiComponents(doc: CdxDocument): Map<string, CdxComponent> {
  return new Map(doc.components.filter((c) => c.purl?.startsWith('pkg:pypi/')).map((c) => [c.purl!.slice('pkg:pypi/'.length).split('@')[0]!, c]));
}

/** PEP 503's normal form of a distribution name. */
export function normalizeDistName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
