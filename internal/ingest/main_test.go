package ingest_test

import (
	"testing"

	"esep/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.RunMain(m) }
