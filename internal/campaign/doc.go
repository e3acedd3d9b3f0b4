// Package campaign runs the telephone survey of Annex 4 of the methodology
// (order No. 59 of 2019, clauses 15-16): an analyst opens a campaign for a
// period, esep draws a seeded, stratified sample of the counted services of
// that period (package survey does the drawing), and call-centre agents work
// the resulting calls one at a time until each has a final outcome.
//
// The package owns the rules, not the storage or the screens:
//
//   - what a campaign is and which options are allowed ([Options]);
//   - how the frame, the exclusions and the risk oversample are built and the
//     sample drawn and kept ([Service.Open]), and drawn again for an audit
//     ([Service.Verify]);
//   - when a call may be dialled: calling hours in Kazakhstan time, the delay
//     before the next attempt after no answer or a busy line, the most
//     attempts, a promised call-back ([Policy], [Hours]);
//   - what an attempt does to a call, the Annex 4 answers included, and when
//     a "no" to question 1 becomes a notice to the operator ([Policy.Apply]);
//   - who may record an attempt: only the agent who holds the call
//     ([ErrNotYours]);
//   - the AAPOR rates of a campaign ([Tally]);
//   - the script the agent reads, in the client's language ([Script]).
//
// Like register and survey, it imports nothing of the machinery: storage is
// the [Store] interface, which package store implements, and the records
// come through a [Frame] (monitor.Cycle). Its errors carry a code and an
// i18n key, never translated text.
package campaign
