// Writes the build's file list and a build id into dist/sw.js (what Workbox's injectManifest does,
// in twenty lines): the service worker precaches exactly this build's shell, and a new build is a
// new sw.js, which makes the browser install it and drop the previous shell cache.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const root = process.argv[2] ?? "dist";
// Compressed copies are the server's business; the worker itself and index.html (cached as "/") aside.
const SKIP = /(\.br|\.gz|\.map)$|^sw\.js$|^index\.html$/;

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

const hash = createHash("sha256");
const urls = ["/"];
hash.update(readFileSync(join(root, "index.html")));
for (const path of files(root)) {
  const name = relative(root, path).split(sep).join("/");
  if (SKIP.test(name)) continue;
  urls.push(`/${name}`);
  hash.update(name).update(readFileSync(path));
}
const build = hash.digest("hex").slice(0, 16);

const target = join(root, "sw.js");
const source = readFileSync(target, "utf8");
const injected = source
  .replace('const BUILD = "dev";', `const BUILD = ${JSON.stringify(build)};`)
  .replace("const PRECACHE = [];", `const PRECACHE = ${JSON.stringify(urls)};`);
if (!injected.includes(build) || injected.includes("const PRECACHE = [];")) {
  throw new Error(`${target}: the BUILD / PRECACHE placeholders were not found`);
}
writeFileSync(target, injected);
console.log(`service worker: build ${build}, ${urls.length} files to precache`);
