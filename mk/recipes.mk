# The recipes that fit the data (issue 22 §6): what trainer train reaches with no flags. Included by the top-level
# Makefile; variables from mk/common.mk.
#
#   make bench-recipes   with default flags only, for each seed in BENCH_RECIPE_SEEDS (default 0):
#                        - cnn and mlp on scikit-learn's 8x8 digits, split 80/20 into train/ and test/ folders
#                          (stratified, seed 0, by mk/digits-images.py, which also prints scikit-learn's logistic
#                          regression and SVC on exactly that split; needs Debian's python3-sklearn and python3-pil);
#                        - cnn on the colour digits (the MNIST sample in random colours, 32x32 RGB, `infer images --colour`);
#                        - mlp and cnn on the bundled MNIST sample (the `make train` figures).
#                        Writes artifacts/bench/recipes.md (the raw logs in artifacts/bench/recipes/). The issue's bars:
#                        8x8 digits >= 97% (scikit-learn 97.2%), colour digits >= 97%, MNIST sample within 0.3 points
#                        of the README's (mlp 94.51%, cnn 97.95%).

include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

BENCH_RECIPES      ?= $(ARTIFACTS)/bench/recipes
BENCH_RECIPE_SEEDS ?= 0
# Flags that do not change the recipe, e.g. --threads 1: on a machine shared past its cores, two torch threads per
# process ran 8x8 digits at 95 samples/s where one ran at 807.
BENCH_RECIPE_ARGS  ?=
RECIPES_PYTHON     ?= /usr/bin/python3
DIGITS_8X8_SPLIT   ?= $(ARTIFACTS)/data/digits-8x8-split
COLOUR_DIGITS      ?= $(ARTIFACTS)/data/colour-digits

.PHONY: bench-recipes bench-recipes-report

bench-recipes:
	$(DOTNET) build trainer/Toolchain.Trainer $(BUILD_FLAGS)
	$(DOTNET) build inference/Toolchain.Inference.Cli $(BUILD_FLAGS)
	@mkdir -p $(BENCH_RECIPES)
	@test -d $(DIGITS_8X8_SPLIT)/train -a -f $(BENCH_RECIPES)/digits-8x8-split.log || \
	  $(RECIPES_PYTHON) mk/digits-images.py $(DIGITS_8X8_SPLIT) | tee $(BENCH_RECIPES)/digits-8x8-split.log
	@test -d $(COLOUR_DIGITS) || $(INFER_DLL) images --dataset mnist-sample --folders --colour --out $(COLOUR_DIGITS)
	@for s in $(BENCH_RECIPE_SEEDS); do \
	  for run in "digits-8x8 cnn $(DIGITS_8X8_SPLIT)" "digits-8x8 mlp $(DIGITS_8X8_SPLIT)" "colour-digits cnn $(COLOUR_DIGITS)" \
	             "mnist-sample mlp mnist-sample" "mnist-sample cnn mnist-sample"; do \
	    set -- $$run; echo "$$2 on $$1, seed $$s"; \
	    $(TRAINER) train $$2 --dataset $$3 --seed $$s $(BENCH_RECIPE_ARGS) --no-export --out $(BENCH_RECIPES)/$$1-$$2-$$s -q > $(BENCH_RECIPES)/$$1-$$2-$$s.log || exit 1; \
	  done; done
	@$(MAKE) --no-print-directory bench-recipes-report

# Writes artifacts/bench/recipes.md from the logs of bench-recipes, without training again.
bench-recipes-report:
	@mkdir -p $(ARTIFACTS)/bench
	@{ echo "# Default recipes (no flags)"; echo; \
	   echo "Machine: $$(nproc) cores ($$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load $$(cut -d' ' -f1-3 /proc/loadavg); seeds $(BENCH_RECIPE_SEEDS); extra flags: $(or $(BENCH_RECIPE_ARGS),none)."; echo; \
	   echo "scikit-learn on the same 8x8 split: $$(grep '^scikit-learn' $(BENCH_RECIPES)/digits-8x8-split.log | sed 's/ on this split//' | paste -sd';' -)"; echo; \
	   echo "| Data | Model | Seed | Test accuracy | Epochs |"; echo "|---|---|---|---|---|"; \
	   for f in $(BENCH_RECIPES)/*-*-[0-9]*.log; do b=$$(basename $$f .log); \
	     echo "| $$(echo $$b | sed 's/-[a-z]*-[0-9]*$$//') | $$(echo $$b | sed 's/.*-\([a-z]*\)-[0-9]*$$/\1/') | $${b##*-} | $$(grep -o 'test accuracy [0-9.]*%' $$f | cut -d' ' -f3) | $$(grep -o 'after [0-9]* epochs' $$f | cut -d' ' -f2) |"; \
	   done; \
	 } > $(ARTIFACTS)/bench/recipes.md
	@cat $(ARTIFACTS)/bench/recipes.md
