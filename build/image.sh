#!/usr/bin/env bash
# build/image.sh — the one Whereabouts image, from Debian packages and our own publishes, with no registry:
#   /opt/whereabouts/cni/whereabouts          the plugin (Native AOT), which the installer copies to the host
#   /usr/local/bin/whereabouts-install        the installer (Native AOT)
#   /opt/whereabouts/node/whereabouts-node    the node agent (framework-dependent)
#   /opt/whereabouts/controller/…             the controller (framework-dependent)
#   /usr/share/dotnet                         one shared .NET runtime (host, Microsoft.NETCore.App, Microsoft.AspNetCore.App)
#   /bin/busybox and its applets              sh, sleep, ping, ls, cat: for `kubectl exec` while troubleshooting, and
#                                             what the sample pods in deploy/examples run (Debian's busybox-static, 2 MB)
# and writes a docker-archive tarball (manifest.json, config, one layer) that `docker load` and
# `ctr -n NS images import` accept: artifacts/image/whereabouts.tar, tagged $WHEREABOUTS_IMAGE.
#
# Why a shared runtime rather than self-contained publishes: the runtime is ~106 MB (NETCore.App 79 MB +
# AspNetCore.App 27 MB); a self-contained, untrimmed publish carries all of it per application (the node agent
# cannot be trimmed: LanguageExt is not trim-annotated), so two applications would carry it twice.
#
# Usage: build/image.sh [--no-publish]   (env: WHEREABOUTS_IMAGE, default localhost/whereabouts:dev; DOTNET_ROOT)
#   --no-publish  take the executables test.sh already published to artifacts/{cni,installer,node,controller}
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
image_name="${WHEREABOUTS_IMAGE:-localhost/whereabouts:dev}"
publish_now=true
[[ "${1:-}" == "--no-publish" ]] && publish_now=false
out="$repo/artifacts/image"
work="$out/work"
rootfs="$work/rootfs"
debs="$out/debs"
dotnet_root="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
# Libraries the runtime and the AOT executables load; a framework-dependent app needs no ICU (invariant globalization).
packages=(libc6 libgcc-s1 libstdc++6 libssl3 zlib1g busybox-static)

log() { printf '[image] %s\n' "$*" >&2; }
publish() { flock /tmp/wb-build.lock dotnet publish "$@" -c Release -nologo -clp:ErrorsOnly; }

rm -rf "$work"
mkdir -p "$rootfs" "$debs"

log "Debian packages: ${packages[*]}"
missing=()
for p in "${packages[@]}"; do
    compgen -G "$debs/${p}_*.deb" >/dev/null || missing+=("$p")
done
if ((${#missing[@]})); then
    (cd "$debs" && apt-get download "${missing[@]}" >/dev/null) \
        || (apt-get update -q >/dev/null && cd "$debs" && apt-get download "${missing[@]}" >/dev/null)
fi
for deb in "$debs"/*.deb; do
    dpkg-deb -x "$deb" "$rootfs"
done
# Debian 12 is merged-/usr: the packages ship /lib… paths, the loader is looked up at /lib64.
for d in bin sbin lib lib64; do
    if [[ -d "$rootfs/$d" && ! -L "$rootfs/$d" ]]; then
        mkdir -p "$rootfs/usr/$d"
        cp -a "$rootfs/$d/." "$rootfs/usr/$d/"
        rm -rf "${rootfs:?}/$d"
    fi
    ln -sfn "usr/$d" "$rootfs/$d"
done
rm -rf "$rootfs/usr/share/doc" "$rootfs/usr/share/man" "$rootfs/usr/share/lintian" "$rootfs/usr/share/locale"

if $publish_now; then
    log "publish the plugin and the installer (Native AOT), the node agent and the controller"
    publish src/Whereabouts.Plugin -o artifacts/cni
    publish src/Whereabouts.Installer -r linux-x64 -o artifacts/installer
    publish src/Whereabouts.Node -o artifacts/node
    publish src/Whereabouts.Controller -o artifacts/controller
fi
for exe in cni/whereabouts installer/whereabouts-install node/whereabouts-node controller/whereabouts-controller; do
    [[ -x "artifacts/$exe" ]] || { log "ERROR: artifacts/$exe is missing: run build/image.sh without --no-publish"; exit 1; }
done
install -D -m 0755 artifacts/cni/whereabouts "$rootfs/opt/whereabouts/cni/whereabouts"
install -D -m 0755 artifacts/installer/whereabouts-install "$rootfs/usr/local/bin/whereabouts-install"
for app in node controller; do
    mkdir -p "$rootfs/opt/whereabouts/$app"
    cp -a "artifacts/$app/." "$rootfs/opt/whereabouts/$app/"
    ln -sfn "/opt/whereabouts/$app/whereabouts-$app" "$rootfs/usr/local/bin/whereabouts-$app"
done
find "$rootfs/opt/whereabouts" -name '*.pdb' -delete
# The agent and the controller ship the same libraries (KubernetesClient, LanguageExt, ours: 19 MB): a hard link
# makes the layer hold each once.
for f in "$rootfs/opt/whereabouts/controller"/*; do
    twin="$rootfs/opt/whereabouts/node/$(basename "$f")"
    if [[ -f "$twin" && -f "$f" ]] && cmp -s "$f" "$twin"; then ln -f "$twin" "$f"; fi
done

log "the shared .NET runtime from $dotnet_root"
netcore=$(ls -d "$dotnet_root"/shared/Microsoft.NETCore.App/*/ | sort -V | tail -1)
aspnet=$(ls -d "$dotnet_root"/shared/Microsoft.AspNetCore.App/*/ | sort -V | tail -1)
mkdir -p "$rootfs/usr/share/dotnet/shared/Microsoft.NETCore.App" "$rootfs/usr/share/dotnet/shared/Microsoft.AspNetCore.App"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$rootfs/usr/share/dotnet/"
cp -a "$netcore" "$rootfs/usr/share/dotnet/shared/Microsoft.NETCore.App/"
cp -a "$aspnet" "$rootfs/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
ln -sfn /usr/share/dotnet/dotnet "$rootfs/usr/bin/dotnet"
# The debugger's and crash dumper's native parts (9 MB) serve no one in a node container.
rm -f "$rootfs"/usr/share/dotnet/shared/Microsoft.NETCore.App/*/{libmscordbi.so,libmscordaccore.so,createdump}

# busybox's applets as links, as Debian's busybox package would make them (busybox-static makes none).
for applet in sh ls cat sleep ping ip ps df du find grep head tail wget; do
    ln -sfn busybox "$rootfs/usr/bin/$applet"
done

mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/run" "$rootfs/var/run" "$rootfs/root"
chmod 1777 "$rootfs/tmp"
printf 'root:x:0:0:root:/root:/nonexistent\nnobody:x:65534:65534:nobody:/nonexistent:/nonexistent\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"

log "the layer and the docker-archive"
archive="$work/archive"
mkdir -p "$archive"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$rootfs" -cf "$work/layer.tar" .
layer_sha=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
mkdir -p "$archive/$layer_sha"
mv "$work/layer.tar" "$archive/$layer_sha/layer.tar"
jq -n --arg diff "sha256:$layer_sha" '{
    architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z",
    config: {
        Env: ["PATH=/usr/local/bin:/usr/bin:/bin", "DOTNET_ROOT=/usr/share/dotnet", "DOTNET_CLI_TELEMETRY_OPTOUT=1"],
        Entrypoint: ["/usr/local/bin/whereabouts-install"],
        WorkingDir: "/"
    },
    rootfs: { type: "layers", diff_ids: [$diff] },
    history: [{ created: "1970-01-01T00:00:00Z", created_by: "build/image.sh" }]
}' >"$work/config.json"
config_sha=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$archive/$config_sha.json"
jq -n --arg config "$config_sha.json" --arg tag "$image_name" --arg layer "$layer_sha/layer.tar" \
    '[{ Config: $config, RepoTags: [$tag], Layers: [$layer] }]' >"$archive/manifest.json"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$archive" -cf "$out/whereabouts.tar" .
rm -rf "$work"
size=$(du -m "$out/whereabouts.tar" | cut -f1)
gzipped=$(gzip -1 -c "$out/whereabouts.tar" | wc -c)
echo "image $image_name: $out/whereabouts.tar, ${size} MB (gzip: $((gzipped / 1048576)) MB)"
