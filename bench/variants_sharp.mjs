// Makes the variant set of each file with sharp, its idiomatic way: one pipeline per output from the
// file (sharp shrinks on load by itself when resizing a JPEG), rotated by EXIF.
//   node bench/variants_sharp.mjs QUALITY EFFORT VARIANT_EFFORT FILE...
// The set: full-size WebP, 128×128 cover thumbnail, the widths narrower than the image, and the
// 50×50 RGBA pixels (as the worker) a ThumbHash is computed from (the hash's own arithmetic, ~1 ms, is left out:
// no maintained ThumbHash package is installed here). `--full` as the first argument: full WebP only.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import sharp from "sharp";

const args = process.argv.slice(2);
const fullOnly = args[0] === "--full";
const [quality, effort, variantEffort, ...files] = fullOnly ? args.slice(1) : args;
const widths = [320, 640, 1280, 2048];
sharp.concurrency(1);
sharp.cache(false);
const seconds = [];
const cpu = [];
const sizes = [];
const started = performance.now();
for (const file of files) {
  const out = mkdtempSync(join(tmpdir(), "pixelflow-sharp-variants-"));
  const begin = performance.now();
  const beginCpu = process.cpuUsage();
  const main = { quality: Number(quality), effort: Number(effort) };
  const small = { quality: Number(quality), effort: Number(variantEffort) };
  await sharp(file).rotate().webp(main).toFile(join(out, "optimized.webp"));
  if (!fullOnly) {
    const meta = await sharp(file).metadata();
    const upright = (meta.orientation ?? 1) >= 5 ? meta.height : meta.width;
    for (const width of widths.filter((w) => w < upright)) {
      await sharp(file).rotate().resize({ width }).webp(small).toFile(join(out, `w${width}.webp`));
    }
    await sharp(file).rotate().resize(128, 128, { fit: "cover" }).webp(small).toFile(join(out, "thumbnail.webp"));
    await sharp(file).rotate().resize(50, 50, { fit: "inside" }).ensureAlpha().raw().toBuffer();
  }
  seconds.push((performance.now() - begin) / 1000);
  const used = process.cpuUsage(beginCpu);
  cpu.push((used.user + used.system) / 1e6);
  sizes.push(readdirSync(out).reduce((sum, name) => sum + statSync(join(out, name)).size, 0));
  rmSync(out, { recursive: true });
}
const wall = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({
    way: fullOnly ? "sharp-full" : "sharp-set",
    wall_seconds: wall,
    seconds,
    cpu_seconds: cpu.reduce((a, b) => a + b, 0),
    sizes,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
  }),
);
