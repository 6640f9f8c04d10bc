/**
 * Deterministic, realistic values from a document's schemas: the same seed
 * gives the same item, ids follow their format (Compute Ops Management
 * server ids read `<product id>+<serial number>`), names, dates and enums
 * look like GreenLake's, and no string is ever the placeholder "string".
 */
import type { DocumentSchemas, Schema } from "./schemas.js";

/** 32-bit FNV-1a, to turn a seed text into a PRNG state. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for test data. */
export class Random {
  #state: number;
  constructor(seed: string | number) {
    this.#state = typeof seed === "number" ? seed >>> 0 : hashText(seed);
  }
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }
  hex(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += "0123456789abcdef"[this.int(0, 15)];
    return s;
  }
  chars(alphabet: string, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${"89ab"[this.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

const FIRST = ["Jane", "Ravi", "Mei", "Lucas", "Amara", "Sven", "Priya", "Diego", "Hana", "Omar", "Chloe", "Kenji", "Ines", "Noah", "Zara", "Tomas"];
const LAST = ["Doe", "Patel", "Chen", "Martin", "Okafor", "Larsen", "Iyer", "Garcia", "Sato", "Haddad", "Dubois", "Tanaka", "Silva", "Novak", "Ahmed", "Berg"];
const MODELS = ["ProLiant DL360 Gen11", "ProLiant DL380 Gen11", "ProLiant DL325 Gen11", "ProLiant DL380 Gen10 Plus", "Synergy 480 Gen10", "ProLiant ML350 Gen11"];
const SITES = ["houston", "frankfurt", "tokyo", "fort-collins", "bristol", "bangalore", "sydney", "sao-paulo"];
const ROLES = ["web", "db", "esx", "k8s", "backup", "edge", "vdi", "hpc"];
const WORDS = ["alpha", "bravo", "cobalt", "delta", "ember", "falcon", "granite", "harbor", "indigo", "juniper", "krypton", "lumen", "meridian", "nimbus", "onyx", "polaris"];
const REGIONS = ["us-west", "eu-central", "ap-northeast", "eu-west"];
const VENDORS = ["HPE", "VMware", "Microsoft", "Red Hat", "SUSE", "Nutanix"];

// A fixed epoch keeps dates deterministic: items spread over 2024-2025.
const EPOCH = Date.UTC(2024, 0, 1);
const SPAN = 730 * 24 * 3600 * 1000;

export interface FakeContext {
  readonly random: Random;
  /** Position of the item in its collection, so names and numbers read as a sequence. */
  readonly index: number;
}

function pascal(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function productId(r: Random): string {
  return `P${r.chars("0123456789", 5)}-B21`;
}

function serial(r: Random): string {
  return `${r.chars("0123456789", 1)}M${r.chars("0123456789", 4)}${r.chars("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", 4)}`;
}

/** `<product id>+<serial number>`, as Compute Ops Management names servers. */
export function serverId(r: Random): string {
  return `${productId(r)}+${serial(r)}`;
}

function isoDate(r: Random): string {
  return new Date(EPOCH + Math.floor(r.next() * SPAN)).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function byFormat(format: string, name: string, r: Random, ctx: FakeContext): string | undefined {
  switch (format.toLowerCase()) {
    case "uuid":
      return r.uuid();
    case "date-time":
    case "datetime":
      return isoDate(r);
    case "date":
    case "full-date-rfc3339":
      return isoDate(r).slice(0, 10);
    case "email":
    case "rfc-5322":
      return email(r, ctx);
    case "uri":
      return `https://${r.pick(WORDS)}.example.com/${r.uuid()}`;
    case "uri-reference":
      return `/${r.pick(WORDS)}/v1/resources/${r.uuid()}`;
    case "hostname":
      return `${r.pick(ROLES)}-${String(ctx.index + 1).padStart(2, "0")}.${r.pick(SITES)}.example.com`;
    case "ipv4":
      return `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
    case "ipv6":
      return `fd00::${r.hex(4)}:${r.hex(4)}`;
    case "hh:mm":
      return `${String(r.int(0, 23)).padStart(2, "0")}:${String(r.int(0, 59)).padStart(2, "0")}`;
    case "duration":
      return `PT${r.int(1, 48)}H`;
    case "productid+serialnumber":
    case "productid+serialnumber (percent-encoded)":
      return serverId(r);
    case "password":
      return r.chars("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20);
    default:
      return undefined;
  }
}

function email(r: Random, ctx: FakeContext): string {
  return `${r.pick(FIRST).toLowerCase()}.${r.pick(LAST).toLowerCase()}${ctx.index + 1}@example.com`;
}

/** A value read off the property's name, for the names GreenLake uses most. */
function byName(name: string, r: Random, ctx: FakeContext): string | undefined {
  const n = name.toLowerCase();
  if (n === "id" || n.endsWith("id") && !n.endsWith("valid") && !n.endsWith("paid")) {
    if (n.includes("server")) return serverId(r);
    if (n === "workspaceid" || n === "platformcustomerid" || n === "applicationcustomerid") return r.hex(32);
    if (n.includes("product")) return productId(r);
    return undefined; // the caller falls back to a UUID
  }
  if (n === "email" || n.endsWith("email") || n === "username" || n === "user_name" || n === "userid") return email(r, ctx);
  if (n === "firstname" || n === "first_name" || n === "givenname") return r.pick(FIRST);
  if (n === "lastname" || n === "last_name" || n === "familyname") return r.pick(LAST);
  if (n === "serialnumber" || n === "serial" || n === "serial_number") return serial(r);
  // The most common model comes up half the time, so a filter on it spans several pages.
  if (n === "model" || n === "productname" || n === "modelname") return r.next() < 0.5 ? MODELS[0] : r.pick(MODELS);
  if (n === "region" || n.endsWith("region")) return r.pick(REGIONS);
  if (n.endsWith("version") || n === "firmware") return `${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 20)}`;
  if (n.endsWith("at") && n.length > 4 || n.endsWith("time") || n.endsWith("date") || n.endsWith("timestamp")) return isoDate(r);
  if (n === "grn" || n.endsWith("grn")) return `grn:glp/workspaces/${r.hex(32)}/regions/${r.pick(REGIONS)}/providers/compute-ops-mgmt/servers/${serverId(r)}`;
  if (n === "resourceuri" || n.endsWith("uri") || n.endsWith("url") || n === "href") return `/${r.pick(WORDS)}/v1/resources/${r.uuid()}`;
  if (n === "hostname" || n === "fqdn") return `${r.pick(ROLES)}-${String(ctx.index + 1).padStart(2, "0")}.${r.pick(SITES)}.example.com`;
  if (n === "ipaddress" || n === "ip" || n.endsWith("ipv4")) return `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`;
  if (n === "macaddress" || n === "mac") return Array.from({ length: 6 }, () => r.hex(2)).join(":");
  if (n === "vendor" || n === "manufacturer") return r.pick(VENDORS);
  if (n === "type" || n === "resourcetype") return undefined;
  if (n === "name" || n.endsWith("name") || n === "displayname" || n === "title") {
    return `${r.pick(ROLES)}-${r.pick(SITES)}-${String(ctx.index + 1).padStart(3, "0")}`;
  }
  if (n === "description" || n.endsWith("description") || n === "message" || n === "summary" || n === "comment") {
    return `${pascal(r.pick(WORDS))} ${r.pick(ROLES)} resource ${ctx.index + 1} in ${pascal(r.pick(SITES))}`;
  }
  if (n === "generation") return undefined;
  return undefined;
}

// Candidates tried, in order, against a `pattern` the other rules did not satisfy.
function byPattern(pattern: string, r: Random): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern);
  } catch {
    return undefined;
  }
  const candidates = [
    `${r.pick(WORDS)}-${r.int(1, 99)}`,
    r.uuid(),
    r.hex(24),
    `${r.int(1, 9)}.${r.int(0, 9)}.${r.int(0, 9)}`,
    Array.from({ length: 6 }, () => r.hex(2)).join(":"),
    r.pick(WORDS).toUpperCase(),
    "US",
    "vms",
  ];
  return candidates.find((c) => regex.test(c));
}

const usable = (v: unknown): boolean => v !== undefined && v !== null && v !== "string" && v !== "";

function exampleOf(schema: Schema): unknown {
  if (usable(schema.example)) return schema.example;
  if (Array.isArray(schema.examples) && usable(schema.examples[0])) return schema.examples[0];
  return undefined;
}

function typeOf(schema: Schema): string | undefined {
  const t = schema.type;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") ?? (t.length > 0 ? "null" : undefined)) as string | undefined;
  if (typeof t === "string") return t;
  if (schema.properties !== undefined) return "object";
  if (schema.items !== undefined) return "array";
  if (Array.isArray(schema.enum)) return typeof schema.enum[0];
  return undefined;
}

function fakeString(schema: Schema, name: string, ctx: FakeContext): string {
  const r = ctx.random;
  const pattern = typeof schema.pattern === "string" ? schema.pattern : undefined;
  const matches = (v: string) => {
    if (pattern === undefined) return true;
    try {
      return new RegExp(pattern).test(v);
    } catch {
      return true;
    }
  };
  const fit = (v: string): string => {
    const min = typeof schema.minLength === "number" ? schema.minLength : 0;
    const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
    // Pad with words, or with hex digits where the pattern wants those (checksums, ids).
    for (const pad of [() => r.pick(WORDS), () => r.hex(8)]) {
      let s = v;
      while (s.length < min) s += pad();
      s = s.length > max ? s.slice(0, Math.max(max, min)) : s;
      if (matches(s)) return s;
    }
    return v;
  };
  const format = typeof schema.format === "string" ? schema.format : "";
  // A strict format first (validators check it), then what the name suggests.
  const strict = /^(uuid|date-time|date|email|uri|uri-reference|ipv4|ipv6|hostname)$/i.test(format);
  const candidates = strict ? [byFormat(format, name, r, ctx), byName(name, r, ctx)] : [byName(name, r, ctx), byFormat(format, name, r, ctx)];
  if (name.toLowerCase().endsWith("id")) candidates.push(r.uuid());
  const example = exampleOf(schema);
  if (typeof example === "string") candidates.push(example);
  for (const c of candidates) if (c !== undefined && matches(c)) return fit(c);
  if (pattern !== undefined) {
    const p = byPattern(pattern, r);
    if (p !== undefined) return fit(p);
  }
  return fit(`${name ? `${name}-` : ""}${r.pick(WORDS)}-${ctx.index + 1}`);
}

function fakeNumber(schema: Schema, name: string, integer: boolean, ctx: FakeContext): number {
  const r = ctx.random;
  const exclusiveMin = typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum : undefined;
  const exclusiveMax = typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum : undefined;
  let min = typeof schema.minimum === "number" ? schema.minimum : exclusiveMin ?? 0;
  let max = typeof schema.maximum === "number" ? schema.maximum : exclusiveMax ?? Math.max(min + 1000, 1000);
  if (schema.exclusiveMinimum === true || exclusiveMin !== undefined) min += integer ? 1 : 0.01;
  if (schema.exclusiveMaximum === true || exclusiveMax !== undefined) max -= integer ? 1 : 0.01;
  if (name.toLowerCase() === "generation") return 1;
  if (max < min) max = min;
  if (integer) {
    const v = r.int(Math.ceil(min), Math.floor(max));
    const step = typeof schema.multipleOf === "number" && schema.multipleOf >= 1 ? schema.multipleOf : 1;
    return Math.floor(v / step) * step;
  }
  return Math.round((min + r.next() * (max - min)) * 100) / 100;
}

/** Generates one value for `schema` of `doc`. `name` is the property it fills, for realistic strings. */
export function fakeValue(doc: DocumentSchemas, node: unknown, name: string, ctx: FakeContext, depth = 0): unknown {
  const schema = doc.flatten(node);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const options = schema.enum.filter((v) => v !== null);
    return options.length > 0 ? ctx.random.pick(options) : null;
  }
  const type = typeOf(schema);
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (schema.properties ?? {}) as Record<string, unknown>;
      const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
      for (const [key, child] of Object.entries(props)) {
        const childSchema = doc.flatten(child);
        if (childSchema.readOnly === true && childSchema.writeOnly === true) continue;
        if (childSchema.writeOnly === true && !required.has(key)) continue;
        // Deep optional branches add bulk, not realism.
        if (depth >= 3 && !required.has(key)) continue;
        if (depth >= 8) continue;
        out[key] = fakeValue(doc, child, key, ctx, depth + 1);
      }
      if (Object.keys(props).length === 0 && schema.additionalProperties !== undefined && schema.additionalProperties !== false && depth < 3) {
        out[ctx.random.pick(WORDS)] = typeof schema.additionalProperties === "object" ? fakeValue(doc, schema.additionalProperties, "value", ctx, depth + 1) : ctx.random.pick(WORDS);
      }
      return out;
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 0;
      const max = typeof schema.maxItems === "number" ? schema.maxItems : Infinity;
      const count = Math.min(max, Math.max(min, depth >= 3 ? min : ctx.random.int(1, 2)));
      const single = name.endsWith("s") ? name.slice(0, -1) : name;
      const values = Array.from({ length: count }, () => fakeValue(doc, schema.items ?? {}, single, ctx, depth + 1));
      return schema.uniqueItems === true ? [...new Map(values.map((v) => [JSON.stringify(v), v])).values()] : values;
    }
    case "integer":
      return fakeNumber(schema, name, true, ctx);
    case "number":
      // `format: int64` and friends on a number still mean a whole one.
      return fakeNumber(schema, name, /^u?int(8|16|32|64)$/i.test(String(schema.format ?? "")), ctx);
    case "boolean":
      return ctx.random.next() < 0.5;
    case "string":
      return fakeString(schema, name, ctx);
    case "null":
      return null;
    default: {
      const example = exampleOf(schema);
      return example ?? fakeString(schema, name, ctx);
    }
  }
}
