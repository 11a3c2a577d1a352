# 阳光账本 sunledger
#   make setup   建立 .venv 并安装（已装好时立即返回）
#   make check   检查全区账本和资料（sunledger check）
#   make site    检查通过后构建网站，site 链接一步换到新构建；失败时 site 不变
#   make test    运行测试
#   make bench   运行基准测试（检查 vs bean-check）
#   make bench-site  网站构建基准（vs 普通 Material；ARGS="--funds 20 --transactions 10000" 快速）
#   make fava    只读打开 Fava（http://127.0.0.1:5000）
#   make codes   由 scripts/sunledger/codes.yml 重写 DEVELOPING.md 和出纳指南的错误代码表

SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.sunledger-setup

export NO_MKDOCS_2_WARNING := 1

.PHONY: help setup check site test bench fava codes

help:
	@sed -n '2,10s/^# \{0,1\}//p' Makefile

setup: $(STAMP)

# The stamp is newer than pyproject.toml once the install succeeded: setup is then a no-op.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --quiet -e '.[test]'
	touch $@

check: setup
	$(BIN)/sunledger check

# Check, build into .site-builds/<time>-<commit>/ and point the `site` symlink at it in one
# rename, only when both succeed (sunledger/publish.py; rollback: sunledger publish --rollback).
site: setup
	$(BIN)/sunledger publish

test: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/python scripts/bench.py

# The district site against a plain Material build (issue's Scale target); ARGS="--funds 20 --transactions 10000" for a quick run.
.PHONY: bench-site
bench-site: setup
	$(BIN)/python scripts/bench_site.py $(ARGS)

fava: setup
	$(BIN)/fava --read-only --host 127.0.0.1 ledger/main.beancount

# The error-code tables of the docs, generated from the one table (tests/test_codes.py checks they are current).
codes: setup
	$(BIN)/python scripts/code_tables.py
