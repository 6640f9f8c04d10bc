/**
 * Upstream defects in HPE's documents that the contract suite tolerates, each
 * with its reason. An entry must keep matching: when a defect is fixed
 * upstream (or by a correction in scripts/corrections.ts) the suite fails
 * until the entry is removed.
 *
 * - `response`: Prism accepts the request, but even the answer it generates
 *   from the response schema breaks that schema; only problems matching
 *   `problems` are tolerated, anything else still fails.
 * - `unservable`: no request can pass Prism (or Prism cannot answer); the
 *   suite checks it still fails the documented way and does not count it.
 */
export interface UpstreamDefect {
  readonly kind: "response" | "unservable";
  readonly reason: string;
  /** What the tolerated problems (or the unservable failure) look like. */
  readonly problems: RegExp;
}

function requiredButUndefined(...names: string[]): UpstreamDefect {
  return {
    kind: "response",
    reason: `the response schema lists ${names.map((n) => `\`${n}\``).join(", ")} under \`required\` without defining ${names.length > 1 ? "them" : "it"} in \`properties\`, so no generated answer has ${names.length > 1 ? "them" : "it"}`,
    problems: new RegExp(`required property '(${names.join("|")})'`),
  };
}

function relativeLocation(format: string): UpstreamDefect {
  return {
    kind: "response",
    reason: `the documented \`Location\` header example is a relative path, which the header's \`format: ${format}\` rejects; Prism answers with that example`,
    problems: new RegExp(`response\\.header\\.location: .*format "${format}"`),
  };
}

export const upstreamDefects: Readonly<Record<string, UpstreamDefect>> = {
  // backup-recovery
  "GET /backup-recovery/v1beta1/mssql-instances": requiredButUndefined("id", "type"),
  "GET /backup-recovery/v1beta1/mssql-instances/{instance-id}": requiredButUndefined("id", "type"),
  "GET /backup-recovery/v1beta1/protection-jobs": requiredButUndefined("createdAt", "updatedAt"),
  "GET /backup-recovery/v1beta1/protection-jobs/{id}": requiredButUndefined("createdAt", "updatedAt"),
  "GET /backup-recovery/v1beta1/protection-policies": requiredButUndefined("hostID"),
  "POST /backup-recovery/v1beta1/protection-policies": requiredButUndefined("hostID"),
  "GET /backup-recovery/v1beta1/protection-policies/{id}": requiredButUndefined("hostID"),
  "PUT /backup-recovery/v1beta1/protection-policies/{id}": requiredButUndefined("hostID"),
  "PATCH /backup-recovery/v1beta1/protection-policies/{id}": requiredButUndefined("hostID"),

  // block-storage
  "GET /block-storage/v1alpha1/devtype4-storage-systems/{systemId}/applicationsets/{id}/supported-protection": requiredButUndefined("type"),
  "GET /block-storage/v1alpha1/devtype4-storage-systems/{systemId}/hosts": requiredButUndefined("type"),
  "GET /block-storage/v1alpha1/host-initiator-groups": requiredButUndefined("type"),
  "GET /block-storage/v1alpha1/host-initiators": requiredButUndefined("type"),
  "POST /block-storage/v1alpha1/storage-systems/provisioning-recommendations": requiredButUndefined("type"),

  // reporting
  "GET /reporting/v1/async-operations/{id}": requiredButUndefined("startAt", "endAt"),
  "POST /reporting/v1/report-exports": relativeLocation("uri"),

  // service-catalog
  "POST /service-catalog/v1/service-manager-provisions": relativeLocation("url"),
  "GET /service-catalog/v1beta1/detailed-service-offers/{id}": requiredButUndefined("generatedAt"),
  "GET /service-catalog/v1beta1/featured-services": requiredButUndefined("services", "generatedAt"),
  "GET /service-catalog/v1beta1/recent-services": requiredButUndefined("lastAccessed", "provisions"),
  "GET /service-catalog/v1beta1/service-catalog": requiredButUndefined("generatedAt"),
  "GET /service-catalog/v1beta1/service-offer-regions": requiredButUndefined("serviceOfferId"),
  "GET /service-catalog/v1beta1/service-offer-regions/{id}": requiredButUndefined("serviceOfferId"),
  "GET /service-catalog/v1beta1/service-offers": requiredButUndefined("generatedAt"),
  "GET /service-catalog/v1beta1/service-offers/{id}": requiredButUndefined("generatedAt"),
  "GET /service-catalog/v1beta2/recent-services": requiredButUndefined("provisions", "serviceManager", "serviceOffer"),
};

export function operationKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}
