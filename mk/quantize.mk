# INT8 against float32 on this machine (issue 23). Included by the top-level Makefile; variables from mk/common.mk.
#
#   make bench-quantize   the cnn (QUANT_CNN, trained first when missing) quantized by 'infer quantize' with each
#                         calibration method (512 mnist-sample training digits; the gate at --max-drop 0.3 points, which
#                         fails the target only for the default, minmax; the others' refusals are reported), then
#                         timed against its float32 model by 'infer bench --compare' (both in one process, interleaved
#                         rounds) at batch 1, 64 and 1000; then, when there is one, the ResNet18 transfer model
#                         (QUANT_TRANSFER, 'trainer train transfer' of issue 22, on QUANT_TRANSFER_DATA) the same way at
#                         batch 1 and 32 with the gate at 1 point. Each run's output, the quantized files and
#                         infer-bench-compare.json go to QUANT_OUT/<model>/; the CPU and its INT8 flags are printed.

include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

QUANT_OUT            ?= $(ARTIFACTS)/bench-quantize
QUANT_CNN            ?= $(ARTIFACTS)/cnn/model.onnx
QUANT_SAMPLES        ?= 512
QUANT_THREADS        ?= 2
QUANT_ROUNDS         ?= 5
QUANT_SECONDS        ?= 10
QUANT_TRANSFER       ?= $(ARTIFACTS)/transfer/model.onnx
QUANT_TRANSFER_DATA  ?= $(ARTIFACTS)/data/emoji-10
QUANT_TRANSFER_SAMPLES ?= 256

.PHONY: bench-quantize bench-quantize-cnn bench-quantize-transfer

bench-quantize: bench-quantize-cnn bench-quantize-transfer

bench-quantize-cnn:
	$(DOTNET) build inference/Toolchain.Inference.Cli $(BUILD_FLAGS)
	@test -f $(QUANT_CNN) || { $(DOTNET) build trainer/Toolchain.Trainer $(BUILD_FLAGS) && $(TRAINER) train cnn --out $(dir $(QUANT_CNN)); }
	@mkdir -p $(QUANT_OUT)/cnn
	@grep -m1 'model name' /proc/cpuinfo; grep -m1 -o -w -E 'avx512_vnni|avx_vnni|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
	@status=0; for m in minmax percentile entropy; do \
	  $(INFER_DLL) quantize --model $(QUANT_CNN) --calibration mnist-sample --samples $(QUANT_SAMPLES) --method $$m \
	    --max-drop 0.3 --threads $(QUANT_THREADS) --out $(QUANT_OUT)/cnn/model.$$m.int8.onnx > $(QUANT_OUT)/cnn/quantize-$$m.txt 2>&1 \
	    || { [ $$m != minmax ] || status=1; }; \
	  cat $(QUANT_OUT)/cnn/quantize-$$m.txt; \
	done; \
	$(INFER_DLL) bench --model $(QUANT_CNN) --compare $(QUANT_OUT)/cnn/model.minmax.int8.onnx --provider cpu --threads $(QUANT_THREADS) \
	  --batch-sizes 1,64,1000 --rounds $(QUANT_ROUNDS) --seconds $(QUANT_SECONDS) --out $(QUANT_OUT)/cnn | tee $(QUANT_OUT)/cnn/bench.txt; \
	exit $$status

bench-quantize-transfer:
	$(DOTNET) build inference/Toolchain.Inference.Cli $(BUILD_FLAGS)
	@if [ ! -f $(QUANT_TRANSFER) ]; then \
	  echo "bench-quantize: $(QUANT_TRANSFER) not found: train one with 'trainer train transfer --dataset $(QUANT_TRANSFER_DATA)' (issue 22; make transfer-data makes the pictures)"; exit 0; fi; \
	mkdir -p $(QUANT_OUT)/transfer; \
	$(INFER_DLL) quantize --model $(QUANT_TRANSFER) --calibration $(QUANT_TRANSFER_DATA) --samples $(QUANT_TRANSFER_SAMPLES) \
	  --max-drop 1.0 --threads $(QUANT_THREADS) --out $(QUANT_OUT)/transfer/model.int8.onnx > $(QUANT_OUT)/transfer/quantize.txt 2>&1; \
	status=$$?; cat $(QUANT_OUT)/transfer/quantize.txt; [ $$status -eq 0 ] || exit $$status; \
	$(INFER_DLL) bench --model $(QUANT_TRANSFER) --compare $(QUANT_OUT)/transfer/model.int8.onnx --provider cpu --threads $(QUANT_THREADS) \
	  --batch-sizes 1,32 --rounds $(QUANT_ROUNDS) --seconds $(QUANT_SECONDS) --out $(QUANT_OUT)/transfer | tee $(QUANT_OUT)/transfer/bench.txt
