#!/bin/bash
# Image pull time: `capsa pull` against `podman pull` of the same
# multi-layer image (about 190 MB unpacked, 4 gzip layers made from this
# machine's /usr: sbin, lib/python3.11, libexec, lib/python3) from a local
# docker-registry on 127.0.0.1, in ONE hyperfine run, then the ratio.
# Each run starts from an empty store (hyperfine --prepare removes it), so
# both programs download, verify and unpack every layer.
#
# Usage: bench/pull.sh      (as root; needs docker-registry, skopeo, podman,
#                            hyperfine, jq: scripts/deps.sh --bench)
# Environment: BENCH_RUNS (default 5), BENCH_WARMUP (default 1),
#              CAPSA (default build/capsa),
#              BENCH_FS=loop: put both stores on a fresh ext4 made in a
#              loop-mounted file (with a journal, as mkfs.ext4 makes it).
#              Without a journal (this development VM's root file
#              system) ext4 skips every inode number freed in the last
#              seconds to minutes when it allocates one, one inode-table
#              lookup each, so every run pays for the store the
#              --prepare step just removed: ~40% of capsa's CPU here.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=$PWD/bench/out/pull
CAPSA=${CAPSA:-$PWD/build/capsa}
RUNS=${BENCH_RUNS:-5}
WARMUP=${BENCH_WARMUP:-1}
LAYERS=(/usr/sbin /usr/lib/python3.11 /usr/libexec /usr/lib/python3)

say() { printf 'pull: %s\n' "$*"; }
die() {
	printf 'pull: error: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "run as root (podman's and capsa's root stores)"
for c in docker-registry skopeo podman hyperfine jq; do
	command -v "$c" >/dev/null || die "needs $c (scripts/deps.sh --bench)"
done
[ -x "$CAPSA" ] && [ -x "$(dirname "$CAPSA")/capsa-pull" ] || die "build capsa first (make)"

rm -rf "$OUT"
mkdir -p "$OUT"
REGDIR=$OUT/registry
STORES=$OUT
cleanup() {
	tests/fixtures/registry.sh stop "$REGDIR" || true
	rm -rf "$STORES/capsa-store" "$STORES/podman-root" "$STORES/podman-run"
	if [ "$STORES" != "$OUT" ]; then
		umount "$STORES" || true
		rm -f "$OUT/fs.img"
	fi
}
trap cleanup EXIT
if [ "${BENCH_FS:-}" = loop ]; then
	command -v mkfs.ext4 >/dev/null || die "BENCH_FS=loop needs mkfs.ext4"
	truncate -s 3G "$OUT/fs.img"
	mkfs.ext4 -q -F "$OUT/fs.img"
	mkdir -p "$OUT/fs"
	mount -o loop "$OUT/fs.img" "$OUT/fs"
	STORES=$OUT/fs
	say "stores on a fresh journaled ext4 (loop): $STORES"
fi

# --- the image: an OCI layout, one gzip layer per directory ----------------
L=$OUT/layout
mkdir -p "$L/blobs/sha256"
echo '{"imageLayoutVersion":"1.0.0"}' >"$L/oci-layout"
put() { # FILE -> "hex size", moved into the layout
	local h
	h=$(sha256sum "$1" | cut -d' ' -f1)
	echo "$h $(stat -c %s "$1")"
	mv "$1" "$L/blobs/sha256/$h"
}
diffs="[]" layers="[]" total=0
for d in "${LAYERS[@]}"; do
	[ -d "$d" ] || die "$d: missing (edit LAYERS)"
	tar --sort=name -C / -cf "$OUT/layer.tar" "${d#/}"
	total=$((total + $(stat -c %s "$OUT/layer.tar")))
	diff=$(sha256sum "$OUT/layer.tar" | cut -d' ' -f1)
	gzip -n -6 "$OUT/layer.tar"
	read -r h s < <(put "$OUT/layer.tar.gz")
	diffs=$(jq -c --arg d "sha256:$diff" '. + [$d]' <<<"$diffs")
	layers=$(jq -c --arg d "sha256:$h" --argjson s "$s" \
		'. + [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]' <<<"$layers")
done
jq -cn --argjson d "$diffs" '{architecture: "amd64", os: "linux", config: {},
	rootfs: {type: "layers", diff_ids: $d}}' >"$OUT/config.json"
read -r ch cs < <(put "$OUT/config.json")
jq -cn --arg c "sha256:$ch" --argjson cs "$cs" --argjson l "$layers" '{schemaVersion: 2,
	mediaType: "application/vnd.oci.image.manifest.v1+json",
	config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
	layers: $l}' >"$OUT/manifest.json"
read -r mh ms < <(put "$OUT/manifest.json")
jq -n --arg m "sha256:$mh" --argjson s "$ms" '{schemaVersion: 2, manifests: [
	{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $s,
	 annotations: {"org.opencontainers.image.ref.name": "big"}}]}' >"$L/index.json"
say "image: ${#LAYERS[@]} layers, $((total / 1048576)) MiB unpacked, $(($(du -sb "$L" | cut -f1) / 1048576)) MiB compressed"

# --- the registry -------------------------------------------------------
eval "$(tests/fixtures/registry.sh start plain "$REGDIR")"
skopeo copy --quiet --dest-tls-verify=false "oci:$L:big" "docker://$REG/bench/big:1"
IMG=$REG/bench/big:1

# --- one hyperfine run --------------------------------------------------
CS=$STORES/capsa-store
PR=$STORES/podman-root
PRUN=$STORES/podman-run
capsa_cmd="$CAPSA pull --quiet --storage $CS $IMG"
podman_cmd="podman --root $PR --runroot $PRUN --storage-driver overlay pull -q --tls-verify=false $IMG"
# Both must work before they are timed.
$capsa_cmd >/dev/null || die "capsa pull failed"
$podman_cmd >/dev/null || die "podman pull failed"
hyperfine -N --runs "$RUNS" --warmup "$WARMUP" --export-json "$OUT/pull.json" \
	--prepare "rm -rf $CS $PR $PRUN" \
	-n capsa "$capsa_cmd" -n podman "$podman_cmd"

c=$(jq '.results[] | select(.command == "capsa") | .mean' "$OUT/pull.json")
p=$(jq '.results[] | select(.command == "podman") | .mean' "$OUT/pull.json")
for n in capsa podman; do
	jq -r --arg n "$n" '.results[] | select(.command == $n) |
		"pull: \($n) CPU per run: \(.user * 100 | round / 100) s user + \(.system * 100 | round / 100) s sys"' \
		"$OUT/pull.json"
done
say "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v c="$c" -v p="$p" 'BEGIN { printf "pull: capsa %.3f s, podman %.3f s: capsa is %.2fx faster (target >= 1.5x)\n", c, p, p / c }'
