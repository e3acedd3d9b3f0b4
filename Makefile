# Conveniences; the README's two commands need none of this.

.PHONY: bench bench-quick

# Every measurement of issue 6 at 1M and 10M records (tens of minutes); the
# table it prints is what docs/performance.md records.
bench:
	cd bench && go run . $(ARGS)

# The same harness at small sizes, to try it.
bench-quick:
	cd bench && go run . -quick $(ARGS)
