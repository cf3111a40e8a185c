package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
)

// fanout calls the upstream N times at once through one keep-alive pool.
type fanout struct {
	upstream string
	client   *http.Client
}

func newFanout(upstream string) *fanout {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// Keep as many idle connections to the one upstream as a burst opens, so
	// the next burst reuses them instead of dialing again.
	transport.MaxIdleConns = 10_000
	transport.MaxIdleConnsPerHost = 10_000
	transport.IdleConnTimeout = 90 * time.Second
	return &fanout{upstream: upstream, client: &http.Client{Transport: transport}}
}

func (f *fanout) serve(c *gin.Context) {
	arrivedAt := time.Now()
	n, ok := intParam(c, "n", 1, 10_000)
	if !ok {
		return
	}
	deadlineMs, ok := intParam(c, "deadline_ms", 1, 60_000)
	if !ok {
		return
	}
	if f.upstream == "" {
		sendError(c, http.StatusServiceUnavailable, "UPSTREAM_URL is not set")
		return
	}

	// Cancelling ctx at the deadline abandons every call still in flight.
	ctx, cancel := context.WithDeadline(c.Request.Context(), arrivedAt.Add(time.Duration(deadlineMs)*time.Millisecond))
	defer cancel()

	results := make(chan bool, n)
	for i := int64(0); i < n; i++ {
		go func(i int64) { results <- f.call(ctx, i) }(i)
	}

	var arrived, done int64
wait:
	for done < n {
		select {
		case ok := <-results:
			done++
			if ok {
				arrived++
			}
		case <-ctx.Done():
			break wait
		}
	}
	c.JSON(http.StatusOK, struct {
		Requested  int64 `json:"requested"`
		Arrived    int64 `json:"arrived"`
		Missed     int64 `json:"missed"`
		DeadlineMs int64 `json:"deadline_ms"`
	}{n, arrived, n - arrived, deadlineMs})
}

// call makes one upstream request and reports whether it answered 200 with
// its whole body before ctx ended.
func (f *fanout) call(ctx context.Context, i int64) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.upstream+"/item?i="+strconv.FormatInt(i, 10), nil)
	if err != nil {
		return false
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	// Reading the body to the end lets the connection go back to the pool.
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return false
	}
	return resp.StatusCode == http.StatusOK && ctx.Err() == nil
}
