// The benchmark command of issue 6, a module of its own so that the product
// never depends on what it measures against (DuckDB's Go bindings need cgo
// and ship a native library). It uses esep's own packages through the
// replace below: esep/bench sits inside esep's import path, so esep's
// internal packages are visible to it.
module esep/bench

go 1.26.0

replace esep => ../

require esep v0.0.0-00010101000000-000000000000
