# SPDX-License-Identifier: GPL-2.0
# vfio-platform done right: entry points. See README.md.
#   make demo            build, boot, show vfio-platform at work (main job)
#   make check           all tests; ends with "N passed, N failed, N skipped"
#   make check BASE=upstream   the same guest tests against pristine 7.3
#   make bench           ours vs upstream: interleaved rounds, medians, ratios
#   make series          both series, with cover letters, in out/series/
#   make tree | kernel | deps
#   make save            write build/7.3/linux's commits back to series/7.3/
# LINUX=6.12 picks the 6.12 LTS backport instead of mainline (7.3) for
# tree, kernel, save, check and compare.
BASE ?= ours
LINUX ?= 7.3
export BASE LINUX

.PHONY: all deps tree save kernel check series demo compare bench clean
all: check

deps:
	@bash harness/deps.sh

tree: deps
	@bash harness/tree.sh

save:
	@bash harness/save.sh

kernel: tree
	@bash harness/kernel.sh

check:
	@bash harness/check.sh

series: deps
	@bash harness/series.sh

compare:
	@bash harness/compare.sh

bench:
	@bash harness/bench.sh

demo:
	@bash harness/demo.sh

clean:
	rm -rf build out
