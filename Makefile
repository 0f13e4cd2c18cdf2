# drawcheck: `make demo` checks the shipped sample, `make test` runs the suite.
# Both create .venv and install the project (with its test extras) when needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,service]'
	@touch $(STAMP)

demo: $(STAMP)
	@rm -rf out
	@$(PY) -m drawcheck check samples/residential --format text,json,html,sarif,junit,dxf --out out; \
	 code=$$?; \
	 if [ $$code -eq 2 ] || [ $$code -gt 2 ]; then echo "demo: drawcheck failed (exit $$code)"; exit 1; fi; \
	 echo ""; \
	 echo "drawcheck exited $$code (1 = the sample has findings at or above --fail-on, as intended)."; \
	 echo "Reports written to: $$(ls out/report.* | tr '\n' ' ')"; \
	 $(PY) -m drawcheck envelope samples/residential --height 24,54,80 --packs gb50016-2014,shanghai-planning,shanghai-sunlight --out out || exit 1

test: $(STAMP)
	$(PY) -m pytest -q

# Every benchmark in turn (results table: benchmarks/README.md); QUICK=1 for the short runs.
bench: $(STAMP)
	$(PY) benchmarks/bench_kernels.py $(if $(QUICK),--quick)
	$(PY) benchmarks/bench_rays.py $(if $(QUICK),--quick)
	$(PY) benchmarks/bench_check.py $(if $(QUICK),--quick)
	$(PY) benchmarks/bench_ifc.py $(if $(QUICK),--runs 2)
	$(PY) benchmarks/bench_batch.py $(if $(QUICK),--quick --no-dask)
	$(PY) benchmarks/bench_dwg.py $(if $(QUICK),--quick)
	$(PY) benchmarks/bench_service.py $(if $(QUICK),--quick)
	$(PY) benchmarks/bench_envelope.py $(if $(QUICK),--quick)
	$(PY) benchmarks/bench_caps.py $(if $(QUICK),--runs 1 --cells 2 --check-cells 1)

clean:
	rm -rf $(VENV) out .pytest_cache
