/** Setup file of the contract project: each test file starts once the shared mocks are up (./shared-ready.ts). */
import { awaitSharedMocks } from "./shared-ready.js";

await awaitSharedMocks();
