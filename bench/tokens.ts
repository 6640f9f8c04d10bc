/** However many calls start on a cold client at once, one token request is made. */
import { sdkClient } from "./contenders.js";
import { repeat, type Figure } from "./figure.js";
import { PAGE_PATH } from "./payload.js";

const CALLS = 500;

export const tokens: Figure = {
  name: "tokens",
  async run({ sdk, stub, runs }) {
    const values = await repeat(runs, async (run) => {
      // Tokens are cached per issuer and client id: an id of its own makes this client cold.
      const com = sdkClient(sdk, stub, { clientId: `bench-cold-client-${run}` }).computeOpsMgmt;
      await stub.reset();
      const answers = await Promise.all(Array.from({ length: CALLS }, () => com.GET(PAGE_PATH, { params: { query: { limit: 1 } } })));
      const failed = answers.filter((a) => a.error !== undefined).length;
      if (failed > 0) throw new Error(`token bench: ${failed} of ${CALLS} calls failed`);
      return { requests: (await stub.stats()).tokenRequests };
    });
    return { metrics: [{ name: `token requests for ${CALLS} concurrent cold calls`, unit: "requests", runs: values.requests, target: { op: "<=", value: 1 } }] };
  },
};
