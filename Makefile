# DataMarket: the two commands a newcomer runs are `make demo` and `make test`.
# Both install missing system libraries first (scripts/setup.sh). `make demo` plays a whole
# market round on Data/breast_cancer.csv (dmctl demo); scripts/tour.sh walks the CLI commands.

.PHONY: setup demo test build bench docs clean

setup:
	@./scripts/setup.sh

build: setup
	swift build

demo: setup
	swift build -c release --product dmctl
	.build/release/dmctl demo

test: setup
	swift test

# Every library's DocC catalogue, warnings as errors (scripts/docs.sh); archives in .build/docs.
docs: setup
	./scripts/docs.sh

bench: setup
	cd Benchmarks && swift run -c release DataMarketBenchmarks

clean:
	rm -rf .build Benchmarks/.build
