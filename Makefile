# Shortcuts for ./dev.sh (the README's two commands).
.PHONY: start test bench
start:
	./dev.sh start
test:
	./dev.sh test
bench:
	for f in bench/bench_*.py; do .venv/bin/python $$f || exit 1; done
