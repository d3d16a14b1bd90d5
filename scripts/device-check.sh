#!/usr/bin/env bash
# The device check on a GPU machine with no Node.js and no network (under 8 minutes):
#   1. Node and the runtime (dist/, node_modules/) from .device-pack/ (scripts/device-pack.sh), unless present;
#   2. the Vulkan loader from .device-pack/libvulkan1.deb when the system has none, and an NVIDIA
#      ICD manifest when the driver installed none;
#   3. the adapter; 4. the WebGPU agreement tests on it (mocha, JSON to $OUT/agreement.json);
#   5. one OneBP epoch and one full-ranking evaluation on Gowalla at d=64 and d=1024 on webgpu and
#      on PyTorch CUDA in the same run (bench/webgpu-device.ts): $OUT/device-report.json.
# usage: bash scripts/device-check.sh            ($OUT, else /tmp/expc-device-check)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-/tmp/expc-device-check}"
mkdir -p "$OUT"
PACK=.device-pack
WORK="$(mktemp -d)"
export EXPC_DATA_DIR="${EXPC_DATA_DIR:-$(pwd)/../shared/datasets}"
[ -d "$EXPC_DATA_DIR/gowalla" ] || EXPC_DATA_DIR="$(pwd)/shared/datasets"

if ! command -v node >/dev/null 2>&1; then
  tar -C "$WORK" -xJf "$PACK/node.tar.xz" && export PATH="$WORK/node/bin:$PATH"
fi
[ -d node_modules/webgpu ] && [ -d dist/src ] || tar -xJf "$PACK/runtime.tar.xz"
echo "node $(node --version)"

if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  if [ -f "$PACK/libvulkan1.deb" ]; then
    dpkg -x "$PACK/libvulkan1.deb" "$WORK/vk"
    export LD_LIBRARY_PATH="$WORK/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "vulkan loader: from $PACK/libvulkan1.deb"
  else
    echo "vulkan loader: none (no libvulkan.so.1 and no $PACK/libvulkan1.deb)"
  fi
fi
if ! ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json >/dev/null 2>&1; then
  glx="$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia.so.0/ {print $NF; exit}')"
  if [ -n "$glx" ]; then
    printf '{"file_format_version":"1.0.1","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$glx" > "$WORK/nvidia_icd.json"
    export VK_ICD_FILENAMES="$WORK/nvidia_icd.json"
    echo "vulkan ICD: $glx (manifest written)"
  fi
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader

node -e "
import('./dist/src/runtime/engine/webgpu/gpu-device.js').then(async (m) => {
  const g = await m.gpuContext('hardware');
  console.log('hardware adapter:', 'reason' in g ? 'none: ' + g.reason : g.description + ' ' + JSON.stringify(g.facts.limits));
});" 2>&1 | grep -v '^Warning' | tee "$OUT/adapter.txt"

EXPC_REQUIRE_WEBGPU=1 timeout 240 node node_modules/mocha/bin/mocha.js --no-config --timeout 120000 --reporter json \
  dist/test/runtime/engine/webgpu/gpu-device.test.js dist/test/runtime/engine/webgpu/webgpu-agreement.test.js \
  dist/test/runtime/engine/webgpu/webgpu-ranker.test.js dist/test/runtime/engine/webgpu/webgpu-propagation.test.js \
  > "$OUT/agreement.json" 2> "$OUT/agreement.stderr"
echo "agreement tests: exit $? $(node -e "const r=require('$OUT/agreement.json');console.log(JSON.stringify(r.stats));for(const f of r.failures)console.log('FAIL',f.fullTitle,f.err.message)" 2>&1 | head -20)"

timeout 300 node dist/bench/webgpu-device.js --out "$OUT/device-report.json" --agreement "$OUT/agreement.json" --dims 64,1024 --python "${PYTHON:-python3}" 2>&1 | grep -v '^Warning' | tail -20
rm -rf "$WORK"
