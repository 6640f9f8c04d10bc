/**
 * Every operation of the services users start with, through the SDK against
 * the Prism mocks: compute-ops-mgmt, private-cloud-business, identity,
 * credentials, authorization (both documents) and workspace.
 */
import { defineContractSuite } from "./support/contract-suite.js";

defineContractSuite("core services", ["compute-ops-mgmt", "private-cloud-business", "identity", "credentials", "authorization", "workspace"], 263);
