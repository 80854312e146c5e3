# Real-picture image folders for the transfer-learning bench (issue 22), from Debian packages only. Included by the
# top-level Makefile; variables from mk/common.mk.
#
#   make transfer-data   artifacts/data/emoji-10 (10 classes of animals, plants, food and drink) and emoji-9 (the 9
#                        broad Unicode emoji groups): train/ = three emoji vendors' drawings, test/ = the fourth
#                        (TRANSFER_TEST_VENDOR: twemoji, noto, emojione or emojify); plus digits-8x8. Each set has a
#                        SOURCES.txt (packages, versions, licences, counts per class and vendor); artifacts/data/checks/
#                        holds contact sheets, the duplicate checks and a raw-pixel logistic-regression baseline.
#   make digits-data     only artifacts/data/digits-8x8: scikit-learn's 1,797 8x8 digits as grey PNGs in class folders.
#
# The pictures come as .deb files through 'apt-get download' (fonts-noto-color-emoji, firefox-esr for its Twemoji font,
# ruby-gemojione, libjs-emojify, unicode-data), unpacked under artifacts/data/.pkgs and never installed; mk/transfer_data.py
# needs Debian's Python 3 and the modules below, which this target installs when run as root. Debian's python3, not a
# pyenv or venv one first on PATH: the modules are Debian's.

include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

TRANSFER_DATA        ?= $(ARTIFACTS)/data
TRANSFER_TEST_VENDOR ?= twemoji
TRANSFER_PYTHON      ?= /usr/bin/python3
TRANSFER_DEBS         = python3-pil python3-numpy python3-sklearn python3-fonttools python3-cairo python3-emoji

.PHONY: transfer-data digits-data transfer-data-deps

transfer-data: transfer-data-deps
	$(TRANSFER_PYTHON) mk/transfer_data.py --out $(TRANSFER_DATA) --test-vendor $(TRANSFER_TEST_VENDOR) --check emoji-10 emoji-9 digits-8x8

digits-data: transfer-data-deps
	$(TRANSFER_PYTHON) mk/transfer_data.py --out $(TRANSFER_DATA) --check digits-8x8

transfer-data-deps:
	@$(TRANSFER_PYTHON) -c 'import PIL, numpy, sklearn, fontTools, cairo, emoji' 2>/dev/null && exit 0; \
	 if [ "$$(id -u)" != 0 ]; then \
	   echo "make transfer-data: Debian's Python modules are missing; run: sudo apt-get install -y $(TRANSFER_DEBS)"; exit 1; fi; \
	 apt-get install -y -q $(TRANSFER_DEBS) || { apt-get update -q && apt-get install -y -q $(TRANSFER_DEBS); }
