// Rebuilds the committed widget under bot/desk/static/vendor/webchat/ from the npm package (see README.md).
// rasa-webchat ships a self-contained UMD bundle (React, socket.io-client, styles) in lib/index.js; we take it as is,
// except for the Google Fonts @import lines, so that the page never reaches a CDN at run time.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, "node_modules", "rasa-webchat");
const outDir = join(here, "..", "bot", "desk", "static", "vendor", "webchat");
const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
if (pkg.version !== "1.0.1") throw new Error(`expected rasa-webchat 1.0.1, found ${pkg.version}`);

const source = readFileSync(join(pkgDir, "lib", "index.js"));
const fontImport = /@import url\(https:\/\/fonts\.googleapis\.com\/css\?[^)]*\);/g;
let built = source.toString("utf8").replace(fontImport, "");
// Let the page pass socket.io client options (window.WEBCHAT_SOCKET_OPTIONS, e.g. {transports: ["polling"]}):
// the widget only passes `path`. Rasa 3.6's Sanic 21.12 websocket transport fails on Python 3.11.
const socketOptions = "var r=n?{path:n}:{},o=zo()(e,r);";
if (built.split(socketOptions).length !== 2) throw new Error("socket.io options hook not found exactly once");
built = built.replace(socketOptions,
  "var r=Object.assign(n?{path:n}:{},window.WEBCHAT_SOCKET_OPTIONS||{}),o=zo()(e,r);");
if (/fonts\.googleapis\.com/.test(built)) throw new Error("a Google Fonts reference is left in the bundle");
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, "webchat.js"), built);
writeFileSync(join(outDir, "LICENSE"), readFileSync(join(pkgDir, "LICENSE")));

// Licences of the runtime packages the bundle was made from (rasa-webchat's dependencies and React).
const skip = new Set(["html-webpack-plugin", "socket.io"]); // build tooling / server side, not in the bundle
const seen = new Map();
function walk(name) {
  if (seen.has(name) || skip.has(name)) return;
  const dir = join(here, "node_modules", name);
  if (!existsSync(join(dir, "package.json"))) return;
  const p = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  seen.set(name, `${p.name}@${p.version} ${typeof p.license === "string" ? p.license : JSON.stringify(p.license || p.licenses)}`);
  for (const dep of Object.keys(p.dependencies || {})) walk(dep);
}
for (const dep of [...Object.keys(pkg.dependencies), "react", "react-dom"]) walk(dep);
const notices = [...seen.values()].sort().join("\n");

writeFileSync(join(outDir, "BUILD.txt"), [
  "rasa-webchat 1.0.1 (https://www.npmjs.com/package/rasa-webchat, Apache-2.0, see LICENSE)",
  "Made by web/build.mjs: cd web && npm ci --ignore-scripts && npm run build",
  `source lib/index.js sha256 ${sha256(source)}`,
  `webchat.js         sha256 ${sha256(Buffer.from(built))}`,
  "Changes: the Google Fonts @import lines are removed (no CDN at run time); the socket.io client also takes",
  "window.WEBCHAT_SOCKET_OPTIONS (the widget passes only `path`); nothing else.",
  "",
  "Runtime packages (as resolved by web/package-lock.json) and their licences:",
  notices,
  "",
].join("\n"));
console.log(`wrote ${outDir}/webchat.js (${built.length} bytes)`);
