// Validates every object of a rendered kustomize overlay against pinned upstream schemas:
//   Kubernetes kinds: kubernetes-models (generated from the Kubernetes OpenAPI), KEDA: @kubernetes-models/keda,
//   Strimzi (kafka.strimzi.io): the openAPIV3Schema of the CRDs Strimzi's own generator produced for its 1.2.0 API.
// CRD schemas are checked the way the API server does with fieldValidation=Strict: a field the schema does not
// declare is an error (unless the schema preserves unknown fields).
// Usage: node validate.mjs RENDERED.yaml CRD_DIR   Prints one line per object: "OK ..." or "INVALID ... : errors".
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import Ajv from 'ajv';

const [renderedFile, crdDir] = process.argv.slice(2);
const ajv = new Ajv({ strict: false, allErrors: true });

function strict(schema) {
  if (schema === null || typeof schema !== 'object') return schema;
  const copy = Array.isArray(schema) ? schema.map(strict) : Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === 'properties'
      ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strict(sub)]))
      : strict(value)]));
  if (!Array.isArray(copy) && copy.type === 'object' && copy.properties && copy.additionalProperties === undefined
      && !copy['x-kubernetes-preserve-unknown-fields']) {
    copy.additionalProperties = false;
  }
  if (copy.nullable === true && typeof copy.type === 'string') copy.type = [copy.type, 'null'];
  return copy;
}

const crdValidators = new Map();
for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml'))) {
  const crd = parse(readFileSync(join(crdDir, file), 'utf8'));
  for (const version of crd.spec.versions) {
    const schema = strict(version.schema.openAPIV3Schema);
    // metadata is the API server's ObjectMeta, not part of the CRD schema
    if (schema.properties?.metadata) schema.properties.metadata = { type: 'object' };
    crdValidators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(schema));
  }
}

async function validate(object) {
  const { apiVersion, kind } = object;
  const crd = crdValidators.get(`${apiVersion}/${kind}`);
  if (crd) {
    return { schema: 'strimzi-crd', errors: crd(object) ? [] : crd.errors.map((e) => `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`) };
  }
  const module = apiVersion.startsWith('keda.sh/') ? `@kubernetes-models/keda/${apiVersion}`
    : apiVersion.includes('strimzi.io') ? null : `kubernetes-models/${apiVersion}`;
  let model;
  try {
    model = module && (await import(module))[kind];
  } catch {
    model = undefined;
  }
  if (!model) return { schema: 'none', errors: [`no pinned schema for ${apiVersion} ${kind}`] };
  try {
    new model(object).validate();
    return { schema: module.startsWith('@kubernetes-models/keda') ? 'keda' : 'kubernetes', errors: [] };
  } catch (e) {
    return { schema: module, errors: [e.message] };
  }
}

let invalid = 0;
for (const document of parseAllDocuments(readFileSync(renderedFile, 'utf8'))) {
  const object = document.toJS();
  if (!object) continue;
  const { schema, errors } = await validate(object);
  const what = `${object.apiVersion} ${object.kind} ${object.metadata?.name} [${schema}]`;
  if (errors.length) invalid++;
  console.log(errors.length ? `INVALID ${what}: ${errors.join('; ')}` : `OK ${what}`);
}
process.exit(invalid ? 1 : 0);
