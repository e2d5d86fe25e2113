package enterprise

import (
	"strings"

	"github.com/jiedao/jiedao"
)

// creditAlphabet is the 31 symbols of a unified social credit code (GB
// 32100-2015): the digits and the capital letters without I, O, S, V and Z.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights are the weights of the first 17 characters: 3^i mod 31.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormalizeCode trims a credit code and makes it upper case, as the codes
// are printed on licences and typed in either case.
func NormalizeCode(code string) string {
	return strings.ToUpper(strings.TrimSpace(code))
}

// CheckChar returns the check character for the first 17 characters of a
// code, or false when one of them is outside the alphabet.
func CheckChar(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditAlphabet[c], true
}

// Code errors: a malformed code (wrong length or a symbol outside the
// alphabet) and a code whose check character does not match. Both are
// *jiedao.Error with the field credit_code; WrongCheck alone can be
// overridden (see Enterprise.CodeOverride).
const (
	ReasonMalformed  = "malformed"
	ReasonWrongCheck = "wrong_check"
)

// CheckCode checks a unified social credit code (already normalised). It
// returns "" when the code is valid, else ReasonMalformed or
// ReasonWrongCheck with the error to show.
func CheckCode(code string) (reason string, err error) {
	if len(code) != 18 {
		return ReasonMalformed, &jiedao.Error{Code: jiedao.EINVALID, Field: "credit_code",
			Zh: "统一社会信用代码应为18位：" + code, En: "a unified social credit code has 18 characters: " + code}
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(creditAlphabet, code[i]) < 0 {
			return ReasonMalformed, &jiedao.Error{Code: jiedao.EINVALID, Field: "credit_code",
				Zh: "统一社会信用代码含有无效字符（只能是数字和除 I、O、S、V、Z 以外的大写字母）：" + code,
				En: "the unified social credit code has a character outside its alphabet (no I, O, S, V, Z): " + code}
		}
	}
	want, _ := CheckChar(code[:17])
	if code[17] != want {
		return ReasonWrongCheck, &jiedao.Error{Code: jiedao.EINVALID, Field: "credit_code",
			Zh: "统一社会信用代码校验位错误，应为 " + string(want) + "：" + code,
			En: "wrong check character in the unified social credit code, expected " + string(want) + ": " + code}
	}
	return "", nil
}
