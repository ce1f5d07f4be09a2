import { ComponentType, HashAlgorithm } from '@cyclonedx/cyclonedx-library/Enums';
import { Bom, Component, ComponentRepository, HashDictionary, LicenseExpression, LicenseRepository, Metadata, NamedLicense, Property, PropertyRepository, SpdxLicense, Tools } from '@cyclonedx/cyclonedx-library/Models';
import { isSupportedSpdxId } from '@cyclonedx/cyclonedx-library/SPDX';
import { JsonSerializer, JSON as JsonNormalize } from '@cyclonedx/cyclonedx-library/Serialize';
import { Spec1dot6 } from '@cyclonedx/cyclonedx-library/Spec';
import { PackageURL } from 'packageurl-js';
import type { Distribution } from './distributions.js';
import { normalizeName } from '../dist-info.js';
import type { DerivedLicense } from './licenses.js';
import { TOOLCHAIN_LICENSES } from './licenses.js';

/** What an SBOM of one binary states: everything here is decided by the build's inputs, so the same inputs give the same document. */
export interface SbomFacts {
  /** The binary's file name. */
  binary: string;
  app: { name: string; version?: string };
  pybinVersion: string;
  /** Build facts `pybin inspect` shows, as pybin:* properties: python, target, requires-glibc, entry, recipe-hash, ... */
  build: Record<string, string>;
  launcherSha256: string;
  /** CPython and the C libraries built into the launcher: version, source tarball sha256. */
  toolchain: { name: string; version: string; sha256: string }[];
  distributions: Distribution[];
  /** From SOURCE_DATE_EPOCH only. */
  timestamp?: Date;
}

/** The hashes only known once the ZIP is written and fused: the SBOM beside the binary carries them, the one inside cannot. */
export interface BinaryHashes {
  binarySha256: string;
  zipSha256: string;
}

export const PROPERTY_PREFIX = 'pybin:';

const sha256Of = (hex: string) => new HashDictionary([[HashAlgorithm['SHA-256'], hex]]);
const properties = (values: Record<string, string>) =>
  new PropertyRepository(Object.entries(values).map(([name, value]) => new Property(`${PROPERTY_PREFIX}${name}`, value)));

/** One SPDX id as a license id (CycloneDX lists the ids it knows), anything longer as an expression. */
function licensesOf(license: DerivedLicense): LicenseRepository {
  if (license.kind === 'spdx') {
    return new LicenseRepository([isSupportedSpdxId(license.expression) ? new SpdxLicense(license.expression) : new LicenseExpression(license.expression)]);
  }
  if (license.kind === 'named') {
    return new LicenseRepository(license.names.map((name) => (isSupportedSpdxId(name) ? new SpdxLicense(name) : new NamedLicense(name))));
  }
  return new LicenseRepository();
}

function toolchainComponent(part: SbomFacts['toolchain'][number]): Component {
  const purl = new PackageURL('generic', undefined, part.name, part.version, undefined, undefined).toString();
  const license = TOOLCHAIN_LICENSES[part.name];
  return new Component(ComponentType.Library, part.name, {
    bomRef: purl,
    version: part.version,
    purl,
    // The source tarball it was built from.
    hashes: sha256Of(part.sha256),
    licenses: license ? licensesOf({ kind: 'spdx', expression: license, from: 'License' }) : new LicenseRepository(),
  });
}

function distributionComponent(dist: Distribution): Component {
  const purl = new PackageURL('pypi', undefined, normalizeName(dist.name), dist.version, undefined, undefined).toString();
  return new Component(ComponentType.Library, dist.name, {
    bomRef: purl,
    version: dist.version,
    purl,
    licenses: licensesOf(dist.license),
    ...(dist.wheelSha256 ? { hashes: sha256Of(dist.wheelSha256) } : {}),
  });
}

/** The CycloneDX 1.6 JSON of a binary as it is inside it (without the hashes of the ZIP it sits in). */
export function renderSbom(facts: SbomFacts): string {
  const root = new Component(ComponentType.Application, facts.app.name, {
    bomRef: 'binary',
    ...(facts.app.version ? { version: facts.app.version } : {}),
    properties: properties({ file: facts.binary }),
  });
  root.components.add(new Component(ComponentType.File, 'launcher', { bomRef: 'launcher', hashes: sha256Of(facts.launcherSha256) }));
  const bom = new Bom({
    metadata: new Metadata({
      ...(facts.timestamp ? { timestamp: facts.timestamp } : {}),
      tools: new Tools({ components: new ComponentRepository([new Component(ComponentType.Application, 'pybin', { version: facts.pybinVersion })]) }),
      component: root,
      properties: properties(facts.build),
    }),
  });
  for (const part of [...facts.toolchain.map(toolchainComponent), ...facts.distributions.map(distributionComponent)]) {
    bom.components.add(part);
    root.dependencies.add(part.bomRef);
  }
  const serializer = new JsonSerializer(new JsonNormalize.Normalize.Factory(Spec1dot6));
  return `${serializer.serialize(bom, { sortLists: true, space: 2 })}\n`;
}

interface SbomJson {
  metadata: { component: { hashes?: unknown[]; components?: unknown[] } };
}

/**
 * The SBOM beside the binary: the one inside, with the binary's and its ZIP's
 * sha256 added. A JSON edit, so `pybin inspect --sbom` makes the same bytes from
 * the binary alone.
 */
export function withBinaryHashes(insideJson: string, hashes: BinaryHashes): string {
  const sbom = JSON.parse(insideJson) as SbomJson;
  const component = sbom.metadata.component;
  component.hashes = [{ alg: 'SHA-256', content: hashes.binarySha256 }];
  component.components = [...(component.components ?? []), { type: 'file', name: 'app.zip', 'bom-ref': 'app.zip', hashes: [{ alg: 'SHA-256', content: hashes.zipSha256 }] }];
  return `${JSON.stringify(sbom, null, 2)}\n`;
}
