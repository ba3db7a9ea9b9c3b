// Converts files to WebP with sharp, as a NestJS peer does: rotate by EXIF, save WebP.
//   node bench/convert_sharp.mjs QUALITY EFFORT FILE...
// sharp runs libvips with one thread here, like the worker, so the libraries compare one to one.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import sharp from "sharp";

const [quality, effort, ...files] = process.argv.slice(2);
sharp.concurrency(1);
sharp.cache(false);
const out = mkdtempSync(join(tmpdir(), "pixelflow-sharp-"));
const seconds = [];
const sizes = [];
let peak = process.memoryUsage.rss();
const started = performance.now();
for (const [index, file] of files.entries()) {
  const target = join(out, `${index}.webp`);
  const begin = performance.now();
  await sharp(file).rotate().webp({ quality: Number(quality), effort: Number(effort) }).toFile(target);
  seconds.push((performance.now() - begin) / 1000);
  sizes.push(statSync(target).size);
  peak = Math.max(peak, process.memoryUsage.rss());
}
const wall = (performance.now() - started) / 1000;
rmSync(out, { recursive: true });
// resourceUsage().maxRSS is the kernel's peak (KiB), sampling between images could miss it.
const peakRss = Math.max(peak / 1048576, process.resourceUsage().maxRSS / 1024);
process.stdout.write(JSON.stringify({ library: "sharp", wall_seconds: wall, seconds, sizes, peak_rss_mb: peakRss }));
