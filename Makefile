# The two commands of the README. Everything else is in scripts/.
.PHONY: run test build bench
run:
	scripts/run.sh

test:
	scripts/test.sh

build:
	scripts/setup.sh build
	scripts/build.sh release

# The benchmark suite of docs/benchmarks.md (about an hour at every size; BENCH_SIZES=10k for a taste).
bench:
	scripts/setup.sh test
	scripts/bench.sh
