/** Runs the mocks in a process of its own, for tests of what an interrupt leaves behind. */
import { startMocks } from "../../../src/testing/index.js";

await startMocks({ services: ["credentials"] });
process.stdout.write(`ready ${process.pid}\n`);
// Stay alive until a signal arrives.
setInterval(() => {}, 60_000);
