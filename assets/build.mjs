// Builds src/egov/core/static/dist/ from assets/ and node_modules (run: npm run build).
//   egov.css      USWDS 3 re-themed + our components (Sass, compressed)
//   img/…         only the USWDS images egov.css or the templates refer to
//   htmx.min.js   from the htmx.org package
//   app.js        our progressive enhancements
// and a .gz (gzip -9) and .br (brotli, max quality) sibling for every file, so
// WhiteNoise serves them compressed. Prints raw / gzip / brotli sizes.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants as zc, gzipSync } from "node:zlib";
import * as sass from "sass";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const uswds = join(modules, "@uswds", "uswds");
const dist = join(root, "src", "egov", "core", "static", "dist");
const CSS_GZIP_BUDGET = 35 * 1024;

function buildCss() {
  const result = sass.compile(join(root, "assets", "scss", "egov.scss"), {
    loadPaths: [join(uswds, "packages")],
    quietDeps: true,
    style: "compressed",
  });
  writeFileSync(join(dist, "egov.css"), result.css + "\n");
  return result.css;
}

// Images the templates use directly (<img src="{% asset 'dist/img/…' %}">).
const TEMPLATE_IMAGES = ["usa-icons/close.svg"];

// Copy the images egov.css refers to (url("img/…")) and TEMPLATE_IMAGES, nothing else.
function copyReferencedImages(css) {
  const seen = new Set();
  const fromCss = Array.from(css.matchAll(/url\(["']?img\/([^"')]+)["']?\)/g), (match) => match[1]);
  for (const ref of fromCss.concat(TEMPLATE_IMAGES)) {
    const rel = ref.split(/[?#]/)[0];
    if (seen.has(rel)) continue;
    seen.add(rel);
    const target = join(dist, "img", rel);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(uswds, "dist", "img", rel), target);
  }
  return seen.size;
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

function compressAll() {
  const rows = [];
  for (const path of walk(dist)) {
    if (path.endsWith(".gz") || path.endsWith(".br")) continue;
    const raw = readFileSync(path);
    const gz = gzipSync(raw, { level: 9 });
    const br = brotliCompressSync(raw, {
      params: {
        [zc.BROTLI_PARAM_QUALITY]: zc.BROTLI_MAX_QUALITY,
        [zc.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
    writeFileSync(path + ".gz", gz);
    writeFileSync(path + ".br", br);
    rows.push([relative(dist, path), raw.length, gz.length, br.length]);
  }
  return rows.sort((a, b) => b[1] - a[1]);
}

function kb(n) {
  return (n / 1024).toFixed(1).padStart(7) + " KB";
}

function main() {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  const css = buildCss();
  const images = copyReferencedImages(css);
  copyFileSync(join(modules, "htmx.org", "dist", "htmx.min.js"), join(dist, "htmx.min.js"));
  copyFileSync(join(root, "assets", "js", "app.js"), join(dist, "app.js"));
  const rows = compressAll();

  console.log(`egov assets -> ${relative(root, dist)}/ (${images} images referenced by the CSS)`);
  console.log("file".padEnd(44) + "raw".padStart(10) + "gzip".padStart(10) + "brotli".padStart(10));
  for (const [name, raw, gz, br] of rows) {
    if (name.startsWith("img/")) continue;
    console.log(name.padEnd(44) + kb(raw) + kb(gz) + kb(br));
  }
  const imgRows = rows.filter((row) => row[0].startsWith("img/"));
  const sum = (i) => imgRows.reduce((total, row) => total + row[i], 0);
  console.log(`img/ (${imgRows.length} files)`.padEnd(44) + kb(sum(1)) + kb(sum(2)) + kb(sum(3)));

  const cssGz = rows.find((row) => row[0] === "egov.css")[2];
  if (cssGz > CSS_GZIP_BUDGET) {
    console.error(`egov.css is ${kb(cssGz).trim()} gzipped, over the ${CSS_GZIP_BUDGET / 1024} KB budget`);
    process.exit(1);
  }
}

main();
