# Reference web service (issue 6); included from the Makefile.
#   make serve                          serves artifacts/cnn/model.onnx at http://127.0.0.1:5000 (gRPC of the Open
#                                       Inference Protocol at http://127.0.0.1:5001, HTTP/2)
#   make serve URLS=http://127.0.0.1:8080 MODEL=path/to/model.onnx
#   make serve SERVE_ARGS="--Classifier:Batching:Enabled false"
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

URLS   ?= http://127.0.0.1:5000
GRPC_URLS ?= http://127.0.0.1:5001
MODEL  ?= artifacts/cnn/model.onnx
SERVE_ARGS ?=

.PHONY: serve
serve:
	$(DOTNET) run --project inference/Toolchain.Inference.Service -c $(CONFIG) --nologo -- --model "$(MODEL)" --urls "$(URLS)" --grpc-urls "$(GRPC_URLS)" $(SERVE_ARGS)

# Load test against issue 6's bars (needs Debian's wrk and curl): batching on and off, bad requests, hot reload under
# load. Writes $(LOAD_OUT)/serve-load.md and serve-load.json. Runs about 2.5 min with the defaults.
#   make bench-serve LOAD_SECONDS=10 LOAD_ARGS="--Classifier:Batching:MaxQueueDelayMicroseconds 2000"
LOAD_OUT       ?= artifacts/bench
LOAD_SECONDS   ?= 30
LOAD_ALT_MODEL ?= artifacts/mlp/model.onnx
LOAD_ARGS      ?=

.PHONY: bench-serve
bench-serve: infer-publish
	$(DOTNET) build inference/Toolchain.Inference.Service $(BUILD_FLAGS)
	png=$$($(INFER) images --count 1 --out $(LOAD_OUT)/serve-load-digit) && \
	bash inference/Toolchain.Inference.Service/load/loadtest.sh --service $(SERVICE_BIN) --model "$(MODEL)" \
		--alt-model "$(LOAD_ALT_MODEL)" --png "$$png" --out $(LOAD_OUT) --seconds $(LOAD_SECONDS) -- $(LOAD_ARGS)
	$(MAKE) --no-print-directory bench-protocol

# The Open Inference Protocol (issue 12) beside /v1/classify on the same model, interleaved: binary FP32 and JSON
# tensors, and raw uint8 pixels when $(LOAD_UINT8_MODEL) exists (trainer export --input uint8). Writes
# $(LOAD_OUT)/serve-protocol.md and .json.
LOAD_UINT8_MODEL    ?= artifacts/cnn-uint8/model.onnx
LOAD_PROTOCOL_SECONDS ?= 10
.PHONY: bench-protocol
bench-protocol:
	$(DOTNET) build inference/Toolchain.Inference.Service $(BUILD_FLAGS)
	python3 inference/Toolchain.Inference.Service/load/protocol_load.py --service $(SERVICE_BIN) --model "$(MODEL)" \
		$(if $(wildcard $(LOAD_UINT8_MODEL)),--uint8-model "$(LOAD_UINT8_MODEL)") --out $(LOAD_OUT) \
		--seconds $(LOAD_PROTOCOL_SECONDS) -- $(LOAD_ARGS)

# Hostile images (issue 15): decompression bombs and a 1x40,000,000 PNG against 'infer classify' (peak RSS and time per
# file) and the service (RSS before and after 16 concurrent bomb POSTs). Hostile protocol requests (issue 21): 16 x 6
# refused 5 MB JSON bodies (RSS within 150 MB of the start), a mixed attack under DOTNET_GCHeapHardLimit=0x18000000
# (no 5xx, process alive) and the cnn with its graph fixed at batch 1 under 16 concurrent clients (all 200). Needs
# $(XOR_MODEL) ('make train'). Writes $(LOAD_OUT)/hardening.md and .json; about 2 minutes; then the hostile tables below.
XOR_MODEL ?= artifacts/xor/model.onnx
.PHONY: bench-hardening
bench-hardening: infer-publish
	$(DOTNET) build inference/Toolchain.Inference.Service $(BUILD_FLAGS)
	python3 inference/Toolchain.Inference.Service/load/hardening.py --infer $(INFER) --service $(SERVICE_BIN) \
		--model "$(MODEL)" --xor-model "$(XOR_MODEL)" --out $(LOAD_OUT)
	$(MAKE) --no-print-directory bench-hardening-tables

# Hostile CSV tables (issue 21): a 500 MB line, a sparse 8 GB file (no disk), a 25 MB file to predict and 40,000
# columns through 'infer predict' and 'trainer train' (peak RSS, seconds, exit code; loose bars). Trains a small iris
# table model first. Writes $(LOAD_OUT)/hardening-tables.md and .json; needs about 600 MB of disk while it runs.
.PHONY: bench-hardening-tables
bench-hardening-tables: infer-publish
	$(DOTNET) build trainer/Toolchain.Trainer $(BUILD_FLAGS)
	python3 inference/Toolchain.Inference.Service/load/hardening_tables.py --infer "$(INFER)" --trainer "$(TRAINER)" \
		--out $(LOAD_OUT)

# The service as a framework-dependent folder, the same command the Dockerfile's build stage runs (issue 13);
# 'publish-service-test' runs the xunit test that copies that folder alone to a temporary place, makes it read-only (as
# the container's root file system), starts the binary from it and checks health, readiness, a classification and a
# SIGTERM exit 0 (tests/Toolchain.Inference.Service.Tests/Deploy/PublishedServiceTests.cs; the solution's run leaves it
# out by its trait, as it needs the published folder).
PUBLISH_SERVICE_DIR ?= artifacts/publish/service
TOOLCHAIN_PUBLISHED_SERVICE_ENV = TOOLCHAIN_PUBLISHED_SERVICE=$(abspath $(PUBLISH_SERVICE_DIR))

.PHONY: publish-service publish-service-test
publish-service:
	$(DOTNET) publish inference/Toolchain.Inference.Service $(BUILD_FLAGS) -r linux-x64 --self-contained false \
		-o $(PUBLISH_SERVICE_DIR)

publish-service-test: publish-service
	$(TOOLCHAIN_PUBLISHED_SERVICE_ENV) $(DOTNET) test tests/Toolchain.Inference.Service.Tests $(BUILD_FLAGS) \
		--filter Category=PublishedService

# Replicas behind a real load balancer with faults (issue 13): HAProxy (Debian's haproxy) over 3 replicas on one model
# file, wrk at 64 connections for 60 s while replica 1 gets SIGTERM, replica 2 SIGKILL and the model file is swapped
# (mlp in place of the cnn, then back). Writes $(LOAD_OUT)/scale.md and scale.json; exit 1 on a missed correctness bar.
SCALE_SECONDS ?= 60

.PHONY: bench-scale
bench-scale: infer-publish
	@command -v haproxy >/dev/null || { echo "make bench-scale: haproxy not found; install Debian's package: sudo apt-get install haproxy" >&2; exit 1; }
	@command -v wrk >/dev/null || { echo "make bench-scale: wrk not found; install Debian's package: sudo apt-get install wrk" >&2; exit 1; }
	$(DOTNET) build inference/Toolchain.Inference.Service $(BUILD_FLAGS)
	png=$$($(INFER) images --count 1 --out $(LOAD_OUT)/scale-digit) && \
	python3 inference/Toolchain.Inference.Service/load/scale.py --service $(SERVICE_BIN) --model "$(MODEL)" \
		--alt-model "$(LOAD_ALT_MODEL)" --png "$$png" --out $(LOAD_OUT) --seconds $(SCALE_SECONDS)
