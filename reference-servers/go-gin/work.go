package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// The contract's work functions, the same code as go-nethttp's (a Go module
// cannot import another's main package; the two copies are kept identical).

// countPrimes is the contract's trial division, exactly: no sieve, no skipping
// of even divisors.
func countPrimes(n int64) int64 {
	var count int64
	for i := int64(2); i <= n; i++ {
		prime := true
		for d := int64(2); d*d <= i; d++ {
			if i%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			count++
		}
	}
	return count
}

// allocate makes count separate 64-byte slices, all alive at once, fills
// byte j of slice i with (i+j) mod 256 and sums every byte.
func allocate(count int) (int, uint64) {
	held := make([][]byte, count)
	for i := range held {
		obj := make([]byte, 64)
		for j := range obj {
			obj[j] = byte(i + j)
		}
		held[i] = obj
	}
	var sum uint64
	for _, obj := range held {
		for _, b := range obj {
			sum += uint64(b)
		}
	}
	return len(held), sum
}

// errTrailingData reports bytes after the one JSON value of a body.
var errTrailingData = errors.New("data after the JSON value")

// unmarshalNumbers decodes exactly one JSON value, keeping numbers as their
// literal text so that integers up to 2^53 and 15-digit decimals come back
// unchanged.
func unmarshalNumbers(body []byte, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailingData
	}
	return nil
}
