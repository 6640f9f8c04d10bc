/** The remaining services' operations, so the suite covers all of HPE's documents where Prism can serve them. */
import { serviceKeys } from "../../generated/services/index.js";
import { defineContractSuite } from "./support/contract-suite.js";

const core = new Set<string>(["compute-ops-mgmt", "private-cloud-business", "identity", "credentials", "authorization", "workspace"]);

defineContractSuite(
  "other services",
  serviceKeys.filter((s) => !core.has(s)),
);
