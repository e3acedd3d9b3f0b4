package web

import "context"

// SetImportUploadLimit sets the largest register upload accepted; 0
// restores the default.
func SetImportUploadLimit(n int64) { importUploadLimit.Store(n) }

// SetImportProgressHook makes every import call h with its context at each
// progress report, inside its transaction; nil removes the hook.
func SetImportProgressHook(h func(context.Context)) {
	if h == nil {
		testHookImportProgress.Store(nil)
		return
	}
	testHookImportProgress.Store(&h)
}

// MaskImportFinding is maskImportFinding, for the tests of package
// web_test: no role today may import without reading personal data, so
// the masking of problem lists cannot be reached through a request.
var MaskImportFinding = maskImportFinding
