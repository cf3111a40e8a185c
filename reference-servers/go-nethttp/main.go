// Command go-nethttp is Gauntlet's Go reference server: the standard library
// net/http server (one goroutine per connection) implementing
// reference-servers/CONTRACT.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "0"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		log.Fatalf("listen on 127.0.0.1:%s: %v", port, err)
	}

	srv := &http.Server{
		Handler:           newMux(newFanout(os.Getenv("UPSTREAM_URL"))),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          log.New(os.Stderr, "", log.LstdFlags),
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	addr := ln.Addr().(*net.TCPAddr)
	fmt.Printf("listening on 127.0.0.1:%d (%s, GOMAXPROCS=%d, goroutine per connection)\n",
		addr.Port, runtime.Version(), runtime.GOMAXPROCS(0))

	select {
	case err := <-served:
		log.Fatalf("serve: %v", err)
	case <-ctx.Done():
	}

	// Finish in-flight requests if they end soon, then drop the rest: the
	// contract wants the process gone within 2 seconds of SIGTERM.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Printf("shutdown: %v", err)
	}
	_ = srv.Close()
}
