#!/usr/bin/env node
/** The `glp` executable: wires the process (streams, environment, Ctrl-C) to run(). */
import { setFlagsFromString } from "node:v8";
import { readPackageVersion } from "./version.js";

// A command makes a few requests and exits. After the first answer V8 starts compiling undici's HTTP parser
// (WebAssembly) with its optimising compiler, and the process cannot exit before that compile ends: about
// 170 ms of every command. A larger tiering budget keeps a short command on the baseline code; a long
// listing still gets the optimised parser once it has parsed enough.
setFlagsFromString("--wasm-tiering-budget=20000000");

const controller = new AbortController();
let interrupts = 0;
process.on("SIGINT", () => {
  // The first Ctrl-C stops the command cleanly; a second one does not wait.
  if (++interrupts > 1) process.exit(130);
  controller.abort(Object.assign(new Error("interrupted"), { name: "AbortError" }));
});
// A closed pipe (glp ... | head) ends the command quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
});

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // The commonest probe loads nothing else.
  process.stdout.write(`${readPackageVersion()}\n`);
} else {
  // No top-level await: the package also ships this file as CommonJS.
  void import("./run.js").then(({ run }) => run(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    signal: controller.signal,
  })).then((code) => {
    process.exitCode = code;
    // Interrupted: do not wait for sockets and timers that the aborted work left behind.
    if (controller.signal.aborted) process.exit(code);
  });
}
