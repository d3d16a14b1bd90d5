#!/usr/bin/env bash
# Packs what scripts/device-check.sh needs on a GPU machine that has no Node.js and no network,
# compressed, under .device-pack/ (gitignored; carried with the working tree, 64 MiB in all):
#   node.tar.xz       this machine's node binary
#   runtime.tar.xz    dist/ (built) and node_modules/ without build tools, type declarations,
#                     source maps and the webgpu binaries of other platforms
#   libvulkan1.deb    Debian's Vulkan loader (Dawn's hardware backend on Linux needs libvulkan.so.1)
# Run here after `npm ci && node scripts/build.mjs`:   bash scripts/device-pack.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PACK=.device-pack
rm -rf "$PACK"
mkdir -p "$PACK"
test -d dist/src -a -d node_modules/webgpu || { echo "device-pack: build first (npm ci && node scripts/build.mjs)" >&2; exit 1; }

NODE_BIN="$(command -v node)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/node/bin"
cp "$(readlink -f "$NODE_BIN")" "$tmp/node/bin/node"
tar -C "$tmp" -cf - node | xz -6 -T2 > "$PACK/node.tar.xz"

# node_modules that the device check runs (tests, bench): without compilers, declarations, maps,
# browser bundles of tfjs and other platforms' Dawn builds
tar -cf - \
  --exclude='node_modules/typescript' --exclude='node_modules/binaryen' --exclude='node_modules/assemblyscript' \
  --exclude='node_modules/@types' --exclude='node_modules/@webgpu' --exclude='node_modules/@tensorflow/tfjs-backend-webgl' \
  --exclude='node_modules/webgpu/dist/darwin-universal' --exclude='node_modules/webgpu/dist/win32-*' --exclude='node_modules/webgpu/dist/linux-arm64' \
  --exclude='*.map' --exclude='*.d.ts' --exclude='*.min.js' --exclude='*.es2017.js' --exclude='*.esm.js' --exclude='*.fesm.js' \
  --exclude='node_modules/@tensorflow/*/src' --exclude='node_modules/@tensorflow/*/scripts' \
  dist node_modules | xz -6 -T2 > "$PACK/runtime.tar.xz"

(cd "$PACK" && apt-get download libvulkan1 >/dev/null 2>&1 && mv libvulkan1_*.deb libvulkan1.deb) || echo "device-pack: libvulkan1 could not be downloaded (apt-get update first); the device must have it"
du -ch "$PACK"/* | tail -n +1
