/**
 * Project-owned corrections of HPE's documents, applied at generate time to a copy
 * (specs/<key>.json stays as published). Each entry says in one line why it exists.
 */
import type { Correction } from "./apply-corrections.js";
import {
  acceptJoinedList,
  acceptPlainTagValues,
  addEnumValue,
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

// HPE's own public clients, at the commits read.
const COM_LIBRARY = { repository: "jullienl/HPE-COM-PowerShell-Library", commit: "cae921f251e6e9a275fc5cde8a1751e634d89880" } as const;
const ARUBA_WORKFLOWS = { repository: "aruba/central-python-workflows", commit: "64fae963abc008652b02eab499bb7bf2dc0df00a" } as const;
const ONBOARDING_COLLECTION = "glp-device-onboarding/Postman-Collection/Device-Onboarding.postman_collection.json";

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
  {
    reason: "HPE's clients send the device ids of PATCH /devices/.../devices comma-joined in one `id` (the document declares `id` repeated), and the service takes it: the SDK sends that form by default, and the mocks take both.",
    documents: ["device-management"],
    apply: acceptJoinedList("patch", ["/devices/v1/devices", "/devices/v1beta1/devices", "/devices/v2beta1/devices"], "id"),
    sources: {
      document: "device-management: PATCH /devices/v1/devices (and v1beta1, v2beta1), query parameter id (style form, explode true)",
      clients: [
        { ...COM_LIBRARY, file: "Modules/GLP-Services.psm1", lines: [1571, 1574], shows: "device ids joined with commas into one id= of the PATCH that assigns a service" },
        { ...COM_LIBRARY, file: "Modules/GLP-Subscriptions.psm1", lines: [2154, 2157], shows: "device ids joined with commas into one id= of the PATCH that applies a subscription" },
        { ...COM_LIBRARY, file: "Modules/Constants.psm1", lines: [278], shows: "the URI of those PATCHes is /devices/v1/devices" },
      ],
    },
  },
  {
    reason: "HPE's clients write `select` as one comma-separated string (`select=id,serialNumber,macAddress`); the types take that string as well as an array.",
    documents: ["device-management"],
    apply: acceptJoinedList("get", ["/devices/v1/devices", "/devices/v1beta1/devices", "/devices/v2beta1/devices"], "select"),
    sources: {
      document: "device-management: GET /devices/v1/devices (and v1beta1, v2beta1), query parameter select (array)",
      clients: [{ ...ARUBA_WORKFLOWS, file: ONBOARDING_COLLECTION, lines: [176, 347], shows: "the device list is read with select=id,serialNumber,macAddress" }],
    },
  },
  {
    reason: "HPE's clients write `select` as one comma-separated string (`select=id,key`); the types take that string as well as an array.",
    documents: ["subscription-management"],
    apply: acceptJoinedList("get", ["/subscriptions/v1/subscriptions", "/subscriptions/v1alpha1/subscriptions", "/subscriptions/v1beta1/subscriptions"], "select"),
    sources: {
      document: "subscription-management: GET /subscriptions/v1/subscriptions (and v1alpha1, v1beta1), query parameter select (array)",
      clients: [{ ...ARUBA_WORKFLOWS, file: ONBOARDING_COLLECTION, lines: [317], shows: "the subscription list is read with select=id,key" }],
    },
  },
  {
    reason: "HPE's clients send device tags as `{ \"Country\": \"FR\" }` (name to value) where the document declares an object per tag; both are accepted.",
    documents: ["device-management"],
    apply: acceptPlainTagValues(["RequestCompute", "RequestNetwork", "RequestStorage"]),
    sources: {
      document: "device-management: POST /devices/v1/devices, schemas RequestCompute, RequestNetwork, RequestStorage, property tags",
      clients: [
        { ...COM_LIBRARY, file: "Modules/GLP-Devices.psm1", lines: [809, 846], shows: "each tag becomes a name-to-value entry of the compute device's tags" },
        { ...COM_LIBRARY, file: "Modules/GLP-Devices.psm1", lines: [3252, 3289], shows: "the same for storage devices" },
        { ...COM_LIBRARY, file: "Modules/GLP-Devices.psm1", lines: [3677, 3714], shows: "the same for network devices" },
      ],
    },
  },
  {
    reason: "HPE's client creates a location with its street address typed `street`, a value the create request's address enum lacks (it lists `shipping_receiving` only).",
    documents: ["location-management"],
    apply: addEnumValue("server.CreateAddressNBRequest", "type", "street"),
    sources: {
      document: "location-management: POST /locations/v1/locations, schema server.CreateAddressNBRequest, property type",
      clients: [
        { ...COM_LIBRARY, file: "Modules/GLP-Devices.psm1", lines: [5808, 5949, 6050], shows: "the street address of a new location carries type street in the POSTed body" },
        { ...COM_LIBRARY, file: "Modules/Constants.psm1", lines: [284], shows: "the URI of that POST is /locations/v1/locations" },
      ],
    },
  },
];
