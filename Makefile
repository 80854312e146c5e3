# Toolchain: train with TorchSharp, export to ONNX, serve with ONNX Runtime.
DOTNET  ?= dotnet
CONFIG  ?= Release
TORCH   ?= cpu
BUILD_FLAGS = -c $(CONFIG) -p:TorchBackend=$(TORCH) --nologo -v:q

export DOTNET_CLI_TELEMETRY_OPTOUT = 1
export DOTNET_NOLOGO = 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE = 1

.PHONY: build test clean

build:
	$(DOTNET) build Toolchain.sln $(BUILD_FLAGS)

test:
	$(DOTNET) test Toolchain.sln $(BUILD_FLAGS)

clean:
	$(DOTNET) clean Toolchain.sln -c $(CONFIG) --nologo -v:q
