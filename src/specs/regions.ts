/** Names each server URL by the GreenLake region it serves, the same way in every service. */

export const REGION_EXTENSION = "x-greenlake-region";

/** The older data-plane hosts predate the region names; each serves one region. */
const LEGACY_DATA_HOSTS: Readonly<Record<string, string>> = {
  "us1.data.cloud.hpe.com": "us-west",
  "eu1.data.cloud.hpe.com": "eu-central",
  "jp1.data.cloud.hpe.com": "ap-northeast",
};

const REGIONAL_HOST = /^(global|[a-z]{2}-[a-z]+)\.api\.greenlake\.hpe\.com$/;

/** Region name for a server URL, or undefined when the host follows no known scheme. */
export function regionForServerUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return LEGACY_DATA_HOSTS[host] ?? REGIONAL_HOST.exec(host)?.[1];
}
