// Package survey holds the statistics of the quality audit of the
// methodology (order No. 59 of 2019, clause 5.2 and clauses 15-16): how
// many clients to call, which ones, what their answers to the Annex 2
// questionnaire and the Annex 4 telephone survey may be, and how the
// answers become the figures of the report's quality section with the
// uncertainty they carry.
//
// The methodology says that quality is assessed by a telephone survey but
// not how large the survey is, how it is drawn or how its results are read.
// This package fills that gap with textbook methods, each cited where it is
// implemented, so that an auditor can check every figure by hand:
//
//   - sample size for a proportion: Cochran (1977), with the finite
//     population correction ([SampleSize]);
//   - a stratified, reproducible draw by region and, optionally, service
//     ([Draw]);
//   - the Wilson score interval for shares and Student's t interval for
//     mean ratings ([ProportionCI], [MeanCI]), with small cells flagged
//     ([SmallCell]);
//   - the AAPOR outcome rates of the calling itself ([Dispositions]);
//   - the answer types of Annexes 2 and 4 with stable codes and their
//     Kazakh, Russian and English labels ([Questionnaire], [PhoneAnswers],
//     [OptionGroups]);
//   - the aggregates of the report: rating summaries, the share of records
//     the survey did not confirm and what it implies for the register
//     ([Summarize], [Unconfirmed], [WeightedShare]).
//
// The package is pure: the standard library and esep's own domain types,
// no storage, files or HTTP. Its errors carry a code and an i18n key, never
// translated text.
package survey
