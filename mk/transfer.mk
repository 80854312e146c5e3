# Transfer learning (issue 22). Included by the top-level Makefile, which defines DOTNET, CONFIG and TRAINER.
#
#   make bench-transfer   on the real-picture image folders of 'make transfer-data' (emoji drawn by four vendors:
#                         train/ = three, test/ = the fourth; see artifacts/data/<set>/SOURCES.txt), for each set:
#                         - scratch: 'trainer train cnn' on the same folder (its own train/ and test/, seed 0);
#                         - frozen: 'trainer train transfer' (built-in ResNet18, a head on cached features), first with
#                           an empty feature cache (featurization images/s), then again (the cached start-up);
#                         - fine-tuned: '--fine-tune last' (the last stage trains on cached activations);
#                         - 'infer bench' on the featurizer graph alone (preprocessing + ResNet18) at the featurization
#                           batch, against the trainer's featurization rate (the issue's goal: at least 70% of it).
#                         Writes artifacts/bench/transfer.md (the logs and metrics.json files beside it in
#                         artifacts/bench/transfer/). TRANSFER_SETS picks the sets; BENCH_TRANSFER_ARGS,
#                         BENCH_FINE_TUNE_ARGS and BENCH_SCRATCH_ARGS add options to the runs.
#   make bench-transfer-report   writes artifacts/bench/transfer.md again from the runs' files, without training.

TRANSFER_SETS        ?= emoji-10 emoji-9
BENCH_TRANSFER       ?= $(ARTIFACTS)/bench/transfer
BENCH_TRANSFER_CACHE ?= $(BENCH_TRANSFER)/cache
BENCH_TRANSFER_ARGS  ?=
BENCH_FINE_TUNE_ARGS ?=
# The cnn's default recipe (5 epochs at 64×64) is the scratch baseline the issue measured; it is what a new user gets.
BENCH_SCRATCH_ARGS   ?=
BENCH_FEATURIZE_BATCH ?= 32
TRANSFER_INFER       = $(DOTNET) inference/Toolchain.Inference.Cli/bin/$(CONFIG)/net10.0/infer.dll

.PHONY: bench-transfer bench-transfer-report

bench-transfer:
	$(DOTNET) build trainer/Toolchain.Trainer $(BUILD_FLAGS)
	$(DOTNET) build inference/Toolchain.Inference.Cli $(BUILD_FLAGS)
	@for s in $(TRANSFER_SETS); do test -d $(TRANSFER_DATA)/$$s/train || { echo "bench-transfer: $(TRANSFER_DATA)/$$s is missing; run 'make transfer-data' first"; exit 1; }; done
	@mkdir -p $(BENCH_TRANSFER)
	rm -rf $(BENCH_TRANSFER_CACHE)
	@set -e; for s in $(TRANSFER_SETS); do \
	  d=$(TRANSFER_DATA)/$$s; o=$(BENCH_TRANSFER)/$$s; \
	  echo "== $$s: scratch (train cnn)"; \
	  $(TRAINER) train cnn --dataset $$d --out $$o-scratch --no-export $(BENCH_SCRATCH_ARGS) > $$o-scratch.log 2>&1; tail -1 $$o-scratch.log; \
	  echo "== $$s: frozen, features computed"; \
	  $(TRAINER) train transfer --dataset $$d --out $$o-frozen --cache-dir $(BENCH_TRANSFER_CACHE) --featurize-batch $(BENCH_FEATURIZE_BATCH) $(BENCH_TRANSFER_ARGS) > $$o-frozen.log 2>&1; tail -1 $$o-frozen.log; \
	  echo "== $$s: frozen again, features from the cache"; \
	  $(TRAINER) train transfer --dataset $$d --out $$o-cached --cache-dir $(BENCH_TRANSFER_CACHE) --no-export $(BENCH_TRANSFER_ARGS) > $$o-cached.log 2>&1; grep 'start-up' $$o-cached.log; \
	  echo "== $$s: fine-tuned (last stage)"; \
	  $(TRAINER) train transfer --dataset $$d --out $$o-last --cache-dir $(BENCH_TRANSFER_CACHE) --fine-tune last --featurize-batch $(BENCH_FEATURIZE_BATCH) $(BENCH_TRANSFER_ARGS) $(BENCH_FINE_TUNE_ARGS) > $$o-last.log 2>&1; tail -1 $$o-last.log; \
	done
	# The featurizer graph the trainer ran (preprocessing + ResNet18, uint8 pixels in), timed alone at the same batch.
	$(TRANSFER_INFER) bench --model $$(ls $(BENCH_TRANSFER_CACHE)/*.featurizer.onnx | grep -v -- -stage | head -1) \
	  --batch-sizes $(BENCH_FEATURIZE_BATCH) --seconds 20 --process-runs 0 --concurrency 0 > $(BENCH_TRANSFER)/infer-bench.log 2>&1 || true
	@$(MAKE) --no-print-directory bench-transfer-report

bench-transfer-report:
	@mkdir -p $(ARTIFACTS)/bench
	@m() { jq -r "$$2" $(BENCH_TRANSFER)/$$1/metrics.json 2>/dev/null || echo n/a; }; \
	 pct() { m $$1 ".test_accuracy * 100 | . * 100 | round / 100"; }; \
	 { echo "# Transfer learning: scratch vs frozen vs fine-tuned"; echo; \
	   echo "Machine: $$(nproc) cores ($$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $$(cut -d' ' -f1-3 /proc/loadavg) at the end."; \
	   echo "Data: $(TRANSFER_DATA)/<set> from 'make transfer-data' (emoji of four vendors from Debian packages; train/ = three vendors, test/ = the fourth; SOURCES.txt in each set)."; \
	   echo "Backbone: the built-in ResNet18 (NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.24.0, MIT). Same split and seed (0) for every run."; echo; \
	   echo "| Set | Scratch (train cnn) | Frozen (head on features) | Fine-tuned (last stage) | Frozen − scratch | Fine-tuned − max(scratch, frozen) |"; \
	   echo "|---|---|---|---|---|---|"; \
	   for s in $(TRANSFER_SETS); do \
	     sc=$$(pct $$s-scratch); fr=$$(pct $$s-frozen); ft=$$(pct $$s-last); \
	     echo "| $$s | $$sc% | $$fr% ($$(m $$s-frozen .head)) | $$ft% | $$(echo "$$fr - $$sc" | bc) points | $$(echo "$$ft - ($$sc > $$fr) * $$sc - ($$fr >= $$sc) * $$fr" | bc) points |"; \
	   done; echo; \
	   echo "| Speed | Figure |"; echo "|---|---|"; \
	   for s in $(TRANSFER_SETS); do \
	     echo "| $$s: featurization (decode + ResNet18 in ONNX Runtime, batch $(BENCH_FEATURIZE_BATCH)) | $$(grep -o 'features: [0-9,]* images through [^;]*' $(BENCH_TRANSFER)/$$s-frozen.log) |"; \
	     echo "| $$s: cached run, process start to first training batch (goal: within 5 s) | $$(grep -o 'training began [0-9.]* s' $(BENCH_TRANSFER)/$$s-cached.log) ($$(grep -o 'read from the cache in [0-9.]* s' $(BENCH_TRANSFER)/$$s-cached.log)) |"; \
	     echo "| $$s: fine-tuning the last stage | $$(m $$s-last '.fine_tune_samples_per_second | round') samples/s (activations cached: $$(grep -o 'features: [0-9,]* images through [^;]*' $(BENCH_TRANSFER)/$$s-last.log)) |"; \
	   done; \
	   echo "| infer bench, featurizer graph alone, batch $(BENCH_FEATURIZE_BATCH) | $$(grep -m1 -E '^\| *$(BENCH_FEATURIZE_BATCH) ' $(BENCH_TRANSFER)/infer-bench.log || tail -1 $(BENCH_TRANSFER)/infer-bench.log) |"; \
	 } > $(ARTIFACTS)/bench/transfer.md
	@cat $(ARTIFACTS)/bench/transfer.md
