# DataMarket: the two commands a newcomer runs are `make demo` and `make test`.
# Both install missing system libraries first (scripts/setup.sh).

.PHONY: setup demo test build bench clean

setup:
	@./scripts/setup.sh

build: setup
	swift build

demo: setup
	swift build -c release --product dmctl
	./scripts/tour.sh .build/release/dmctl

test: setup
	swift test

bench: setup
	cd Benchmarks && swift run -c release DataMarketBenchmarks

clean:
	rm -rf .build Benchmarks/.build
