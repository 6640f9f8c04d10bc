// TypeDoc plugin: names each documented module by its import path
// (`greenlake-sdk/compute-ops-mgmt`) rather than its source folder.
import { Converter, ReflectionKind } from "typedoc";
import { readFileSync } from "node:fs";

const { name: packageName } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

function importPath(moduleName) {
  if (moduleName === "src") return packageName;
  if (moduleName === "src/testing") return `${packageName}/testing`;
  const service = /^generated\/entries\/(.+)$/.exec(moduleName);
  return service ? `${packageName}/${service[1]}` : moduleName;
}

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const mod of context.project.getReflectionsByKind(ReflectionKind.Module)) mod.name = importPath(mod.name);
  });
}
