package register

// Facts are what is known about a record beyond its fields — how and when
// it arrived, whether it was corrected in time, its act in the operator's
// registry — which the monitoring cycle needs to decide whether it counts.
type Facts struct {
	Blocking  bool   // its current version has blocking findings
	ArrivedAt string // when it first arrived (RFC 3339)
	InCycle   bool   // it first arrived in a monthly register, so lateness applies
	FixedAt   string // when a blocking version was replaced by a valid one, or ""
	// CorrectionDue is the earliest correction deadline (YYYY-MM-DD) of the
	// letters that listed it with a blocking finding, or "".
	CorrectionDue string
	// ActsCovered says an act registry was delivered for the month of the
	// record's end_date, so its act must be found there.
	ActsCovered bool
	// Act is the registry's act with the record's act_number, nil if none.
	Act *Act
	// ActListsRecord says that act lists this record among its services.
	ActListsRecord bool
}

// Act is an act of services rendered from the operator's act registry.
type Act struct {
	Number   string   `json:"act_number"`
	SignedAt string   `json:"signed_at"` // RFC 3339
	Method   string   `json:"method"`    // eds, otp2, otp3, paper
	Signer   string   `json:"signer"`    // IIN or BIN of who signed
	Records  []string `json:"record_ids"`
}
