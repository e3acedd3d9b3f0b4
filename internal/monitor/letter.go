package monitor

import "esep/internal/register"

// Letter is a notification letter to the operator (clause 8): the problems
// found in one monthly register, record by record, with its deadlines.
type Letter struct {
	ID     int64  `json:"id"`
	Number string `json:"number"` // "7/2026": the sequence within the year
	Date   string `json:"date"`   // drafted, YYYY-MM-DD
	Month  string `json:"month"`  // the register month, YYYY-MM
	// Sender and Addressee name the financial agency and the operator; they
	// are settings an administrator keeps.
	Sender    string `json:"sender"`
	Addressee string `json:"addressee"`
	// RegisterReceivedAt is when the register arrived (RFC 3339); the letter
	// is due 1 working day later (DueSend).
	RegisterReceivedAt string `json:"register_received_at"`
	DueSend            string `json:"due_send"`
	SentAt             string `json:"sent_at,omitempty"`
	// DeliveredAt is when the operator received it; corrections are due 3
	// working days later (CorrectionDue).
	DeliveredAt   string       `json:"delivered_at,omitempty"`
	CorrectionDue string       `json:"correction_due,omitempty"`
	Items         []LetterItem `json:"items"`
}

// LetterItem is one problem of one record.
type LetterItem struct {
	Row      int    `json:"row"`
	RecordID string `json:"record_id"`
	register.Finding
}
