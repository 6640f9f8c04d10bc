/**
 * Project-owned corrections of HPE's documents, applied at generate time to a copy
 * (specs/<key>.json stays as published). Each entry says in one line why it exists.
 */
import type { Correction } from "./apply-corrections.js";
import {
  addMissingOperationIds,
  allowRelativeLocationHeaders,
  anyOfForIndistinguishableOneOf,
  defineSecurityScheme,
  dropTypeContradictingAlternatives,
  dropUrlRefsFromExamples,
  inlineNullableAllOfMembers,
  inlineNestedRefs,
  nameServerRegions,
  removeIgnoredHeaderParameters,
  removeOneOf,
  requireOnlyDefinedProperties,
  setBodySchema,
  setPagination,
} from "./correction-helpers.js";
import { admitResponseExampleValues } from "./response-examples.js";

export const corrections: readonly Correction[] = [
  {
    reason: "Servers carry no machine-readable region; name each by the region it serves so every service uses the same region names.",
    documents: "all",
    apply: nameServerRegions,
  },
  {
    reason: "GET /identity/v1/users counts `offset` in pages of `limit` users, not in items as its siblings do.",
    documents: ["identity__identity-v1-nb-openapi-identity"],
    apply: setPagination("get", "/identity/v1/users", { style: "offset-pages" }),
  },
  {
    reason: "Three operations have no operationId, which metadata and generated clients need.",
    documents: ["reporting"],
    apply: addMissingOperationIds,
  },
  {
    reason: "The secrets operations require a `JWTBearer` security scheme the document never defines.",
    documents: ["data-services"],
    apply: defineSecurityScheme("JWTBearer", { type: "http", scheme: "bearer", bearerFormat: "JWT" }),
  },
  {
    reason: "References into array `items` or nested properties of another schema become indexed-access types that do not compile.",
    documents: ["backup-recovery"],
    apply: inlineNestedRefs,
  },
  {
    reason: "The schema's `oneOf` lists its own property schemas (meaning 'members or nativeAppInfo'), which types as a circular alias.",
    documents: ["backup-recovery"],
    apply: removeOneOf("MSSQLDatabaseProtectionGroupCreate"),
  },
  {
    reason: "Nullable allOf members under `required` make openapi-typescript emit WithRequired over `never` keys.",
    documents: ["storage-fleet"],
    apply: inlineNullableAllOfMembers,
  },
  {
    reason: "Example values carry SCIM `$ref` member URLs, which Prism resolves as references to example.com and fails to start.",
    documents: ["scim"],
    apply: dropUrlRefsFromExamples,
  },
  {
    reason: "The appliance certificate is a PEM text file but its body is declared `type: object`, which mock servers cannot serialize as PEM.",
    documents: ["compute-ops-mgmt"],
    apply: setBodySchema({ method: "get", path: "/compute-ops-mgmt/v1beta2/appliances/{device_id}/certificate", status: "200", mediaType: "application/x-pem-file" }, { type: "string" }),
  },
  {
    reason: "Some `oneOf` alternatives require nothing, so one value fits several and `oneOf` rejects it; `anyOf` states what is meant.",
    documents: ["compute-ops-mgmt", "virtualization"],
    apply: anyOfForIndistinguishableOneOf,
  },
  {
    reason: "Firmware `componentsToExclude` is declared `type: object` yet its alternatives are a string or an array, so no value is valid.",
    documents: ["compute-ops-mgmt"],
    apply: dropTypeContradictingAlternatives,
  },
  {
    reason: "The CSV upload form is declared as an array of CSV rows, but a form is an object; it carries one file in field `file` (as in the documented curl sample).",
    documents: ["location-management"],
    apply: setBodySchema(
      { method: "post", path: "/locations/v1/locations/locations-csv-upload", mediaType: "multipart/form-data" },
      { type: "object", properties: { file: { type: "string", format: "binary", contentMediaType: "text/csv" } }, required: ["file"] },
    ),
  },
  {
    reason: "Schemas list under `required` names they never define (or spell with other letter case), so no valid answer can be built from them.",
    documents: "all",
    apply: requireOnlyDefinedProperties,
  },
  {
    reason: "`Location` headers are declared `format: uri`/`url` while their documented values are relative paths, which HTTP allows there.",
    documents: ["reporting", "service-catalog__service-catalog-v1beta1-service-catalog-v1"],
    apply: allowRelativeLocationHeaders,
  },
  {
    reason: "Header parameters named Accept, Content-Type or Authorization SHALL be ignored (OpenAPI 3); declared anyway, they become arguments every caller must pass.",
    documents: "all",
    apply: removeIgnoredHeaderParameters,
  },
  {
    reason: "HPE's own response examples show `null` for fields not declared nullable and numbers where only strings are declared; the types admit what the service returns.",
    documents: "all",
    apply: admitResponseExampleValues,
  },
];
