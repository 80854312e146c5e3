# What 'make test' needs beyond the .NET SDK and make, so that the README's test command passes on a fresh Debian or
# Ubuntu machine by itself (issue 21). Included by the top-level Makefile; 'make test' depends on it, and .ci/run
# reaches it through 'make test' as well.
#
#   make test-prerequisites   installs the Debian packages below that are missing, when it can (as root, or with
#                             passwordless sudo); otherwise stops at once with the one command to run.
#
# The packages and what needs them:
#   chromium            the draw page's browser tests (tests/Toolchain.Inference.Service.Tests/Page)
#   python3             the interpreter of python3-onnx's checks below
#   python3-onnx        onnx.checker full_check on exported models (tests/Toolchain.Trainer.Tests/Onnx)
#   fonts-dejavu-core   text in the charts (loss.png, confusion.png)
#   npm                 'make web' (onnxruntime-web for the page's in-browser model); a Node.js that brings its own npm
#                       (NodeSource's) is kept, so npm counts as present when the command exists
#   make                the entry point itself (named so that .ci/run, which installs it first, names nothing else)
TEST_PACKAGES ?= make chromium python3 python3-onnx fonts-dejavu-core npm

.PHONY: test-prerequisites
test-prerequisites:
	@bash mk/test-prerequisites.sh $(TEST_PACKAGES)
