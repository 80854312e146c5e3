# Reference web service (issue 6); included from the Makefile.
#   make serve                          serves artifacts/cnn/model.onnx at http://127.0.0.1:5000
#   make serve URLS=http://127.0.0.1:8080 MODEL=path/to/model.onnx
#   make serve SERVE_ARGS="--Classifier:Batching:Enabled false"
DOTNET ?= dotnet
CONFIG ?= Release
URLS   ?= http://127.0.0.1:5000
MODEL  ?= artifacts/cnn/model.onnx
SERVE_ARGS ?=

.PHONY: serve
serve:
	$(DOTNET) run --project inference/Toolchain.Inference.Service -c $(CONFIG) --nologo -- --model "$(MODEL)" --urls "$(URLS)" $(SERVE_ARGS)
