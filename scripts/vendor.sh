#!/usr/bin/env bash
# Vendor Threadline's front-end assets from the npm registry into static/vendor/.
#
# No CDN is used at runtime: every JS/CSS/font asset is served from static/vendor/<npm-name>/.
# Run via `make vendor` or `bash scripts/vendor.sh`. Needs node + npm (registry access only).
#
# What it does, per pinned package:
#   1. `npm pack NAME@VERSION` into a temp dir (tarball only: no dependencies, no install scripts);
#   2. checks the tarball's sha512 against `npm view NAME@VERSION dist.integrity`;
#   3. copies the selected files (plus the package's LICENSE/NOTICE, plus any source map a copied
#      file points at via sourceMappingURL, so Django's ManifestStaticFilesStorage / WhiteNoise
#      collectstatic does not fail on a missing .map);
#   4. refuses any copied file that references a CDN host;
#   5. swaps the result into static/vendor/ and writes static/vendor/manifest.json.
# static/vendor/README.md is hand-written and left alone.
set -euo pipefail

# ---------------------------------------------------------------------------
# Pinned versions (check with: npm view NAME versions --json)
# ---------------------------------------------------------------------------
BOOTSTRAP_VERSION="5.3.8"         # latest 5.3.x
BOOTSTRAP_ICONS_VERSION="1.13.2"  # latest 1.x
HTMX_VERSION="2.0.11"             # latest 2.0.x (npm "latest" tag is 4.x; we stay on 2.0)
CHARTJS_VERSION="4.6.1"           # latest 4.x
MERMAID_VERSION="11.17.2"         # latest 11.x (npm "latest" tag is 12.x; we stay on 11)
SWAGGER_UI_VERSION="5.35.0"       # latest 5.x

# Hosts that must not appear in any vendored (non-.map) file.
CDN_PATTERN='cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|ajax\.googleapis\.com|fonts\.googleapis\.com|fonts\.gstatic\.com|esm\.sh|cdn\.skypack\.dev|esm\.run|code\.jquery\.com|stackpath\.bootstrapcdn\.com|maxcdn\.bootstrapcdn\.com'

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR_DIR="$ROOT/static/vendor"

for tool in node npm tar; do
  command -v "$tool" >/dev/null 2>&1 || { echo "vendor.sh: '$tool' is required" >&2; exit 1; }
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/threadline-vendor.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/tgz" "$TMP/src" "$TMP/out"
META="$TMP/meta.tsv"   # name \t version \t integrity \t license \t tarball-url
: >"$META"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'vendor.sh: ERROR: %s\n' "$*" >&2; exit 1; }

npmq() { npm --loglevel=error "$@"; }

# fetch NAME VERSION -> unpacks into $TMP/src/NAME/package, records metadata
fetch() {
  local name="$1" version="$2" view tgz expected actual license tarball
  log "fetching $name@$version"
  view="$(npmq view "$name@$version" version dist.integrity dist.tarball license --json)"
  [ -n "$view" ] || die "npm view returned nothing for $name@$version"
  # shellcheck disable=SC2016
  IFS=$'\t' read -r got_version expected tarball license < <(
    node -e '
      const d = JSON.parse(process.argv[1]);
      const lic = typeof d.license === "string" ? d.license : (d.license && d.license.type) || "";
      process.stdout.write([d.version, d["dist.integrity"], d["dist.tarball"], lic].join("\t") + "\n");
    ' "$view")
  [ "$got_version" = "$version" ] || die "$name: npm view resolved $got_version, expected $version"
  [[ "$expected" == sha512-* ]] || die "$name@$version: no sha512 integrity in registry metadata"

  tgz="$(cd "$TMP/tgz" && npmq pack "$name@$version" --ignore-scripts --json \
          | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(JSON.parse(s)[0].filename))')"
  [ -f "$TMP/tgz/$tgz" ] || die "$name@$version: npm pack did not produce $tgz"

  actual="sha512-$(node -e '
    const h = require("crypto").createHash("sha512");
    h.update(require("fs").readFileSync(process.argv[1]));
    process.stdout.write(h.digest("base64"));
  ' "$TMP/tgz/$tgz")"
  [ "$actual" = "$expected" ] || die "$name@$version: integrity mismatch (got $actual, registry says $expected)"

  mkdir -p "$TMP/src/$name"
  tar -xzf "$TMP/tgz/$tgz" -C "$TMP/src/$name" --no-same-owner
  [ -d "$TMP/src/$name/package" ] || die "$name@$version: unexpected tarball layout"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$version" "$expected" "$license" "$tarball" >>"$META"
}

# put NAME SRC DEST : copy package file SRC (relative to the package root) to
# static/vendor/NAME/DEST (staged), and bring along the source map it references, if any.
put() {
  local name="$1" src="$2" dest="$3"
  local from="$TMP/src/$name/package/$src" to="$TMP/out/$name/$dest"
  [ -f "$from" ] || die "$name: file '$src' not found in package"
  mkdir -p "$(dirname "$to")"
  cp "$from" "$to"
  case "$src" in *.map) return 0 ;; esac
  # A trailing `//# sourceMappingURL=x` / `/*# sourceMappingURL=x */` comment.
  local map
  map="$(tail -c 1024 "$from" | grep -aoE "[#@] sourceMappingURL=[^ *\"']+" | tail -n 1 | sed 's/^.*sourceMappingURL=//' || true)"
  if [ -n "$map" ] && [[ "$map" != data:* ]] && [[ "$map" != *://* ]]; then
    local map_src map_dest
    map_src="$(dirname "$src")/$map"; map_src="${map_src#./}"
    map_dest="$(dirname "$dest")/$map"; map_dest="${map_dest#./}"
    [ -f "$TMP/src/$name/package/$map_src" ] \
      || die "$name: '$src' references source map '$map' which the package does not ship"
    mkdir -p "$(dirname "$TMP/out/$name/$map_dest")"
    cp "$TMP/src/$name/package/$map_src" "$TMP/out/$name/$map_dest"
  fi
}

# put_licenses NAME : copy LICENSE*/NOTICE* from the package root, if present.
put_licenses() {
  local name="$1" f found=0
  for f in "$TMP/src/$name/package"/LICENSE* "$TMP/src/$name/package"/LICENCE* "$TMP/src/$name/package"/NOTICE*; do
    [ -f "$f" ] || continue
    put "$name" "$(basename "$f")" "$(basename "$f")"
    found=1
  done
  [ "$found" = 1 ] || log "warning: $name ships no LICENSE file"
}

# ---------------------------------------------------------------------------
# Fetch
# ---------------------------------------------------------------------------
fetch bootstrap        "$BOOTSTRAP_VERSION"
fetch bootstrap-icons  "$BOOTSTRAP_ICONS_VERSION"
fetch htmx.org         "$HTMX_VERSION"
fetch chart.js         "$CHARTJS_VERSION"
fetch mermaid          "$MERMAID_VERSION"
fetch swagger-ui-dist  "$SWAGGER_UI_VERSION"

# ---------------------------------------------------------------------------
# Select files (destination paths are relative to static/vendor/<npm-name>/)
# ---------------------------------------------------------------------------
# Bootstrap
put bootstrap dist/css/bootstrap.min.css       css/bootstrap.min.css        # + css/bootstrap.min.css.map
put bootstrap dist/js/bootstrap.bundle.min.js  js/bootstrap.bundle.min.js   # + js/bootstrap.bundle.min.js.map
put_licenses bootstrap

# Bootstrap Icons: the CSS refers to url("fonts/bootstrap-icons.woff2?..."), so keep fonts/ beside it.
put bootstrap-icons font/bootstrap-icons.min.css bootstrap-icons.min.css
shopt -s nullglob
icon_fonts=("$TMP/src/bootstrap-icons/package/font/fonts/"*.woff "$TMP/src/bootstrap-icons/package/font/fonts/"*.woff2)
shopt -u nullglob
[ "${#icon_fonts[@]}" -gt 0 ] || die "bootstrap-icons: no woff/woff2 fonts found"
for f in "${icon_fonts[@]}"; do
  put bootstrap-icons "font/fonts/$(basename "$f")" "fonts/$(basename "$f")"
done
put_licenses bootstrap-icons

# htmx
put htmx.org dist/htmx.min.js htmx.min.js
put_licenses htmx.org

# Chart.js: in 4.x dist/chart.umd.js is already minified; fall back to chart.umd.min.js.
if [ -f "$TMP/src/chart.js/package/dist/chart.umd.js" ]; then
  put chart.js dist/chart.umd.js chart.umd.js
else
  put chart.js dist/chart.umd.min.js chart.umd.min.js
fi
put_licenses chart.js

# Mermaid: single-file IIFE/UMD build (sets globalThis.mermaid, no chunk loading).
put mermaid dist/mermaid.min.js mermaid.min.js
put_licenses mermaid

# Swagger UI
put swagger-ui-dist swagger-ui.css                   swagger-ui.css
put swagger-ui-dist swagger-ui-bundle.js             swagger-ui-bundle.js
put swagger-ui-dist swagger-ui-standalone-preset.js  swagger-ui-standalone-preset.js
put swagger-ui-dist favicon-32x32.png                favicon-32x32.png
put_licenses swagger-ui-dist

# ---------------------------------------------------------------------------
# No CDN references in anything a browser will execute/parse (source maps excluded).
# ---------------------------------------------------------------------------
cdn_rc=0
cdn_hits="$(grep -rlaiE --exclude='*.map' "$CDN_PATTERN" "$TMP/out")" || cdn_rc=$?
case "$cdn_rc" in
  0) printf '%s\n' "$cdn_hits" | sed "s|$TMP/out/|static/vendor/|" >&2
     die "the files above reference a CDN host" ;;
  1) ;;  # no match
  *) die "CDN scan failed (grep exit $cdn_rc)" ;;
esac

# ---------------------------------------------------------------------------
# Swap into place and write the manifest.
# ---------------------------------------------------------------------------
mkdir -p "$VENDOR_DIR"
node - "$META" "$TMP/out" "$VENDOR_DIR" <<'NODE'
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const [metaFile, outDir, vendorDir] = process.argv.slice(2);

const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
  const p = path.join(dir, e.name);
  return e.isDirectory() ? walk(p) : [p];
});
const posix = (p) => p.split(path.sep).join("/");

// Remove package directories listed in a previous manifest that are no longer vendored.
const manifestPath = path.join(vendorDir, "manifest.json");
const rows = fs.readFileSync(metaFile, "utf8").trim().split("\n").map((l) => l.split("\t"));
const current = new Set(rows.map((r) => r[0]));
if (fs.existsSync(manifestPath)) {
  try {
    for (const p of JSON.parse(fs.readFileSync(manifestPath, "utf8")).packages || []) {
      if (p && typeof p.name === "string" && /^[a-z0-9][a-z0-9._-]*$/.test(p.name) && !current.has(p.name)) {
        fs.rmSync(path.join(vendorDir, p.name), { recursive: true, force: true });
      }
    }
  } catch (e) { /* unreadable old manifest: nothing to clean */ }
}

const packages = rows.map(([name, version, integrity, license, tarball]) => {
  const staged = path.join(outDir, name);
  const files = walk(staged).map((f) => {
    const buf = fs.readFileSync(f);
    return {
      path: "vendor/" + name + "/" + posix(path.relative(staged, f)),
      bytes: buf.length,
      sha256: crypto.createHash("sha256").update(buf).digest("hex"),
    };
  }).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const dest = path.join(vendorDir, name);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(staged, dest, { recursive: true });
  return { name, version, integrity, license, tarball, files };
});

const manifest = {
  comment: "Generated by scripts/vendor.sh - do not edit. File paths are relative to static/ (use with {% static %}).",
  packages,
};
fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
NODE

log "done: $(du -sh "$VENDOR_DIR" | cut -f1) in static/vendor"
(cd "$ROOT/static" && find vendor -type f | LC_ALL=C sort)
