// Every operation of HPE's documents with a request body, on the wire (npm run test:all; npm test sends one of
// each kind: media-types.test.ts).
import { describeBodiesOnTheWire, withBody } from "./support/bodies-on-the-wire.js";

describeBodiesOnTheWire("every operation with a body, against a loopback server", withBody, 200);
