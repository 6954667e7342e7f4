#!/bin/sh
# Refresh the vendored browser assets from npm at the pinned versions, so the
# product serves every script and stylesheet itself (no CDN; works offline).
# Run from the repository root: sh tools/vendor-assets.sh
set -eu
SWAGGER=swagger-ui-dist@5.35.0
REDOC=redoc@2.5.4
HTMX=htmx.org@4.0.1
CHART=chart.js@4.6.1
AXE=axe-core@4.14.1

static=api/console/static/vendor
tests=tests/browser/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack PACKAGE@VERSION into $work/NAME
    name=$1; spec=$2
    (cd "$work" && npm pack --silent "$spec" >/dev/null && mkdir "$name" && tar xzf ./*.tgz -C "$name" && rm ./*.tgz)
}

unpack swagger "$SWAGGER"; unpack redoc "$REDOC"; unpack htmx "$HTMX"; unpack chart "$CHART"; unpack axe "$AXE"

rm -rf "$static" "$tests"
mkdir -p "$static/swagger-ui" "$static/redoc" "$static/htmx" "$static/chartjs" "$tests"
cp "$work/swagger/package/swagger-ui-bundle.js" "$work/swagger/package/swagger-ui.css" \
   "$work/swagger/package/LICENSE" "$work/swagger/package/NOTICE" "$static/swagger-ui/"
cp "$work/swagger/package/swagger-ui-bundle.js.LICENSE.txt" "$static/swagger-ui/"
cp "$work/redoc/package/bundles/redoc.standalone.js" "$work/redoc/package/bundles/redoc.standalone.js.LICENSE.txt" \
   "$work/redoc/package/LICENSE" "$static/redoc/"
cp "$work/htmx/package/dist/htmx.min.js" "$work/htmx/package/LICENSE" "$static/htmx/"
cp "$work/chart/package/dist/chart.umd.min.js" "$work/chart/package/LICENSE.md" "$static/chartjs/"
cp "$work/axe/package/axe.min.js" "$work/axe/package/LICENSE" "$work/axe/package/LICENSE-3RD-PARTY.txt" "$tests/"
printf '%s\n' "$SWAGGER" "$REDOC" "$HTMX" "$CHART" > "$static/VERSIONS"
printf '%s\n' "$AXE" > "$tests/VERSIONS"
echo "vendored: $SWAGGER $REDOC $HTMX $CHART (in $static) and $AXE (in $tests)"
