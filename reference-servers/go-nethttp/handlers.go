package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxEchoBody is the /echo body cap: 1 MiB.
const maxEchoBody = 1 << 20

var (
	plaintextBody = []byte("Hello, World!")
	jsonBody      = []byte(`{"message":"Hello, World!"}`)
)

// newMux routes the contract's endpoints. Method patterns make ServeMux answer
// 405 for a known path with the wrong method and 404 for an unknown path.
func newMux(f *fanout) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /plaintext", func(w http.ResponseWriter, r *http.Request) {
		write(w, http.StatusOK, "text/plain; charset=utf-8", plaintextBody)
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		write(w, http.StatusOK, "application/json", jsonBody)
	})
	mux.HandleFunc("POST /echo", echo)
	mux.HandleFunc("GET /cpu", cpu)
	mux.HandleFunc("GET /sleep", sleep)
	mux.HandleFunc("GET /alloc", alloc)
	mux.HandleFunc("GET /fanout", f.serve)
	return mux
}

// write sends a complete response with an explicit Content-Length, so that
// no response is ever chunked, whatever its size.
func write(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		write(w, http.StatusInternalServerError, "application/json", []byte(`{"error":"cannot encode response"}`))
		return
	}
	write(w, status, "application/json", body)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// intParam reads query parameter name as a decimal integer in [lo, hi].
// On failure it answers 400 naming the parameter and its range.
func intParam(w http.ResponseWriter, r *http.Request, name string, lo, hi int64) (int64, bool) {
	raw := r.URL.Query().Get(name)
	v, err := parseDecimal(raw)
	if err != nil || v < lo || v > hi {
		writeError(w, http.StatusBadRequest,
			fmt.Sprintf("query parameter %q must be an integer from %d to %d (got %q)", name, lo, hi, raw))
		return 0, false
	}
	return v, true
}

// parseDecimal accepts an optional minus sign and ASCII digits only, so that
// "+5", " 5" and "5.0" are rejected like any other non-integer.
func parseDecimal(s string) (int64, error) {
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" {
		return 0, errors.New("empty")
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, errors.New("not a decimal integer")
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

func echo(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxEchoBody {
		writeError(w, http.StatusRequestEntityTooLarge, "request body must be at most 1048576 bytes")
		return
	}
	// MaxBytesReader stops after the cap + 1 byte and makes the server close
	// the connection instead of draining the rest.
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxEchoBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body must be at most 1048576 bytes")
			return
		}
		writeError(w, http.StatusBadRequest, "cannot read request body")
		return
	}
	var value any
	if err := unmarshalNumbers(body, &value); err != nil {
		writeError(w, http.StatusBadRequest, "request body must be one valid JSON value")
		return
	}
	writeJSON(w, http.StatusOK, value)
}

func cpu(w http.ResponseWriter, r *http.Request) {
	n, ok := intParam(w, r, "n", 0, 1_000_000)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, struct {
		N      int64 `json:"n"`
		Primes int64 `json:"primes"`
	}{n, countPrimes(n)})
}

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

func sleep(w http.ResponseWriter, r *http.Request) {
	ms, ok := intParam(w, r, "ms", 0, 10_000)
	if !ok {
		return
	}
	// The goroutine parks on a runtime timer; no OS thread waits.
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	writeJSON(w, http.StatusOK, struct {
		SleptMs int64 `json:"slept_ms"`
	}{ms})
}

func alloc(w http.ResponseWriter, r *http.Request) {
	kb, ok := intParam(w, r, "kb", 0, 65_536)
	if !ok {
		return
	}
	objects, checksum := allocate(int(kb) * 16)
	writeJSON(w, http.StatusOK, struct {
		Kb       int64  `json:"kb"`
		Objects  int    `json:"objects"`
		Checksum uint64 `json:"checksum"`
	}{kb, objects, checksum})
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
