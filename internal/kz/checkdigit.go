package kz

// CheckDigit computes the 12th digit of an IIN or BIN from its first 11
// digits (Government Decree No. 406 of 22.05.2007; reference-kz.md §1.2):
// the sum of the digits weighted 1..11 modulo 11; if that is 10, again with
// weights 3..11,1,2. ok is false when the second pass also gives 10: such a
// number is never issued. first11 must hold exactly 11 ASCII digits.
func CheckDigit(first11 string) (digit int, ok bool) {
	if len(first11) != 11 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 11; i++ {
		sum += int(first11[i]-'0') * (i + 1)
	}
	if s := sum % 11; s != 10 {
		return s, true
	}
	sum = 0
	for i := 0; i < 11; i++ {
		sum += int(first11[i]-'0') * ((i+2)%11 + 1)
	}
	if s := sum % 11; s != 10 {
		return s, true
	}
	return 0, false
}
