package ingest

// SetBatchSize makes imports decide and write n rows at a time until the
// returned function puts the size back.
func SetBatchSize(n int) (restore func()) {
	was := batchSize
	batchSize = n
	return func() { batchSize = was }
}
