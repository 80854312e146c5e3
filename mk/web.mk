# onnxruntime-web for the service's draw page (issue 14); included from the Makefile.
#   make web    npm ci (onnxruntime-web 1.30.0, pinned with integrity hashes in the lock file), then copies only the
#               plain WASM backend's three files (about 14 MB) into inference/Toolchain.Inference.Service/web/ort/;
#               nothing to do while they are newer than the lock file.
# The service build does the same when npm is present; without the files the page classifies on the server only.
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

WEB_DIR   = inference/Toolchain.Inference.Service/web
ORT_FILES = $(addprefix $(WEB_DIR)/ort/,ort.wasm.min.mjs ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm)

.PHONY: web
web: $(ORT_FILES)

$(ORT_FILES) &: $(WEB_DIR)/package.json $(WEB_DIR)/package-lock.json $(WEB_DIR)/copy-ort.mjs
	@command -v npm >/dev/null 2>&1 || { echo "make web: npm is not installed (apt-get install npm); the draw page classifies on the server only" >&2; exit 1; }
	cd $(WEB_DIR) && npm ci --no-audit --no-fund --loglevel=error && npm run --silent copy-ort
