#!/bin/bash
# Image load: `capsa load` against `podman load` of the same oci-archive (a
# multi-layer image of realistic size, built from this host's /usr) in ONE
# hyperfine run, then the ratio.  Both start from an empty store every run
# (hyperfine --prepare), so each run decompresses, verifies and unpacks
# every layer.  podman uses its default overlay driver.  See bench/README.md.
#
# Usage: bench/image-load.sh        (as root)
# Environment:
#   BENCH_LOAD_RUNS=5  hyperfine --runs (each run unpacks the whole image)
#   CAPSA_BIN=build/capsa
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=$PWD/bench/out
CAPSA=${CAPSA_BIN:-build/capsa}
RUNS=${BENCH_LOAD_RUNS:-5}
JSON=$OUT/image-load.json
say() { printf 'image-load: %s\n' "$*"; }

[ "$(id -u)" -eq 0 ] || {
	say "needs root (podman's overlay store)"
	exit 1
}
for t in hyperfine jq podman tar gzip sha256sum; do
	command -v "$t" >/dev/null || {
		say "$t not installed; skipped"
		exit 0
	}
done
mkdir -p "$OUT"
work=$(mktemp -d /tmp/capsa-bl.XXXXXX) # podman wants a short runroot
trap 'podman --root "$work/pm" --runroot "$work/run" system reset -f >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The image: four gzip layers from /usr (about 200 MB unpacked).
img=$OUT/image-load.oci.tar
if [ ! -f "$img" ]; then
	say "building $img from /usr"
	lay=$work/layout
	mkdir -p "$lay/blobs/sha256"
	ls_json="[]"
	diffs="[]"
	for d in usr/sbin usr/share/perl usr/lib/python3 usr/include; do
		[ -d "/$d" ] || continue
		tar -C / --sort=name --mtime="2024-01-01" -cf "$work/l.tar" "$d" 2>/dev/null || true
		diff=$(sha256sum "$work/l.tar" | cut -d' ' -f1)
		gzip -n -1 -c "$work/l.tar" >"$work/l.tgz"
		h=$(sha256sum "$work/l.tgz" | cut -d' ' -f1)
		mv "$work/l.tgz" "$lay/blobs/sha256/$h"
		ls_json=$(jq -c --arg d "sha256:$h" --argjson s "$(stat -c %s "$lay/blobs/sha256/$h")" \
			'. + [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]' <<<"$ls_json")
		diffs=$(jq -c --arg d "sha256:$diff" '. + [$d]' <<<"$diffs")
	done
	rm -f "$work/l.tar"
	jq -n --argjson d "$diffs" '{architecture: "amd64", os: "linux", config: {Cmd: ["/bin/sh"]},
		rootfs: {type: "layers", diff_ids: $d}}' >"$work/config.json"
	c=$(sha256sum "$work/config.json" | cut -d' ' -f1)
	cp "$work/config.json" "$lay/blobs/sha256/$c"
	jq -n --arg c "sha256:$c" --argjson cs "$(stat -c %s "$work/config.json")" --argjson l "$ls_json" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: $l}' >"$work/manifest.json"
	m=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
	cp "$work/manifest.json" "$lay/blobs/sha256/$m"
	jq -n --arg m "sha256:$m" --argjson s "$(stat -c %s "$work/manifest.json")" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $m, size: $s, annotations: {"org.opencontainers.image.ref.name": "localhost/bench/load:1"}}]}' \
		>"$lay/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$lay/oci-layout"
	tar -C "$lay" -cf "$img.tmp" . && mv "$img.tmp" "$img"
	rm -rf "$lay"
fi
say "image: $(du -h "$img" | cut -f1) archive"

PM="podman --root $work/pm --runroot $work/run --storage-driver overlay --cgroup-manager cgroupfs --events-backend none"
hyperfine --runs "$RUNS" --export-json "$JSON" \
	--prepare "rm -rf $work/capsa-store" -n capsa "$CAPSA --storage $work/capsa-store load -i $img" \
	--prepare "$PM system reset -f >/dev/null 2>&1 || true" -n podman "$PM load -q -i $img"

c=$(jq '.results[] | select(.command == "capsa") | .mean' "$JSON")
p=$(jq '.results[] | select(.command == "podman") | .mean' "$JSON")
say "capsa $(awk -v v="$c" 'BEGIN{printf "%.3f", v}') s, podman $(awk -v v="$p" 'BEGIN{printf "%.3f", v}') s"
say "ratio podman/capsa: $(awk -v a="$p" -v b="$c" 'BEGIN{printf "%.2f", a / b}')x"
