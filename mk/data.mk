# Training on your own data (issue 11). Included by the top-level Makefile, which defines DOTNET, CONFIG and TRAINER.
#
#   make bench-data   iris from CSV vs scikit-learn's 0.967; Fashion-MNIST written as 70,000 PNGs in class folders:
#                     decode+cache time, cached start-up, epoch time interleaved with the IDX run, accuracy of both
#                     (same seed and recipe); the colour digits set (32×32 RGB) with the cnn and infer classify.
#                     Writes artifacts/bench/data.md (the raw logs beside it). BENCH_DATA_EPOCHS shortens the runs.

IRIS              ?= ../shared/data/iris/iris-split
BENCH_DATA_EPOCHS ?= 5
BENCH_DATA        ?= $(ARTIFACTS)/bench/data
INFER_DLL          = $(DOTNET) inference/Toolchain.Inference.Cli/bin/$(CONFIG)/net10.0/infer.dll

.PHONY: bench-data

bench-data:
	$(DOTNET) build trainer/Toolchain.Trainer -c $(CONFIG) --nologo -v:q
	$(DOTNET) build inference/Toolchain.Inference.Cli -c $(CONFIG) --nologo -v:q
	@mkdir -p $(BENCH_DATA)
	$(TRAINER) train mlp --dataset $(IRIS) --label-column species --out $(BENCH_DATA)/iris -q | tee $(BENCH_DATA)/iris.log
	$(INFER_DLL) eval --model $(BENCH_DATA)/iris/model.onnx | tee -a $(BENCH_DATA)/iris.log
	@test -d $(BENCH_DATA)/fashion-png || $(INFER_DLL) images --dataset fashion-mnist --folders --out $(BENCH_DATA)/fashion-png
	rm -rf $(ARTIFACTS)/cache
	# Decode and cache (first run), then a cached start-up; one epoch each, the decode figures are in the logs.
	$(TRAINER) train mlp --dataset $(BENCH_DATA)/fashion-png --epochs 1 --threads 2 --no-export --out $(BENCH_DATA)/png-first > $(BENCH_DATA)/png-first.log
	$(TRAINER) train mlp --dataset $(BENCH_DATA)/fashion-png --epochs 1 --threads 2 --no-export --out $(BENCH_DATA)/png-cached > $(BENCH_DATA)/png-cached.log
	# Same seed and recipe from IDX and from PNG, interleaved, so the machine's load falls on both alike.
	@for m in mlp cnn; do for d in idx png; do \
	  ds=$$( [ $$d = idx ] && echo fashion-mnist || echo $(BENCH_DATA)/fashion-png ); \
	  $(TRAINER) train $$m --dataset $$ds --epochs $(BENCH_DATA_EPOCHS) --threads 2 --no-export --out $(BENCH_DATA)/$$m-$$d -q > $(BENCH_DATA)/$$m-$$d.log || exit 1; \
	done; done
	@test -d $(BENCH_DATA)/colour || $(INFER_DLL) images --dataset mnist-sample --folders --colour --out $(BENCH_DATA)/colour
	$(TRAINER) train cnn --dataset $(BENCH_DATA)/colour --epochs $$(( $(BENCH_DATA_EPOCHS) * 2 )) --out $(BENCH_DATA)/colour-cnn -q > $(BENCH_DATA)/colour.log
	$(INFER_DLL) classify --model $(BENCH_DATA)/colour-cnn/model.onnx $(BENCH_DATA)/colour/test --json > $(BENCH_DATA)/colour-classify.jsonl || true
	@{ echo "# Training on image folders and CSV tables"; echo; \
	   echo "Machine: $$(nproc) cores, load $$(cut -d' ' -f1-3 /proc/loadavg); epochs $(BENCH_DATA_EPOCHS)."; echo; \
	   echo "| What | Figure |"; echo "|---|---|"; \
	   echo "| iris (scikit-learn 0.967) | $$(grep -o 'test accuracy [0-9.]*%' $(BENCH_DATA)/iris.log) |"; \
	   echo "| 70,000 PNGs decoded and cached | $$(grep -o 'decoded and cached in [0-9.]* s' $(BENCH_DATA)/png-first.log) |"; \
	   echo "| cached start-up | $$(grep -o 'read from the cache in [0-9.]* s' $(BENCH_DATA)/png-cached.log) |"; \
	   for f in mlp-idx mlp-png cnn-idx cnn-png colour; do echo "| $$f | $$(tail -1 $(BENCH_DATA)/$$f.log) |"; done; \
	   echo "| infer classify, colour test PNGs | $$(wc -l < $(BENCH_DATA)/colour-classify.jsonl) answers |"; \
	} > $(ARTIFACTS)/bench/data.md
	@cat $(ARTIFACTS)/bench/data.md
