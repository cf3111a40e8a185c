package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// maxEchoBody is the /echo body cap: 1 MiB.
const maxEchoBody = 1 << 20

// newRouter routes the contract's endpoints. HandleMethodNotAllowed makes Gin
// answer 405 for a known path with the wrong method (its default is 404).
func newRouter(f *fanout) *gin.Engine {
	r := gin.New()
	r.Use(gin.Recovery())
	r.HandleMethodNotAllowed = true
	r.GET("/plaintext", func(c *gin.Context) { c.String(http.StatusOK, "Hello, World!") })
	r.GET("/json", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"message": "Hello, World!"}) })
	r.POST("/echo", echo)
	r.GET("/cpu", cpu)
	r.GET("/sleep", sleep)
	r.GET("/alloc", alloc)
	r.GET("/fanout", f.serve)
	return r
}

// sendJSON answers v as JSON with an explicit Content-Length: net/http adds
// one by itself only to bodies under 2 KiB, and /echo returns up to 1 MiB,
// which would otherwise go out chunked.
func sendJSON(c *gin.Context, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"cannot encode response"}`)
	}
	c.Header("Content-Length", strconv.Itoa(len(body)))
	c.Data(status, "application/json", body)
}

func sendError(c *gin.Context, status int, msg string) {
	c.AbortWithStatusJSON(status, gin.H{"error": msg})
}

// intParam reads query parameter name as a decimal integer in [lo, hi].
// On failure it answers 400 naming the parameter and its range.
func intParam(c *gin.Context, name string, lo, hi int64) (int64, bool) {
	raw := c.Query(name)
	v, err := parseDecimal(raw)
	if err != nil || v < lo || v > hi {
		sendError(c, http.StatusBadRequest,
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

func echo(c *gin.Context) {
	if c.Request.ContentLength > maxEchoBody {
		sendError(c, http.StatusRequestEntityTooLarge, "request body must be at most 1048576 bytes")
		return
	}
	// Gin sets no body limit of its own; MaxBytesReader stops after the cap
	// + 1 byte and makes the server close the connection instead of
	// draining the rest.
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxEchoBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			sendError(c, http.StatusRequestEntityTooLarge, "request body must be at most 1048576 bytes")
			return
		}
		sendError(c, http.StatusBadRequest, "cannot read request body")
		return
	}
	var value any
	if err := unmarshalNumbers(body, &value); err != nil {
		sendError(c, http.StatusBadRequest, "request body must be one valid JSON value")
		return
	}
	sendJSON(c, http.StatusOK, value)
}

func cpu(c *gin.Context) {
	n, ok := intParam(c, "n", 0, 1_000_000)
	if !ok {
		return
	}
	c.JSON(http.StatusOK, gin.H{"n": n, "primes": countPrimes(n)})
}

func sleep(c *gin.Context) {
	ms, ok := intParam(c, "ms", 0, 10_000)
	if !ok {
		return
	}
	// The goroutine parks on a runtime timer; no OS thread waits.
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.Request.Context().Done():
		return
	}
	c.JSON(http.StatusOK, gin.H{"slept_ms": ms})
}

func alloc(c *gin.Context) {
	kb, ok := intParam(c, "kb", 0, 65_536)
	if !ok {
		return
	}
	objects, checksum := allocate(int(kb) * 16)
	c.JSON(http.StatusOK, gin.H{"kb": kb, "objects": objects, "checksum": checksum})
}
