# NuGet packages (issue: "a NuGet package people can reference"); included from the Makefile.
#   make pack          Toolchain.Contracts, Toolchain.Imaging, Toolchain.Inference and Toolchain.Inference.AspNetCore
#                      .nupkg (+ .snupkg),
#                      $(CONFIG), into artifacts/packages/
#   make sample-test   packs, builds samples/OnnxClassifierService against those packages (not the projects) and
#                      runs the xunit test that starts it and asks /healthz, POST /classify with a PNG, then /v2
#                      (metadata, a tensor inference, a refused one, an unknown model). Run by 'make test'.
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk
PACK_OUT ?= artifacts/packages
SAMPLE   ?= samples/OnnxClassifierService

.PHONY: pack sample-test

# The version is Directory.Build.props' <Version>; the configuration is CONFIG (Release by default), as for every build
# here. Packing the Inference projects builds Contracts and Imaging as well, but only a project that is itself packed
# gets a package, hence all four.
pack:
	$(DOTNET) pack shared/Toolchain.Contracts $(BUILD_FLAGS) -o $(PACK_OUT)
	$(DOTNET) pack shared/Toolchain.Imaging $(BUILD_FLAGS) -o $(PACK_OUT)
	$(DOTNET) pack inference/Toolchain.Inference $(BUILD_FLAGS) -o $(PACK_OUT)
	$(DOTNET) pack inference/Toolchain.Inference.AspNetCore $(BUILD_FLAGS) -o $(PACK_OUT)
	@ls -l $(PACK_OUT)

# Steps: pack; drop Toolchain.* from the NuGet global packages folder, where an earlier pack of the same version would
# otherwise be used instead of this one (NuGet never re-extracts a version it has); build the sample against the
# packages (samples/nuget.config); run the test that writes the tiny model, starts the sample's dll on it and checks
# its answers (tests/Toolchain.Inference.Service.Tests/Deploy/SampleServiceTests.cs; the solution's run leaves it out
# by its trait, as it needs the sample built on the packages).
SAMPLE_DLL ?= $(SAMPLE)/bin/$(CONFIG)/net10.0/OnnxClassifierService.dll

sample-test: pack
	@packages="$${NUGET_PACKAGES:-$$($(DOTNET) nuget locals global-packages --list | sed -n 's/^global-packages: *//p')}"; \
	  test -n "$$packages" && rm -rf "$$packages/toolchain.inference" "$$packages/toolchain.inference.aspnetcore" "$$packages/toolchain.contracts" "$$packages/toolchain.imaging"
	$(DOTNET) build $(SAMPLE) -c $(CONFIG) --nologo -v:q
	TOOLCHAIN_SAMPLE_SERVICE=$(abspath $(SAMPLE_DLL)) $(DOTNET) test tests/Toolchain.Inference.Service.Tests $(BUILD_FLAGS) \
		--filter Category=SampleService
