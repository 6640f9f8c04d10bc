import { startMocks } from "./src/testing/index.js";
const services = process.argv.slice(2);
const t = Date.now();
const m = await startMocks(services.length ? { services } : {});
console.log(services.join(",") || "all", "started in", Date.now() - t, "ms");
await m.stop();
