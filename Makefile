# Toolchain: train with TorchSharp, export to ONNX, serve with ONNX Runtime.
# DOTNET, CONFIG, TORCH, BUILD_FLAGS, ARTIFACTS and the built programs' paths (TRAINER, INFER, ...): mk/common.mk.
include mk/common.mk

.PHONY: build test lint clean data train bench

build:
	$(DOTNET) build Toolchain.sln $(BUILD_FLAGS)

# The Debian packages the tests need (mk/prerequisites.mk: installed when it can, else one line saying how), then
# onnxruntime-web for the draw page's browser tests (mk/web.mk), the solution's tests, then the sample service built
# from the packed library (mk/pack.mk), then the published service folder started on its own (mk/serve.mk).
test: test-prerequisites
	$(MAKE) --no-print-directory web
	$(DOTNET) test Toolchain.sln $(BUILD_FLAGS) --filter "Category!=PublishedService&Category!=SampleService"
	$(MAKE) --no-print-directory sample-test
	$(MAKE) --no-print-directory publish-service-test

# Style gate: the code must be 'dotnet format' clean (whitespace, style and analyzer rules of .editorconfig).
lint:
	$(DOTNET) format Toolchain.sln --verify-no-changes

clean:
	$(DOTNET) clean Toolchain.sln -c $(CONFIG) --nologo -v:q

# Checks the bundled sample and fetches full MNIST into data/mnist; offline, training falls back to the sample.
data:
	$(DOTNET) build trainer/Toolchain.Trainer $(BUILD_FLAGS)
	$(TRAINER) data info mnist-sample
	@$(TRAINER) data fetch mnist || echo "make data: full MNIST is not available here; '--dataset auto' trains on data/mnist-sample"

# Trains the notebook's three models (xor, mlp, cnn) into artifacts/<model>/, each exported to model.onnx.
train:
	$(DOTNET) build trainer/Toolchain.Trainer $(BUILD_FLAGS)
	$(TRAINER) train xor
	$(TRAINER) train mlp
	$(TRAINER) train cnn

# Speed and accuracy on Fashion-MNIST (apt install dataset-fashion-mnist) with 2 threads; each run ends with a line
# comparing it with PyTorch's recorded figures (trainer/Toolchain.Trainer/Training/PyTorchTrainingReference.cs).
bench:
	$(DOTNET) build trainer/Toolchain.Trainer $(BUILD_FLAGS)
	@for m in mlp cnn; do \
	  $(TRAINER) train $$m --dataset fashion-mnist --threads 2 --no-export --out artifacts/bench/$$m-fashion-mnist || exit 1; \
	done

include mk/prerequisites.mk
include mk/eval.mk
include mk/serve.mk
include mk/pack.mk
include mk/quantize.mk
include mk/web.mk
include mk/data.mk
include mk/transfer-data.mk
include mk/transfer.mk
include mk/recipes.mk
