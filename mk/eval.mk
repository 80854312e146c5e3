# Evaluation and benchmarks with the infer CLI. Included by the top-level Makefile; variables from mk/common.mk.
#
#   make eval    evaluate every artifacts/*/model.onnx on its own test data; one summary table
#                (each model's report.json, confusion.png, samples.png or decision-boundary.png go to its eval/ folder)
#   make bench   (through bench-infer, which only adds itself as a prerequisite so the Makefile's own bench recipe
#                still runs) time artifacts/cnn/model.onnx: throughput and p50/p99 latency at batch 1, 64 and 1000,
#                single-image classify from PNG bytes and 'infer classify one.png' as a whole process; writes
#                artifacts/bench/infer-bench.json and infer-bench.md beside the recorded PyTorch figures (PyTorch is never run)

include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

BENCH_MODEL   ?= $(ARTIFACTS)/cnn/model.onnx
BENCH_OUT     ?= $(ARTIFACTS)/bench
BENCH_THREADS ?= 2
BENCH_SECONDS ?= 3
BENCH_BATCHES ?= 1,64,1000
BENCH_PROVIDER ?= cpu

.PHONY: eval bench bench-infer infer-publish

# ReadyToRun (precompiled) so that a single classify runs well under half a second; framework-dependent.
infer-publish:
	$(DOTNET) publish inference/Toolchain.Inference.Cli -c $(CONFIG) -p:TorchBackend=$(TORCH) -r $(INFER_RID) --self-contained false \
		-p:PublishReadyToRun=true -o $(INFER_DIR) --nologo -v:q

eval: infer-publish
	$(INFER) eval-all --artifacts $(ARTIFACTS)

bench: bench-infer

bench-infer: infer-publish
	@test -f $(BENCH_MODEL) || { echo "make bench-infer: $(BENCH_MODEL) not found: train and export the cnn first" >&2; exit 1; }
	$(INFER) bench --model $(BENCH_MODEL) --batch-sizes $(BENCH_BATCHES) --seconds $(BENCH_SECONDS) \
		--threads $(BENCH_THREADS) --provider $(BENCH_PROVIDER) --out $(BENCH_OUT)
