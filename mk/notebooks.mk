# Notebook experience: tools, headless notebook tests, demo, screenshots.
# Included by the root Makefile (-include mk/*.mk). See docs/notebooks.md.
#
#   make tools              Jupyter (Debian), GoNB + goimports + gopls, GoNB kernelspec in build/jupyter
#   make test-notebooks     execute notebooks/*.ipynb headless, export HTML, check outputs (NB="a b": some)
#   make notebooks-outputs  same, then copy the executed notebooks back into notebooks/
#   make demo-notebook      execute the quickstart notebook (01-quickstart), export HTML, print its summary
#   make notebook           start Jupyter Notebook on 127.0.0.1 with notebooks/ open
#   make test-screenshot    render the demo notebook's HTML in headless Chromium and check the chart

NB_GO          ?= go
NB_BUILD       := $(CURDIR)/build
NB_TOOLS_BIN   := $(NB_BUILD)/tools
NB_JUPYTER_DIR := $(NB_BUILD)/jupyter
NB_TMP         := $(NB_BUILD)/tmp
NB_OUT         := build/notebooks
NB_SHOTS       := build/screenshots
NB_STAMPS      := $(NB_BUILD)/stamps
NB_GOROOT      := $(shell $(GOENV_SHELL) $(NB_GO) env GOROOT 2>/dev/null)
NB_JUPYTER     := /usr/bin/jupyter
NB_APT_PKGS    := jupyter-nbconvert jupyter-notebook jupyter-client python3-nbclient jupyter-nbformat
NB_SHOT_PKGS   := chromium fonts-dejavu-core
NB_TIMEOUT     ?= 900
NB_PORT        ?= 8888

# Notebooks under test; NB=name runs one, NB="a b" several
# (make test-notebooks NB=00-smoke, NB="01-quickstart 04-your-own-space").
NB_SOURCES := $(if $(NB),$(foreach n,$(NB),notebooks/$(n:.ipynb=).ipynb),$(sort $(wildcard notebooks/*.ipynb)))
# The demo notebook: the quickstart when it exists, else the smoke notebook.
NB_DEMO := $(if $(wildcard notebooks/01-quickstart.ipynb),01-quickstart,00-smoke)

# Environment of every Jupyter command: kernelspec and GoNB work folders inside
# the project; no GOFLAGS (notebooks build in a go.work, which refuses -mod=mod).
NB_ENV = env -u GOFLAGS JUPYTER_DATA_DIR=$(NB_JUPYTER_DIR) JUPYTER_CONFIG_DIR=$(NB_JUPYTER_DIR)/config \
	JUPYTER_RUNTIME_DIR=$(NB_JUPYTER_DIR)/runtime IPYTHONDIR=$(NB_JUPYTER_DIR)/ipython \
	TMPDIR=$(NB_TMP) GOTOOLCHAIN=$(GOTOOLCHAIN) PATH=$(NB_TOOLS_BIN):$(NB_GOROOT)/bin:$$PATH

NB_EXEC = $(NB_ENV) $(NB_JUPYTER) nbconvert --execute --to notebook \
	--ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout=$(NB_TIMEOUT) \
	--ExecutePreprocessor.record_timing=False --output-dir=$(NB_OUT)
NB_HTML = $(NB_ENV) $(NB_JUPYTER) nbconvert --to html --output-dir=$(NB_OUT)

NB_CHECK := $(NB_TOOLS_BIN)/nbcheck

.PHONY: tools tools-apt tools-go test-notebooks notebooks-outputs demo-notebook notebook \
	test-screenshot nbcheck notebooks-clean

tools: tools-apt tools-go $(NB_JUPYTER_DIR)/kernels/gonb/kernel.json ## Jupyter, GoNB, goimports, gopls and the GoNB kernelspec (only what is missing).

tools-apt:
	@scripts/ensure-apt.sh $(NB_APT_PKGS)

tools-go: $(NB_TOOLS_BIN)/gonb $(NB_TOOLS_BIN)/goimports $(NB_TOOLS_BIN)/gopls

$(NB_TOOLS_BIN)/gonb $(NB_TOOLS_BIN)/goimports &: tools/go.mod tools/go.sum
	cd tools && env -u GOFLAGS GOBIN=$(NB_TOOLS_BIN) $(NB_GO) install tool
	@touch $(NB_TOOLS_BIN)/gonb $(NB_TOOLS_BIN)/goimports

$(NB_TOOLS_BIN)/gopls: tools/gopls/go.mod tools/gopls/go.sum
	cd tools/gopls && env -u GOFLAGS GOBIN=$(NB_TOOLS_BIN) $(NB_GO) install tool
	@touch $@

$(NB_JUPYTER_DIR)/kernels/gonb/kernel.json: $(NB_TOOLS_BIN)/gonb $(NB_TOOLS_BIN)/goimports $(NB_TOOLS_BIN)/gopls scripts/install-kernel.sh go.mod
	scripts/install-kernel.sh $(NB_TOOLS_BIN) $(NB_JUPYTER_DIR) $(NB_TMP)

nbcheck: $(NB_CHECK)

# Rebuilt every time: `go build` is a no-op when nothing changed.
$(NB_CHECK): FORCE_NBCHECK
	@$(NB_GO) build -o $@ ./scripts/nbcheck
FORCE_NBCHECK:

# nb_q,WORD: WORD as one single-quoted shell word. Notebook file names can
# hold any character (";", "$(...)", quotes): they are never expanded by the
# shell. Names with spaces are split by make itself, so use names without.
nb_q = '$(subst ','\'',$(1))'

# nb_run,NOTEBOOK: execute into build/notebooks, export HTML, check; prints the time taken.
# Every step exits explicitly on failure: callers run it on the left of `||`,
# where the shell ignores `set -e`.
define nb_run
set -e; mkdir -p $(NB_OUT) $(NB_TMP); nb=$(call nb_q,$(1)); name=$$(basename -- "$$nb" .ipynb); start=$$(date +%s.%N); \
echo "== $$nb"; \
$(NB_EXEC) "$$nb" 2>"$(NB_OUT)/$$name.log" || { tail -n 40 "$(NB_OUT)/$$name.log"; echo "FAILED: $$nb (log: build/notebooks/$$name.log)"; exit 1; }; \
$(NB_HTML) "$(NB_OUT)/$$name.ipynb" 2>>"$(NB_OUT)/$$name.log" || { echo "FAILED: HTML export of $$nb"; exit 1; }; \
$(NB_CHECK) check "$(NB_OUT)/$$name.ipynb" || { echo "FAILED: checks of $$nb"; exit 1; }; \
printf "   executed, exported and checked in %ss -> build/notebooks/%s.{ipynb,html}\n" \
  $$(awk -v s=$$start -v e=$$(date +%s.%N) "BEGIN{printf \"%.1f\", e-s}") "$$name"
endef

# Every notebook runs even when an earlier one fails; the target fails at the
# end, naming the failed notebooks.
test-notebooks: tools $(NB_CHECK) ## Execute every notebook headless, export HTML, check outputs.
	@failed=""; $(foreach nb,$(NB_SOURCES),( $(call nb_run,$(nb)) ) || failed="$$failed "$(call nb_q,$(nb));) \
	if [ -n "$$failed" ]; then echo "notebooks FAILED:$$failed"; exit 1; fi

# Outputs are written back without the ECharts library outputs (~1.1 MB each):
# charts keep their static SVG (what GitHub shows); re-running a cell in
# Jupyter makes them interactive again.
notebooks-outputs: test-notebooks ## Re-execute the notebooks and write their outputs back into notebooks/.
	@for nb in $(foreach n,$(NB_SOURCES),$(call nb_q,$(n))); do \
	  name=$$(basename -- "$$nb" .ipynb); $(NB_CHECK) slim "$(NB_OUT)/$$name.ipynb" "$$nb"; \
	done

demo-notebook: tools $(NB_CHECK) ## Execute the quickstart notebook, export HTML and print its summary.
	@$(call nb_run,notebooks/$(NB_DEMO).ipynb)
	@echo
	@echo "== Summary of notebooks/$(NB_DEMO).ipynb (cells tagged summary)"
	@$(NB_CHECK) summary $(NB_OUT)/$(NB_DEMO).ipynb
	@echo
	@echo "Executed notebook: build/notebooks/$(NB_DEMO).ipynb"
	@echo "HTML export:       build/notebooks/$(NB_DEMO).html  (open it in a browser; charts work offline)"

# The demo's HTML export, rebuilt when the notebook or kernelext changed.
$(NB_OUT)/$(NB_DEMO).html: notebooks/$(NB_DEMO).ipynb $(wildcard kernelext/*.go kernelext/assets/*) | tools $(NB_CHECK)
	@$(call nb_run,notebooks/$(NB_DEMO).ipynb)

notebook: tools ## Start Jupyter Notebook on 127.0.0.1 with notebooks/ open.
	@mkdir -p $(NB_TMP)
	$(NB_ENV) $(NB_JUPYTER) notebook --ip=127.0.0.1 --port=$(NB_PORT) --no-browser \
	  $(if $(filter 0,$(shell id -u)),--allow-root) --notebook-dir=$(CURDIR)/notebooks

test-screenshot: tools $(NB_CHECK) ## Render the demo notebook's HTML export in headless Chromium and check the chart is drawn.
	@scripts/ensure-apt.sh $(NB_SHOT_PKGS)
	@$(MAKE) --no-print-directory $(NB_OUT)/$(NB_DEMO).html
	@scripts/screenshot.sh $(NB_OUT)/$(NB_DEMO).html $(NB_SHOTS)/$(NB_DEMO).png $(NB_SHOTS)/$(NB_DEMO).dom.html
	@$(NB_CHECK) shot --dom $(NB_SHOTS)/$(NB_DEMO).dom.html $(NB_SHOTS)/$(NB_DEMO).png

notebooks-clean: ## Remove executed notebooks, screenshots and GoNB work folders.
	rm -rf $(NB_OUT) $(NB_SHOTS) $(NB_TMP)
