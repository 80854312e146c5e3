# The variables every make file uses, defined once. The top-level Makefile and each mk/*.mk include this file, so a
# mk file also works on its own (make -f mk/eval.mk eval); the guard keeps a second include from doing anything.
ifndef TOOLCHAIN_COMMON_MK
TOOLCHAIN_COMMON_MK := 1

DOTNET      ?= dotnet
CONFIG      ?= Release
# TorchSharp's native backend: cpu here (libtorch-cpu); cuda where TorchSharp-cuda-linux can be restored.
TORCH       ?= cpu
BUILD_FLAGS ?= -c $(CONFIG) -p:TorchBackend=$(TORCH) --nologo -v:q
ARTIFACTS   ?= artifacts

# The built programs, as the recipes that build them leave them.
TRAINER     ?= $(DOTNET) trainer/Toolchain.Trainer/bin/$(CONFIG)/net10.0/trainer.dll
INFER_DLL   ?= $(DOTNET) inference/Toolchain.Inference.Cli/bin/$(CONFIG)/net10.0/infer.dll
# infer published ReadyToRun (mk/eval.mk's infer-publish), for whole-process timings.
INFER_RID   ?= linux-x64
INFER_DIR   ?= inference/Toolchain.Inference.Cli/bin/$(CONFIG)/publish-$(INFER_RID)
INFER       ?= $(INFER_DIR)/infer
SERVICE_BIN ?= inference/Toolchain.Inference.Service/bin/$(CONFIG)/net10.0/Toolchain.Inference.Service

export DOTNET_CLI_TELEMETRY_OPTOUT = 1
export DOTNET_NOLOGO = 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE = 1
endif
