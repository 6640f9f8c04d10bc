/** `compute-ops-mgmt` -> `computeOpsMgmt`. */
export function camelCase(key: string): string {
  return key.replace(/[-_.]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `compute-ops-mgmt` -> `ComputeOpsMgmt`. */
export function pascalCase(key: string): string {
  const camel = camelCase(key);
  return camel[0]!.toUpperCase() + camel.slice(1);
}
